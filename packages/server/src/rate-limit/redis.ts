import type { Redis } from 'ioredis'
import type { RedisClient } from '../redis-client.js'
import type { RateLimitDecision, RateLimitStore } from './store.js'

/** Options of {@link redisRateLimit}. */
export interface RedisRateLimitOptions {
  /** An ioredis client. The store defines one script command on it and adds an `error` listener. */
  redis: RedisClient
  /** Prefix of every key the store writes. Default `mizan:rl:`. */
  prefix?: string
  /** Milliseconds a check may take before the call goes on without it (see `failClosed`). Default 250. */
  timeout?: number
  /**
   * When Redis is down or slow: `false` (default) lets calls run unlimited (fail open), `true`
   * refuses them with `SERVICE_UNAVAILABLE` (fail closed). Both report to the server's `onError`.
   */
  failClosed?: boolean
  /**
   * The clock, in milliseconds. Default: the Redis server's own clock (`TIME`), one clock for every
   * instance, so skew between app servers cannot shift windows. Tests pass their own to move time.
   */
  now?: () => number
}

// One key per (limit, caller): a hash of the window index and two counts, expiring by itself once
// its counts stop mattering. It mirrors `slide` in sliding-window.ts line for line; checking and
// counting in one script makes a hit atomic, so concurrent hits can never both take the last place.
const SLIDE = `
local max = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local index = math.floor(now / w)
local s = redis.call('HMGET', KEYS[1], 'i', 'p', 'c')
local i = tonumber(s[1])
local prev, curr = 0, 0
if i ~= nil then
  if i >= index then
    index, prev, curr = i, tonumber(s[2]) or 0, tonumber(s[3]) or 0
  elseif i == index - 1 then
    prev = tonumber(s[3]) or 0
  end
end
local elapsed = now - index * w
if elapsed < 0 then elapsed = 0 end
local used = prev * (w - elapsed) + curr * w
if used + w <= max * w then
  redis.call('HSET', KEYS[1], 'i', index, 'p', prev, 'c', curr + 1)
  redis.call('PEXPIRE', KEYS[1], (index + 2) * w - now)
  return {1, math.floor((max * w - used - w) / w), 0}
end
if curr < max then
  return {0, 0, w - math.floor((max - 1 - curr) * w / prev) - elapsed}
end
return {0, 0, w - elapsed + w - math.floor((max - 1) * w / curr)}
`

// Versioned: a changed script gets a new name, so clients shared across versions never mix them.
const COMMAND = 'mizanRateLimitV1'

type SlideCommand = (key: string, max: number, windowMs: number, now: string) => Promise<[number, number, number]>

/**
 * Rate-limit counters in Redis, shared by every instance: a sliding-window counter per key, checked
 * and counted by one Lua script (EVALSHA): one round trip per call, atomic, keys expiring by themselves.
 */
export function redisRateLimit(options: RedisRateLimitOptions): RateLimitStore {
  return new RedisRateLimit(options)
}

class RedisRateLimit implements RateLimitStore {
  readonly kind = 'redis'
  readonly failClosed: boolean
  private readonly redis: Redis
  private readonly prefix: string
  private readonly timeout: number
  private readonly now: (() => number) | undefined
  // Failures reach onError through the calls that meet them; this listener only keeps an `error`
  // event from going unhandled, which would end the process.
  private readonly onRedisError = () => {}

  constructor(options: RedisRateLimitOptions) {
    if (options.redis === undefined || typeof options.redis.defineCommand !== 'function') throw new TypeError('Mizan: redisRateLimit({ redis }) needs an ioredis client')
    this.redis = options.redis as unknown as Redis
    this.prefix = options.prefix ?? 'mizan:rl:'
    this.timeout = options.timeout ?? 250
    this.failClosed = options.failClosed ?? false
    this.now = options.now
    if (typeof (this.redis as unknown as Record<string, unknown>)[COMMAND] !== 'function') {
      this.redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SLIDE })
    }
    this.redis.on('error', this.onRedisError)
  }

  hit(key: string, max: number, windowMs: number): Promise<RateLimitDecision> {
    // Never wait in ioredis's offline queue: a call must not hang on a limiter that is away.
    if (this.redis.status !== 'ready') return Promise.reject(new Error(`redis is ${this.redis.status}`))
    const slideCommand = (this.redis as unknown as Record<string, SlideCommand>)[COMMAND]!
    const now = this.now === undefined ? '' : String(Math.floor(this.now()))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis did not answer the rate limit check within ${this.timeout} ms`)), this.timeout)
      slideCommand.call(this.redis, this.prefix + key, max, windowMs, now).then(
        ([allowed, remaining, retryAfterMs]) => {
          clearTimeout(timer)
          resolve({ allowed: allowed === 1, remaining, retryAfterMs })
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  close(): void {
    this.redis.off('error', this.onRedisError)
  }
}

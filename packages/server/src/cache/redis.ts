import type { Redis } from 'ioredis'
import { cacheSecret, GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'

/** Options of {@link redisCache}. */
export interface RedisCacheOptions {
  /** An ioredis client. `enableAutoPipelining: true` is recommended: concurrent reads share round trips. */
  redis: Redis
  /** The key secret, at least 32 bytes, the same on every instance and used for nothing else. */
  secret: string | Uint8Array
  /** Prefix of every key Mizan writes. Default `mizan:`. */
  prefix?: string
  /** Milliseconds a Redis command may take before the call goes on without the cache. Default 250. */
  timeout?: number
  /**
   * Seconds a generation counter lives after its last bump; must outlive every entry (ttl + swr).
   * Default one day. Counters expire so that input-scoped purges never grow an unbounded set.
   */
  generationTTL?: number
  /** Reports Redis failures (the default logs them). Calls never fail because Redis did. */
  onError?: (error: unknown) => void
}

// Written only when no generation moved since the fill read them: the check and the write are one
// atomic step, so a purge cannot fall between them.
const WRITE_IF_CURRENT = `
for i = 2, #KEYS do
  if (redis.call('GET', KEYS[i]) or '0') ~= ARGV[i + 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`

/**
 * A cache shared by every instance through Redis. When Redis is slow or down, calls run their
 * handler as if the cache were empty; a purge that could not reach Redis is made good by a global
 * revision bump as soon as Redis is back.
 */
export function redisCache(options: RedisCacheOptions): CacheBackend {
  return new RedisCache(options)
}

class RedisCache implements CacheBackend {
  readonly kind = 'redis'
  readonly generationTTL: number
  readonly secret: Uint8Array
  private readonly redis: Redis
  private readonly prefix: string
  private readonly timeout: number
  private readonly report: (error: unknown) => void
  private owedBump = false
  private readonly onReady = () => void this.payBump()
  private readonly onRedisError = (error: unknown) => this.report(error)

  constructor(options: RedisCacheOptions) {
    this.redis = options.redis
    this.secret = cacheSecret(options.secret, 'redisCache()')
    this.prefix = options.prefix ?? 'mizan:'
    this.timeout = options.timeout ?? 250
    this.generationTTL = options.generationTTL ?? 86_400
    this.report = options.onError ?? ((error) => console.error('[mizan] redis cache:', error instanceof Error ? error.message : error))
    // A listener, so an `error` event can never go unhandled and end the process.
    this.redis.on('error', this.onRedisError)
    this.redis.on('ready', this.onReady)
  }

  async read(key: string, names: readonly string[]): Promise<CacheRead> {
    // Until an owed revision bump lands, entries a failed purge should have hidden may be served.
    if (this.owedBump) await this.payBump()
    if (this.owedBump) throw new Error('a revision bump is pending')
    const values = await this.command(() => this.redis.mget(this.entryKey(key), ...names.map((name) => this.generationKey(name))))
    return { entry: values[0] ?? null, generations: values.slice(1).map((value) => Number(value ?? 0)) }
  }

  async write(key: string, text: string, ttlMs: number, names: readonly string[], expected: readonly number[]): Promise<boolean> {
    const keys = [this.entryKey(key), ...names.map((name) => this.generationKey(name))]
    const args = [text, String(Math.max(1, Math.ceil(ttlMs))), ...expected.map(String)]
    const written = await this.command(() => this.redis.eval(WRITE_IF_CURRENT, keys.length, ...keys, ...args))
    return written === 1
  }

  async bump(names: readonly string[]): Promise<void> {
    try {
      await this.command(() => {
        const batch = this.redis.multi()
        for (const name of names) {
          const key = this.generationKey(name)
          batch.incr(key)
          if (name !== GLOBAL_GENERATION) batch.expire(key, this.generationTTL)
        }
        return batch.exec()
      })
    } catch (error) {
      // Entries this purge should have hidden may still be in Redis: hide everything once it is back.
      this.owedBump = true
      throw error
    }
  }

  close(): void {
    this.redis.off('error', this.onRedisError)
    this.redis.off('ready', this.onReady)
  }

  private paying: Promise<void> | undefined

  private payBump(): Promise<void> {
    if (!this.owedBump) return Promise.resolve()
    return (this.paying ??= this.command(() => this.redis.incr(this.generationKey(GLOBAL_GENERATION)))
      .then(
        () => void (this.owedBump = false),
        (error: unknown) => this.report(error),
      )
      .finally(() => (this.paying = undefined)))
  }

  /** Runs a command only on a ready connection, within the timeout: never waits in ioredis's offline queue. */
  private command<T>(run: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') return Promise.reject(new Error(`redis is ${this.redis.status}`))
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeout} ms`)), this.timeout)
      run().then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`
  }

  private generationKey(name: string): string {
    return `${this.prefix}g:${name}`
  }
}

import type { Redis } from 'ioredis'
import { answeredWithin, type RedisClient } from '../redis-client.js'
import { cacheSecret, GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'
import { decodeEntry, type CacheEntry } from './entry.js'
import { NearCache, type NearCacheOptions } from './near-cache.js'
import { PurgeChannel } from './purge-channel.js'

/** Options of {@link redisCache}. */
export interface RedisCacheOptions {
  /** An ioredis client. `enableAutoPipelining: true` is recommended: concurrent reads share round trips. */
  redis: RedisClient
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
  /**
   * Keeps entries in this process too (an L1 in front of Redis), so a hit costs no round trip.
   * Purges reach every instance's near cache over Redis pub/sub, on a second connection
   * (`redis.duplicate()`): another instance serves a purged entry until the purge's message
   * arrives, which is sent before the purging call answers. Off by default; see docs/cache.md.
   * Every instance sharing the prefix must run a Mizan that announces purges (this one does,
   * near cache or not).
   */
  nearCache?: boolean | NearCacheOptions
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
  /** The channel purges are announced on, under the prefix. */
  private readonly channel: string
  private readonly near: NearCache | undefined
  private readonly purges: PurgeChannel | undefined

  constructor(options: RedisCacheOptions) {
    this.redis = options.redis as unknown as Redis
    this.secret = cacheSecret(options.secret, 'redisCache()')
    this.prefix = options.prefix ?? 'mizan:'
    this.channel = `${this.prefix}purges`
    this.timeout = options.timeout ?? 250
    this.generationTTL = options.generationTTL ?? 86_400
    this.report = options.onError ?? ((error) => console.error('[mizan] redis cache:', error instanceof Error ? error.message : error))
    // A listener, so an `error` event can never go unhandled and end the process.
    this.redis.on('error', this.onRedisError)
    this.redis.on('ready', this.onReady)
    if (options.nearCache !== undefined && options.nearCache !== false) {
      this.near = new NearCache(options.nearCache === true ? {} : options.nearCache)
      this.purges = new PurgeChannel(this.redis, this.channel, this.near, this.report)
    }
  }

  peek(key: string, names: readonly string[]): CacheEntry | undefined {
    // Not while a purge is owed (it was applied here, but Redis and the others have not seen it),
    // nor while the connection is down: then calls run their handler, near cache or not.
    if (this.near === undefined || this.owedBump || this.redis.status !== 'ready') return undefined
    return this.near.peek(key, names)
  }

  async read(key: string, names: readonly string[]): Promise<CacheRead> {
    // Until an owed revision bump lands, entries a failed purge should have hidden may be served.
    if (this.owedBump) await this.payBump()
    if (this.owedBump) throw new Error('a revision bump is pending')
    const mark = this.near?.mark()
    const values = await this.command(() => this.redis.mget(this.keysOf(key, names)))
    const generations = values.slice(1).map((value) => Number(value ?? 0))
    const text = values[0] ?? null
    if (mark !== undefined) this.near!.record(mark, names, generations, key, text === null ? undefined : decodeEntry(text))
    return { entry: text, generations }
  }

  async write(key: string, text: string, ttlMs: number, names: readonly string[], expected: readonly number[], entry?: CacheEntry): Promise<boolean> {
    const keys = this.keysOf(key, names)
    const args = [text, String(Math.max(1, Math.ceil(ttlMs))), ...expected.map(String)]
    const mark = this.near?.mark()
    const written = (await this.command(() => this.redis.eval(WRITE_IF_CURRENT, keys.length, ...keys, ...args))) === 1
    // Written means Redis held `expected` when the script ran: as good as a read.
    if (written && mark !== undefined) this.near!.record(mark, names, expected, key, entry ?? decodeEntry(text))
    return written
  }

  async bump(names: readonly string[]): Promise<void> {
    // This instance stops serving what the purge hides before it is even sent.
    this.near?.forget(names)
    try {
      await this.command(() => {
        const batch = this.redis.multi()
        for (const name of names) {
          const key = this.generationKey(name)
          batch.incr(key)
          if (name !== GLOBAL_GENERATION) batch.expire(key, this.generationTTL)
        }
        // In the same transaction: no instance can read the new values and miss the message.
        batch.publish(this.channel, JSON.stringify(names))
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
    this.purges?.close()
  }

  private paying: Promise<void> | undefined

  private payBump(): Promise<void> {
    if (!this.owedBump) return Promise.resolve()
    return (this.paying ??= this.bump([GLOBAL_GENERATION])
      .then(
        () => void (this.owedBump = false),
        (error: unknown) => this.report(error),
      )
      .finally(() => (this.paying = undefined)))
  }

  /** The keys a read or write of an entry touches. Cached by `names`, which is one array per address. */
  private readonly keyLists = new WeakMap<readonly string[], { key: string; keys: string[] }>()

  private keysOf(key: string, names: readonly string[]): string[] {
    let cached = this.keyLists.get(names)
    if (cached === undefined || cached.key !== key) {
      cached = { key, keys: [this.entryKey(key), ...names.map((name) => this.generationKey(name))] }
      this.keyLists.set(names, cached)
    }
    return cached.keys
  }

  /** Runs a command only on a ready connection, within the timeout: never waits in ioredis's offline queue. */
  private command<T>(run: () => Promise<T>): Promise<T> {
    return answeredWithin(this.redis as unknown as RedisClient, this.timeout, run)
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`
  }

  private generationKey(name: string): string {
    return `${this.prefix}g:${name}`
  }
}

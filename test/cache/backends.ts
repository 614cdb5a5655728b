import { randomBytes } from 'node:crypto'
import { memoryCache, redisCache, type CacheBackend } from '@mizan/server'
import { Redis } from 'ioredis'
import { deferred } from '../integration/app.js'
import { REDIS_URL, redisAvailable as probe } from '../support/redis.js'

export { REDIS_URL }

/** True when Redis answers (see test/support/redis.ts). */
export const redisAvailable = () => probe('Redis cache')

/** A backend under test, with what the tests need to reach behind it. */
export interface BackendUnderTest {
  name: string
  backend: CacheBackend
  redis?: Redis
  prefix?: string
  /** Whether the Redis client may reconnect by itself after losing its connection. */
  control: { reconnect: boolean }
  /** Resolves once the backend can serve. */
  ready(): Promise<void>
  close(): Promise<void>
}

/** A Redis backend with a near cache, and the connection its purges arrive on. */
export interface NearBackendUnderTest extends BackendUnderTest {
  redis: Redis
  prefix: string
  secret: Uint8Array
  /** The near cache's own connection (made by `redis.duplicate()`). */
  subscriber(): Redis
  /** Resolves once the next subscription to the purge channel is confirmed and applied. */
  subscribed(): Promise<void>
  /** Resolves once every entry write sent so far has landed (fills store their answer behind it). */
  written(): Promise<void>
}

export function memoryBackend(): BackendUnderTest {
  return { name: 'memory', backend: memoryCache({ maxEntries: 50_000 }), control: { reconnect: true }, ready: async () => {}, close: async () => {} }
}

/** A Redis backend with its own key prefix, so runs never see each other's keys. */
export function redisBackend(): BackendUnderTest {
  const prefix = `mizan-test:${randomBytes(6).toString('hex')}:`
  const control = { reconnect: true }
  const redis = testRedis(prefix, control)
  const backend = redisCache({ redis, secret: randomBytes(32), prefix, timeout: 500, onError: () => {} })
  return { name: 'redis', backend, redis, prefix, control, ready: () => whenReady(redis), close: () => cleanUp(redis, prefix) }
}

/**
 * A Redis backend with a near cache. Two of them given one `shared` (prefix and secret) are two
 * instances of one app, on connections of their own.
 */
export function nearRedisBackend(shared?: { prefix: string; secret: Uint8Array }): NearBackendUnderTest {
  const prefix = shared?.prefix ?? `mizan-test:${randomBytes(6).toString('hex')}:`
  const secret = shared?.secret ?? new Uint8Array(randomBytes(32))
  const control = { reconnect: true }
  // Named apart from any other instance on the prefix, so a test can find this one's connections.
  const redis = testRedis(`${prefix}${randomBytes(3).toString('hex')}`, control)
  let subscriber: Redis | undefined
  let confirmed = deferred()
  const duplicate = redis.duplicate.bind(redis)
  redis.duplicate = (override) => {
    const made = duplicate(override)
    const subscribe = made.subscribe.bind(made) as (...channels: string[]) => Promise<unknown>
    made.subscribe = ((...channels: string[]) => {
      const reply = subscribe(...channels)
      // Attached before the backend's own handler, which therefore runs before anyone awaiting
      // `confirmed` resumes: promise reactions run in the order they were attached.
      reply.then(
        () => {
          const done = confirmed
          confirmed = deferred()
          done.resolve()
        },
        () => {},
      )
      return reply
    }) as Redis['subscribe']
    subscriber = made
    return made
  }
  const writes = new Set<Promise<unknown>>()
  const evaluate = redis.eval.bind(redis) as (...args: unknown[]) => Promise<unknown>
  redis.eval = ((...args: unknown[]) => {
    const reply = evaluate(...args)
    const settled = reply.then(
      () => writes.delete(settled),
      () => writes.delete(settled),
    )
    writes.add(settled)
    return reply
  }) as Redis['eval']
  const backend = redisCache({ redis, secret, prefix, timeout: 500, onError: () => {}, nearCache: true })
  const firstSubscription = confirmed.promise
  return {
    name: 'redis + near cache',
    backend,
    redis,
    prefix,
    secret,
    control,
    subscriber: () => subscriber!,
    subscribed: () => confirmed.promise,
    written: async () => {
      await Promise.all([...writes])
    },
    ready: async () => {
      await whenReady(redis)
      await firstSubscription
    },
    close: async () => {
      await backend.close?.()
      await cleanUp(redis, prefix)
    },
  }
}

function testRedis(name: string, control: { reconnect: boolean }): Redis {
  return new Redis(REDIS_URL, {
    enableAutoPipelining: true,
    connectionName: name,
    maxRetriesPerRequest: 1,
    // Tests hold the connection down to observe an outage; otherwise reconnect at once.
    retryStrategy: () => (control.reconnect ? 20 : null),
  })
}

function whenReady(redis: Redis): Promise<void> {
  return redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()))
}

async function cleanUp(redis: Redis, prefix: string): Promise<void> {
  if (redis.status === 'ready') {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
  }
  redis.disconnect()
}

import { randomBytes } from 'node:crypto'
import { memoryCache, redisCache, type CacheBackend } from '@mizan/server'
import { Redis } from 'ioredis'
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

export function memoryBackend(): BackendUnderTest {
  return { name: 'memory', backend: memoryCache({ maxEntries: 50_000 }), control: { reconnect: true }, ready: async () => {}, close: async () => {} }
}

/** A Redis backend with its own key prefix, so runs never see each other's keys. */
export function redisBackend(): BackendUnderTest {
  const prefix = `mizan-test:${randomBytes(6).toString('hex')}:`
  const control = { reconnect: true }
  const redis = new Redis(REDIS_URL, {
    enableAutoPipelining: true,
    connectionName: prefix,
    maxRetriesPerRequest: 1,
    // Tests hold the connection down to observe an outage; otherwise reconnect at once.
    retryStrategy: () => (control.reconnect ? 20 : null),
  })
  const backend = redisCache({ redis, secret: randomBytes(32), prefix, timeout: 500, onError: () => {} })
  return {
    name: 'redis',
    backend,
    redis,
    prefix,
    control,
    ready: () => (redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()))),
    close: async () => {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      redis.disconnect()
    },
  }
}

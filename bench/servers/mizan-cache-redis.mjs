// Mizan with the origin cache in Redis (REDIS_URL, default redis://127.0.0.1:6379).
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { redisCache } from '@mizan/server'
import { cachedGreetServer } from './mizan-cached.mjs'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true })
await new Promise((resolve) => redis.once('ready', resolve))
await cachedGreetServer(redisCache({ redis, secret: randomBytes(32), prefix: `mizan-bench:${process.pid}:` }))

import { redisCache, redisPubSub, redisRateLimit, redisReplayStore, type RedisClient } from '@mizan/server'
import { Redis } from 'ioredis'
import { expectAssignable, expectError, expectNotAssignable } from 'tsd'

// The Redis options take RedisClient, written out in Mizan's own declarations (so they load without
// ioredis installed): a real ioredis client must still fit every one of them.
const redis = new Redis({ lazyConnect: true })
expectAssignable<RedisClient>(redis)
redisCache({ redis, secret: 'x'.repeat(32) })
redisPubSub({ redis })
redisRateLimit({ redis })
redisReplayStore({ redis })

// What is not a client is refused at compile time.
expectNotAssignable<RedisClient>('redis://127.0.0.1:6379')
expectNotAssignable<RedisClient>({ status: 'ready' })
expectError(redisCache({ redis: 'redis://127.0.0.1:6379', secret: 'x'.repeat(32) }))

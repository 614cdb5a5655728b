import { randomUUID } from 'node:crypto'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { memoryRateLimit, redisRateLimit, type RateLimitStore } from '@mizan/server'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_URL, redisAvailable } from '../support/redis.js'
import { limitedServer, read } from './app.js'

const available = await redisAvailable('Redis rate limit')

describe.runIf(available)('redisRateLimit on a real Redis', () => {
  const prefix = `mizan:test:rl:${randomUUID()}:`
  const clients: Redis[] = []
  const connect = async () => {
    const redis = new Redis(REDIS_URL)
    clients.push(redis)
    await new Promise((resolve) => redis.once('ready', resolve))
    return redis
  }
  let admin: Redis
  beforeAll(async () => {
    admin = await connect()
  })
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    for (const client of clients) client.disconnect()
  })

  it('makes two servers sharing one store count together', async () => {
    const clock = { now: 1_700_000_000_000 }
    const shared = `${prefix}two:`
    const a = limitedServer({ store: redisRateLimit({ redis: await connect(), prefix: shared, now: () => clock.now }) })
    const b = limitedServer({ store: redisRateLimit({ redis: await connect(), prefix: shared, now: () => clock.now }) })
    const call = async (server: typeof a.server) => read(await server.fetchHandler(new Request('http://x/api/mizan/ping', { headers: { authorization: 'Bearer alice' } })))
    expect((await call(a.server)).status).toBe(200)
    expect((await call(b.server)).status).toBe(200)
    const refused = await call(a.server)
    expect(refused.status).toBe(429)
    expect(refused.retryAfter).toBe(String(refused.body.error!.data!.retryAfter))
    expect((await call(b.server)).status).toBe(429)
    clock.now += Number(refused.retryAfter) * 1000
    expect((await call(b.server)).status).toBe(200)
    await Promise.all([a.server.close(), b.server.close()])
  })

  it('allows exactly max of 200 concurrent hits from two connections: the check and the count are one step', async () => {
    const stores = [redisRateLimit({ redis: await connect(), prefix }), redisRateLimit({ redis: await connect(), prefix })]
    const hits = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 2]!.hit('burst', 37, 60_000)))
    expect(hits.filter((hit) => hit.allowed)).toHaveLength(37)
    expect(hits.filter((hit) => !hit.allowed).every((hit) => hit.retryAfterMs > 0)).toBe(true)
  })

  it('gives every key an expiry of at most two windows: nothing outlives its counts', async () => {
    const store = redisRateLimit({ redis: await connect(), prefix })
    await store.hit('expiring', 5, 10_000)
    const ttl = await admin.pttl(`${prefix}expiring`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(20_000)
  })

  it('decides exactly as the memory store does, call for call (the script mirrors it)', async () => {
    const redis = await connect()
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          max: fc.integer({ min: 1, max: 6 }),
          windowMs: fc.integer({ min: 1, max: 5000 }),
          gaps: fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 25 }),
        }),
        async ({ max, windowMs, gaps }) => {
          const clock = { now: 1_700_000_000_000 }
          const memory = memoryRateLimit({ now: () => clock.now })
          const shared: RateLimitStore = redisRateLimit({ redis, prefix: `${prefix}mirror:${randomUUID()}:`, now: () => clock.now })
          try {
            for (const gap of gaps) {
              clock.now += gap
              expect(await shared.hit('k', max, windowMs)).toEqual(memory.hit('k', max, windowMs))
            }
          } finally {
            await shared.close?.()
          }
        },
      ),
      { seed: 42, numRuns: 40 },
    )
  })

  it("counts on the Redis server's clock when given none", async () => {
    const store = redisRateLimit({ redis: await connect(), prefix })
    expect((await store.hit('server-clock', 1, 60_000)).allowed).toBe(true)
    const refused = await store.hit('server-clock', 1, 60_000)
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfterMs).toBeGreaterThan(0)
    expect(refused.retryAfterMs).toBeLessThanOrEqual(120_000)
  })
})

describe.runIf(available)('redisRateLimit when Redis is away', () => {
  /** A TCP proxy to the real Redis that can stop passing commands on: a Redis that hangs, connection up. */
  async function hangingProxy(): Promise<{ port: number; hang(): void; close(): Promise<void> }> {
    const target = new URL(REDIS_URL)
    const sockets = new Set<Socket>()
    let hanging = false
    const server: Server = createServer((socket) => {
      const upstream = connect(Number(target.port || 6379), target.hostname)
      sockets.add(socket).add(upstream)
      socket.on('data', (data) => hanging || upstream.write(data))
      upstream.on('data', (data) => socket.write(data))
      socket.on('error', () => upstream.destroy())
      upstream.on('error', () => socket.destroy())
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      port: (server.address() as AddressInfo).port,
      hang: () => void (hanging = true),
      close: () => {
        for (const socket of sockets) socket.destroy()
        return new Promise((resolve) => server.close(() => resolve()))
      },
    }
  }

  it('fails open without waiting when the connection is down, and never crashes on its errors', async () => {
    // Nothing listens on port 1: the client keeps failing to connect and emits `error` events.
    const redis = new Redis({ port: 1, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => 50 })
    const app = limitedServer({ store: redisRateLimit({ redis }) })
    await new Promise((resolve) => redis.once('error', resolve))
    for (let i = 0; i < 3; i++) {
      const res = await app.server.fetchHandler(new Request('http://x/api/mizan/ping', { headers: { authorization: 'Bearer alice' } }))
      expect(res.status).toBe(200)
    }
    expect(app.errors.filter((error) => /redis is/.test((error as Error).message))).toHaveLength(3)
    await app.server.close()
    redis.disconnect()
  })

  it('gives up on a Redis that does not answer after its timeout, and fails closed when asked', async () => {
    const proxy = await hangingProxy()
    const redis = new Redis({ port: proxy.port, host: '127.0.0.1', maxRetriesPerRequest: 0 })
    await new Promise((resolve) => redis.once('ready', resolve))
    proxy.hang()
    const app = limitedServer({ store: redisRateLimit({ redis, timeout: 20, failClosed: true }) })
    const refused = await read(await app.server.fetchHandler(new Request('http://x/api/mizan/ping', { headers: { authorization: 'Bearer alice' } })))
    expect(refused.status).toBe(503)
    expect(refused.retryAfter).toBe('1')
    expect(app.errors.some((error) => /did not answer/.test((error as Error).message))).toBe(true)
    await app.server.close()
    redis.disconnect()
    await proxy.close()
  })
})

import { memoryCache } from '@mizan/server'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { deferred } from '../integration/app.js'
import { cacheApp, Source } from './app.js'
import { memoryBackend, nearRedisBackend, redisAvailable, redisBackend, type BackendUnderTest } from './backends.js'

const backends: [string, () => BackendUnderTest][] = [['memory', memoryBackend]]
if (await redisAvailable()) backends.push(['redis', redisBackend], ['redis + near cache', () => nearRedisBackend()])

describe.each(backends)('origin cache on %s', (_name, make) => {
  let under: BackendUnderTest
  let source: Source
  let app: ReturnType<typeof cacheApp>
  beforeAll(async () => {
    under = make()
    await under.ready()
  })
  afterAll(() => under.close())
  beforeEach(async () => {
    source = new Source()
    app = cacheApp(under.backend, source)
    await app.server.bumpCacheRevision() // each test starts from an empty cache
  })

  it('serves equal inputs from one entry, whatever their key order, with Dates intact', async () => {
    const anon = app.as(null)
    const first = await anon.counter({ key: 'k' })
    expect(await anon.counter({ key: 'k' })).toEqual(first)
    expect(await anon.counter({})).toEqual({ key: 'a', version: 1, at: new Date(0) })
    expect(await anon.counter({ key: 'a' })).toEqual({ key: 'a', version: 1, at: new Date(0) }) // the default counts
    expect(source.runs).toBe(2)
    expect((await anon.counter({ key: 'k' })).at).toBeInstanceOf(Date)
  })

  it('keys inputs holding Dates by their canonical text', async () => {
    const anon = app.as(null)
    expect(await anon.since({ at: new Date(5) })).toEqual({ at: new Date(5), version: 1 })
    source.version = 2
    expect(await anon.since({ at: new Date(5) })).toEqual({ at: new Date(5), version: 1 })
    expect(await anon.since({ at: new Date(6) })).toEqual({ at: new Date(6), version: 2 })
    expect(source.runs).toBe(2)
    await anon.bump()
    expect((await anon.since({ at: new Date(5) })).version).toBe(3)
  })

  it('hands out values nobody can mutate into the cache', async () => {
    const value = await app.as(null).counter({ key: 'm' })
    value.version = 999
    expect((await app.as(null).counter({ key: 'm' })).version).toBe(1)
  })

  it('keeps user entries per user, and never caches without a user', async () => {
    expect(await app.as('alice').mine()).toEqual({ owner: 'alice', version: 1 })
    source.version = 2
    expect(await app.as('bob').mine()).toEqual({ owner: 'bob', version: 2 })
    expect(await app.as('alice').mine()).toEqual({ owner: 'alice', version: 1 }) // alice's own entry
    expect(await app.as(null).mine()).toEqual({ owner: 'nobody', version: 2 })
    const runs = source.runs
    await app.as(null).mine()
    expect(source.runs).toBe(runs + 1) // fail closed: anonymous calls run every time
  })

  it('purges what a mutation affects before it answers', async () => {
    const caller = app.as(null)
    await caller.counter({ key: 'p' })
    await caller.bump()
    expect((await caller.counter({ key: 'p' })).version).toBe(2)
  })

  it('purges one input with invalidate(path, input), leaving the others', async () => {
    const caller = app.as(null)
    await caller.counter({ key: 'x' })
    await caller.counter({ key: 'y' })
    await caller.bumpOne({ key: 'x' })
    expect((await caller.counter({ key: 'x' })).version).toBe(2)
    expect((await caller.counter({ key: 'y' })).version).toBe(1)
  })

  it('purges what a failed mutation invalidated before failing', async () => {
    const caller = app.as(null)
    await caller.counter({ key: 'f' })
    await expect(caller.bumpThenFail({ key: 'f' })).rejects.toThrow('failed after changing data')
    expect((await caller.counter({ key: 'f' })).version).toBe(2)
  })

  it('never stores nor serves a fill that began before a purge (100 random interleavings)', async () => {
    const caller = app.as(null)
    let staleHits = 0
    for (let round = 0; round < 100; round++) {
      const key = `race-${round}`
      source.latch = deferred()
      source.entered = deferred()
      const early = caller.counter({ key })
      await source.entered.promise // the fill is running, with the old version
      const joiners = Array.from({ length: round % 4 }, () => caller.counter({ key }))
      const purge = caller.bump()
      if (Math.random() < 0.5) {
        await purge
        source.latch.resolve()
      } else {
        source.latch.resolve()
        await purge
      }
      await Promise.all([early, ...joiners])
      source.latch = undefined
      const after = await caller.counter({ key })
      if (after.version !== source.version) staleHits++
    }
    expect(staleHits).toBe(0)
  })

  it('never lets a call made after a purge join a fill that began before it', async () => {
    const caller = app.as(null)
    source.latch = deferred()
    source.entered = deferred()
    const before = caller.counter({ key: 'join' })
    await source.entered.promise
    await caller.bump()
    source.entered = deferred()
    const after = caller.counter({ key: 'join' })
    await source.entered.promise // a second handler run: it did not join the first fill
    source.latch.resolve()
    expect((await before).version).toBe(1)
    expect((await after).version).toBe(2)
    expect(source.runs).toBe(2)
  })

  it('runs the handler once for 1,000 concurrent misses', async () => {
    const caller = app.as(null)
    source.latch = deferred()
    const calls = Array.from({ length: 1000 }, () => caller.counter({ key: 'herd' }))
    await new Promise((resolve) => setImmediate(resolve))
    source.latch.resolve()
    const results = await Promise.all(calls)
    expect(source.runs).toBe(1)
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([1]))
  })

  it('gives every waiter of a failed fill the error, and retries on the next call', async () => {
    const caller = app.as(null)
    source.failNext = 1
    source.latch = deferred()
    const calls = Array.from({ length: 5 }, () => caller.flaky())
    await new Promise((resolve) => setImmediate(resolve))
    source.latch.resolve()
    const settled = await Promise.allSettled(calls)
    expect(settled.every((s) => s.status === 'rejected')).toBe(true)
    expect(source.runs).toBe(1)
    source.latch = undefined
    expect(await caller.flaky()).toBe(1)
    expect(source.runs).toBe(2)
  })

  it('serves stale while exactly one refresh runs; a failing refresh keeps the stale value', async () => {
    const caller = app.as(null)
    expect(await caller.stale()).toBe(1)
    await waitUntil(() => Date.now(), 1100) // past ttl (1 s), within swr
    source.version = 2
    source.failNext = 1
    source.latch = deferred()
    source.entered = deferred()
    expect(await Promise.all([caller.stale(), caller.stale(), caller.stale()])).toEqual([1, 1, 1])
    await source.entered.promise
    expect(source.runs).toBe(2) // one refresh for three stale reads
    source.latch.resolve()
    await waitFor(() => app.errors.some((e) => (e as Error).message === 'refresh failed'))
    source.latch = undefined
    expect(await caller.stale()).toBe(1) // still the stale value: the refresh failed
    await waitFor(async () => (await caller.stale()) === 2)
  })

  it('never stores a response that sets cookies', async () => {
    const res1 = await app.server.fetchHandler(new Request('http://x/api/mizan/cookie'))
    const res2 = await app.server.fetchHandler(new Request('http://x/api/mizan/cookie'))
    expect(res1.headers.get('set-cookie')).toBe('seen=1')
    expect(res2.headers.get('cache-control')).toBe('private, no-store')
    expect(source.runs).toBe(2)
  })

  it('makes every entry unreachable with a revision bump', async () => {
    const caller = app.as(null)
    await Promise.all(Array.from({ length: 200 }, (_, i) => caller.counter({ key: `r${i}` })))
    const runs = source.runs
    await app.server.bumpCacheRevision()
    await caller.counter({ key: 'r7' })
    expect(source.runs).toBe(runs + 1)
  })

  it('answers with Cache-Control, an ETag, and 304 for a matching If-None-Match', async () => {
    const url = 'http://x/api/mizan/counter?input=%7B%22key%22%3A%22etag%22%7D'
    const first = await app.server.fetchHandler(new Request(url))
    expect(first.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=60')
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]{27}"$/)
    const again = await app.server.fetchHandler(new Request(url, { headers: { 'if-none-match': `W/${etag}` } }))
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    const mine = await app.server.fetchHandler(new Request('http://x/api/mizan/mine', { headers: { authorization: 'Bearer alice' } }))
    expect(mine.headers.get('cache-control')).toBe('private, no-cache')
    expect(mine.headers.get('vary')).toBeNull()
    const mutation = await app.server.fetchHandler(new Request('http://x/api/mizan/bump', { method: 'POST', headers: { 'content-type': 'application/json' } }))
    expect(mutation.headers.get('cache-control')).toBe('no-store')
    const changed = await app.server.fetchHandler(new Request(url, { headers: { 'if-none-match': etag } }))
    expect(changed.status).toBe(200) // the mutation changed the body, so its tag
  })
})

describe('memory cache bounds', () => {
  it('drops its oldest generation counters, the global one too, and never revives what they hid', async () => {
    const backend = memoryCache({ maxEntries: 1 }) // keeps 2 counters
    const names = ['*', 'p:a']
    await backend.bump(['*'])
    expect(await backend.write('k', '9999999999999 9999999999999 1,0 "t" {}', 60_000, names, [1, 0])).toBe(true)
    for (let i = 0; i < 5; i++) await backend.bump([`p:other${i}`]) // the global counter is oldest first
    expect((await backend.read('k', names)).entry).toBeNull()
    expect(backend.peek?.('k', names)).toBeUndefined()
  })
})

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5))
}

/** Waits until the clock passes `ms` from now: the only way to let a TTL run out. */
async function waitUntil(now: () => number, ms: number): Promise<void> {
  const end = now() + ms
  while (now() < end) await new Promise((resolve) => setTimeout(resolve, Math.max(1, end - now())))
}

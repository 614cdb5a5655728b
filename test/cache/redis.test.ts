import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheApp, Source } from './app.js'
import { REDIS_URL, redisAvailable, redisBackend, type BackendUnderTest } from './backends.js'

const available = await redisAvailable()

describe.runIf(available)('origin cache on a real Redis', () => {
  let under: BackendUnderTest
  let admin: Redis
  beforeAll(async () => {
    under = redisBackend()
    await under.ready()
    admin = new Redis(REDIS_URL)
  })
  afterAll(async () => {
    await under.close()
    admin.disconnect()
  })

  it('makes 10,000 entries unreadable with one revision bump, never KEYS or SCAN', async () => {
    const source = new Source()
    const app = cacheApp(under.backend, source)
    const caller = app.as(null)
    for (let i = 0; i < 10_000; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => caller.counter({ key: `k${i + j}` })))
    await waitFor(async () => (await admin.keys(`${under.prefix}e:*`)).length === 10_000) // entries are written behind the answers
    // Its own MONITOR connection, listened to for errors: ioredis may mistake other clients'
    // traffic right after the MONITOR reply for replies.
    const monitor = admin.duplicate({ monitor: true, lazyConnect: false })
    monitor.on('error', () => {})
    await new Promise((resolve) => monitor.once('monitoring', resolve))
    const commands: string[] = []
    const seen: string[] = []
    monitor.on('monitor', (_time: string, args: string[]) => {
      seen.push(...args.map(String))
      if (args.some((arg) => String(arg).startsWith(under.prefix!))) commands.push(String(args[0]).toLowerCase())
    })
    await app.server.bumpCacheRevision()
    const runs = source.runs
    await caller.counter({ key: 'k1234' })
    await caller.counter({ key: 'k9999' })
    expect(source.runs).toBe(runs + 2)
    // MONITOR lines trail the replies: a marker echoed last shows that every earlier command is in.
    const marker = `sync-${Date.now()}`
    await admin.echo(marker)
    await waitFor(() => seen.includes(marker))
    monitor.disconnect()
    expect(commands).toContain('incr')
    expect(commands.filter((c) => c === 'keys' || c === 'scan')).toEqual([])
  })

  it('gives every generation counter but the global one a TTL: purges grow no unbounded set', async () => {
    const app = cacheApp(under.backend, new Source())
    const caller = app.as(null)
    for (let i = 0; i < 20; i++) await caller.bumpOne({ key: `ttl${i}` })
    const counters = (await admin.keys(`${under.prefix}g:*`)).filter((key) => !key.endsWith('g:*'))
    expect(counters.length).toBeGreaterThanOrEqual(20)
    const ttls = await Promise.all(counters.map((key) => admin.ttl(key)))
    expect(ttls.every((ttl) => ttl > 0)).toBe(true)
  })

  it('keeps answering when Redis drops mid-load, and serves nothing stale once it is back', async () => {
    const source = new Source()
    const app = cacheApp(under.backend, source)
    const caller = app.as(null)
    expect((await caller.counter({ key: 'outage' })).version).toBe(1) // cached at version 1
    const failures: unknown[] = []
    let stop = false
    const load = (async () => {
      let n = 0
      while (!stop) {
        await caller.counter({ key: `load${n++ % 50}` }).catch((error: unknown) => failures.push(error))
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    // Cut the cache's own connection (and no other test's), and keep it down for a while.
    under.control.reconnect = false
    const id = await under.redis!.client('ID')
    await admin.client('KILL', 'ID', String(id))
    await waitFor(() => under.redis!.status === 'end')
    // While it is down, a mutation whose purge cannot reach Redis still succeeds.
    expect(await caller.bump()).toBe(2)
    const during = failures.length
    await caller.counter({ key: 'during' })
    expect(failures.length).toBe(during)
    under.control.reconnect = true
    await under.redis!.connect()
    await waitFor(() => under.redis!.status === 'ready')
    expect((await caller.counter({ key: 'outage' })).version).toBe(2) // the old entry is not served
    stop = true
    await load
    expect(failures).toEqual([])
  })
})

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5))
}

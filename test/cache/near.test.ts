import { once } from 'node:events'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { cacheApp, Source } from './app.js'
import { nearRedisBackend, REDIS_URL, redisAvailable, type NearBackendUnderTest } from './backends.js'

const available = await redisAvailable()

/** Two instances of one app (one prefix, one secret) on connections of their own, each with a near cache. */
describe.runIf(available)('near cache in front of Redis', () => {
  let a: NearBackendUnderTest
  let b: NearBackendUnderTest
  let admin: Redis
  let source: Source
  let appA: ReturnType<typeof cacheApp>
  let appB: ReturnType<typeof cacheApp>
  beforeAll(async () => {
    a = nearRedisBackend()
    b = nearRedisBackend({ prefix: a.prefix, secret: a.secret })
    admin = new Redis(REDIS_URL)
    await Promise.all([a.ready(), b.ready()])
  })
  afterAll(async () => {
    await b.close()
    await a.close()
    admin.disconnect()
  })
  beforeEach(async () => {
    vi.restoreAllMocks()
    source = new Source()
    appA = cacheApp(a.backend, source)
    appB = cacheApp(b.backend, source)
    // Each test starts from an empty cache, on both instances.
    const heard = once(b.subscriber(), 'message')
    await appA.server.bumpCacheRevision()
    await heard
  })

  it('serves a hit from the process, without reading Redis', async () => {
    const reads = vi.spyOn(b.redis, 'mget')
    const caller = appB.as(null)
    const first = await caller.counter({ key: 'local' })
    expect(reads).toHaveBeenCalledTimes(1) // the miss
    await b.written() // the fill's answer is stored behind it
    for (let i = 0; i < 10; i++) expect(await caller.counter({ key: 'local' })).toEqual(first)
    const url = 'http://x/api/mizan/counter?input=%7B%22key%22%3A%22local%22%7D'
    const response = await appB.server.fetchHandler(new Request(url))
    expect(await response.json()).toMatchObject({ data: { key: 'local', version: 1 } })
    const again = await appB.server.fetchHandler(new Request(url, { headers: { 'if-none-match': response.headers.get('etag')! } }))
    expect(again.status).toBe(304)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(source.runs).toBe(1)
  })

  it("serves another instance's entry after one read, then from the process", async () => {
    await appA.as(null).counter({ key: 'shared' })
    await a.written()
    const reads = vi.spyOn(b.redis, 'mget')
    for (let i = 0; i < 5; i++) expect((await appB.as(null).counter({ key: 'shared' })).version).toBe(1)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(source.runs).toBe(1)
  })

  it("purges another instance's near cache once the purge message arrives", async () => {
    const onB = appB.as(null)
    await onB.counter({ key: 'p' })
    const heard = once(b.subscriber(), 'message')
    await appA.as(null).bump()
    await heard
    expect((await onB.counter({ key: 'p' })).version).toBe(2)
  })

  it('purges one input on another instance, leaving the others', async () => {
    const onB = appB.as(null)
    await onB.counter({ key: 'x' })
    await onB.counter({ key: 'y' })
    await b.written()
    const heard = once(b.subscriber(), 'message')
    await appA.as(null).bumpOne({ key: 'x' })
    await heard
    const reads = vi.spyOn(b.redis, 'mget')
    expect((await onB.counter({ key: 'x' })).version).toBe(2)
    expect((await onB.counter({ key: 'y' })).version).toBe(1)
    expect(reads).toHaveBeenCalledTimes(1) // y is still served from the process
  })

  it('applies its own purge before the reply, whatever the message does', async () => {
    const onA = appA.as(null)
    await onA.counter({ key: 'own' })
    const heard = once(a.subscriber(), 'message')
    await onA.bump()
    expect((await onA.counter({ key: 'own' })).version).toBe(2)
    await heard
  })

  it('trusts nothing while its purge channel is down, and starts empty once it is back', async () => {
    const onB = appB.as(null)
    await onB.counter({ key: 'down' })
    b.control.reconnect = false
    const closed = once(b.subscriber(), 'end')
    await admin.client('KILL', 'ID', await subscriberId(admin, b))
    await closed
    // A purge B cannot hear: B must not serve what it hides.
    await appA.as(null).bump()
    const reads = vi.spyOn(b.redis, 'mget')
    expect((await onB.counter({ key: 'down' })).version).toBe(2)
    expect((await onB.counter({ key: 'down' })).version).toBe(2)
    expect(reads).toHaveBeenCalledTimes(2) // nothing kept while the channel is down
    b.control.reconnect = true
    const back = b.subscribed()
    await b.subscriber().connect()
    await back
    await onB.counter({ key: 'down' })
    expect(reads).toHaveBeenCalledTimes(3) // emptied on reconnect: one read to learn again
    await b.written()
    await onB.counter({ key: 'down' })
    expect(reads).toHaveBeenCalledTimes(3)
  })

  it('serves nothing from the near cache while a purge is owed to Redis, and purges everyone once it lands', async () => {
    const onA = appA.as(null)
    const onB = appB.as(null)
    await onA.counter({ key: 'owed' })
    await onB.counter({ key: 'owed' })
    b.control.reconnect = false
    const ended = once(b.redis, 'end')
    await admin.client('KILL', 'ID', String(await b.redis.client('ID')))
    await ended
    expect(await onB.bump()).toBe(2) // its purge cannot reach Redis: owed
    expect((await onB.counter({ key: 'owed' })).version).toBe(2)
    // Once B is back, it pays with a global bump, which A hears.
    const heard = once(a.subscriber(), 'message')
    b.control.reconnect = true
    await b.redis.connect()
    await heard
    expect((await onA.counter({ key: 'owed' })).version).toBe(2)
    expect((await onB.counter({ key: 'owed' })).version).toBe(2)
  })
})

/** The client id of a backend's purge channel connection (a subscribed connection cannot ask for its own). */
async function subscriberId(admin: Redis, under: NearBackendUnderTest): Promise<string> {
  const name = under.redis.options.connectionName!
  const list = String(await admin.client('LIST', 'TYPE', 'pubsub'))
  const line = list.split('\n').find((row) => row.includes(` name=${name} `))
  if (line === undefined) throw new Error(`no pub/sub connection named ${name}`)
  return /id=(\d+)/.exec(line)![1]!
}

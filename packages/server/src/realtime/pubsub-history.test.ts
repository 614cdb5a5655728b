import fc from 'fast-check'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { REDIS_URL, redisAvailable, redisTestRun } from '../../../../test/support/redis.js'
import { MemoryHistory } from './memory-history.js'
import { memoryPubSub } from './memory-pubsub.js'
import type { Placement, PubSub } from './pubsub.js'
import { redisPubSub } from './redis-pubsub.js'

/** Subscribes and records payloads with their ids, and the placement. */
function record(pubsub: PubSub, group: string, after?: string) {
  const got: { payload: string; id: string | undefined }[] = []
  let placement: Placement | undefined
  let placedOnce!: (placement: Placement) => void
  const placed = new Promise<Placement>((resolve) => (placedOnce = resolve))
  const waiting: { count: number; resolve: () => void }[] = []
  const leave = pubsub.subscribe(group, (payload, id) => {
    got.push({ payload, id })
    for (const waiter of waiting.filter((each) => got.length >= each.count)) waiter.resolve()
  }, {
    after,
    placed: (value) => {
      placement = value
      placedOnce(value)
    },
  })
  /** Resolves once `count` payloads arrived: woken by the listener itself. */
  const until = (count: number) => (got.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })))
  return { got, payloads: () => got.map((entry) => entry.payload), leave, placed, placement: () => placement, until }
}

describe('memoryPubSub history', () => {
  it('gives every publish an id, the same to every listener, and to publish', async () => {
    const pubsub = memoryPubSub()
    const a = record(pubsub, 'g')
    const b = record(pubsub, 'g')
    const first = await pubsub.publish('g', '1')
    const second = await pubsub.publish('g', '2')
    expect(first).toMatch(/^[\w-]+-\d+$/)
    expect(second).not.toBe(first)
    expect(a.got).toEqual([{ payload: '1', id: first }, { payload: '2', id: second }])
    expect(b.got).toEqual(a.got)
  })

  it('replays what was published after an id, in order, then live ones, and says resumed', async () => {
    const pubsub = memoryPubSub()
    const ids = []
    for (const payload of ['1', '2', '3', '4']) ids.push(await pubsub.publish('g', payload))
    await pubsub.publish('other', 'not mine')
    const late = record(pubsub, 'g', ids[1])
    expect(late.placement()).toEqual({ resumed: true, at: expect.any(String) })
    expect(late.payloads()).toEqual(['3', '4'])
    await pubsub.publish('g', '5')
    expect(late.payloads()).toEqual(['3', '4', '5'])
  })

  it('gives a joiner without `after` a cursor (`at`) that resumes from its join', async () => {
    const pubsub = memoryPubSub()
    await pubsub.publish('g', 'before')
    const first = record(pubsub, 'g')
    expect(first.placement()?.resumed).toBe(false)
    first.leave()
    await pubsub.publish('g', 'missed')
    const again = record(pubsub, 'g', first.placement()!.at)
    expect(again.placement()?.resumed).toBe(true)
    expect(again.payloads()).toEqual(['missed'])
  })

  it('says resumed false for an id of another process, a malformed one, one from the future, or a too long one', async () => {
    const pubsub = memoryPubSub()
    const id = (await pubsub.publish('g', '1'))!
    const epoch = id.slice(0, id.lastIndexOf('-'))
    for (const after of ['x-1', `${epoch}-01`, `${epoch}-999`, `${epoch}-1.5`, `${epoch}-`, 'a'.repeat(65), '', `${epoch}-1-1`]) {
      const join = record(pubsub, 'g', after)
      expect(join.placement()?.resumed, after).toBe(false)
      expect(join.payloads()).toEqual([])
      join.leave()
    }
  })

  it('says resumed false once the history no longer holds everything after the id (maxLen)', async () => {
    const pubsub = memoryPubSub({ history: { maxLen: 3 } })
    const ids = []
    for (let i = 1; i <= 6; i++) ids.push(await pubsub.publish('g', String(i)))
    expect(record(pubsub, 'g', ids[1]).placement()?.resumed).toBe(false)
    const held = record(pubsub, 'g', ids[2])
    expect(held.placement()?.resumed).toBe(true)
    expect(held.payloads()).toEqual(['4', '5', '6'])
  })

  it('replays nothing twice to a listener that joins from inside another listener', async () => {
    const pubsub = memoryPubSub()
    const start = await pubsub.publish('g', '0')
    let joined: ReturnType<typeof record> | undefined
    pubsub.subscribe('g', (payload) => {
      if (payload === '1') {
        void pubsub.publish('g', '2') // queued behind the current delivery
        joined = record(pubsub, 'g', start)
      }
    })
    await pubsub.publish('g', '1')
    expect(joined!.payloads()).toEqual(['1', '2'])
  })

  it('without a history: no ids, never resumed', async () => {
    const pubsub = memoryPubSub({ history: false })
    const join = record(pubsub, 'g', 'whatever')
    expect(join.placement()).toEqual({ resumed: false, at: undefined })
    await expect(pubsub.publish('g', '1')).resolves.toBeUndefined()
    expect(join.got).toEqual([{ payload: '1', id: undefined }])
  })

  it('replays exactly the payloads after any id it still holds (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 40 }), fc.nat(), async (publishes, pick) => {
        const pubsub = memoryPubSub({ history: { maxLen: 10 } })
        const log: { group: string; payload: string; id: string }[] = []
        for (const [group, payload] of publishes) log.push({ group, payload, id: (await pubsub.publish(group, payload))! })
        const from = log[pick % log.length]!
        const join = record(pubsub, from.group, from.id)
        const expected = log.filter((entry, index) => entry.group === from.group && index > log.indexOf(from))
        const sameGroup = log.filter((entry) => entry.group === from.group)
        // Resumed exactly when the group's last 10 still reach back to the id.
        const held = sameGroup.slice(-10)
        const resumed = held.length < 10 ? true : held[0]!.id === from.id || log.indexOf(held[0]!) <= log.indexOf(from)
        expect(join.placement()?.resumed).toBe(resumed)
        expect(join.payloads()).toEqual(resumed ? expected.map((entry) => entry.payload) : [])
      }),
    )
  })

  it('never throws and never replays for hostile ids (property)', async () => {
    const pubsub = memoryPubSub()
    await pubsub.publish('g', 'secret')
    await fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[\w-]{0,80}$/)), (after) => {
        const join = record(pubsub, 'g', after)
        join.leave()
        if (join.placement()?.resumed !== true) expect(join.payloads()).toEqual([])
      }),
    )
  })
})

describe('MemoryHistory bounds', () => {
  it('drops payloads older than ttl: an id before them no longer resumes', () => {
    let now = 1_000
    const history = new MemoryHistory({ ttl: 100 }, () => now)
    const first = history.add('g', 'old').id
    history.add('g', 'old too')
    now += 50
    const second = history.add('g', 'newer').id
    expect(history.since('g', first)?.map((entry) => entry.payload)).toEqual(['old too', 'newer'])
    now += 60 // the old ones are 110 ms old, 'newer' 60
    expect(history.since('g', first)).toBeUndefined()
    expect(history.since('g', second)).toEqual([])
  })

  it('drops a quiet group whole after ttl, and knows an id before that may have missed it', () => {
    let now = 0
    const history = new MemoryHistory({ ttl: 100 }, () => now)
    const before = history.latest()
    history.add('quiet', 'x')
    now += 200
    history.add('busy', 'y')
    expect(history.size).toBe(1)
    expect(history.since('quiet', before)).toBeUndefined()
    expect(history.since('quiet', history.latest())).toEqual([])
  })

  it('holds at most maxGroups groups, dropping the least recently published', () => {
    const history = new MemoryHistory({ maxGroups: 100 })
    for (let i = 0; i < 1000; i++) history.add(`g${i}`, 'x')
    expect(history.size).toBe(100)
  })

  it('holds at most maxLen payloads per group', () => {
    const history = new MemoryHistory({ maxLen: 5 })
    const start = history.latest()
    for (let i = 0; i < 50; i++) history.add('g', String(i))
    expect(history.since('g', start)).toBeUndefined()
    const recent = history.since('g', `${start.slice(0, start.lastIndexOf('-'))}-45`)
    expect(recent?.map((entry) => entry.payload)).toEqual(['45', '46', '47', '48', '49'])
  })
})

const available = await redisAvailable('redisPubSub history')

describe.runIf(available)('redisPubSub with a history (Redis Streams)', () => {
  const redisRun = redisTestRun()
  const { prefix, cleanups } = redisRun

  async function server(name: string, history: { maxLen: number; ttl: number } | null = { maxLen: 1000, ttl: 60_000 }) {
    const connectionName = redisRun.connectionName(name)
    const redis = new Redis(REDIS_URL, { connectionName })
    const errors: unknown[] = []
    const pubsub = redisPubSub({ redis, prefix, history: history ?? undefined, onError: (error) => errors.push(error) })
    cleanups.push(async () => {
      await pubsub.close()
      redis.disconnect()
    })
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve))
    return { redis, pubsub, errors, readerName: `${connectionName}:streams` }
  }

  it('gives each publish a stream id, delivered with it on every instance', async () => {
    const a = await server('a')
    const b = await server('b')
    const onA = record(a.pubsub, 'g')
    const onB = record(b.pubsub, 'g')
    await Promise.all([a.pubsub.ready!('g'), b.pubsub.ready!('g')])
    const ids = [await a.pubsub.publish('g', '1'), await b.pubsub.publish('g', '2')]
    expect(ids[0]).toMatch(/^\d+-\d+$/)
    await onA.until(2)
    await onB.until(2)
    expect(onA.got).toEqual([{ payload: '1', id: ids[0] }, { payload: '2', id: ids[1] }])
    expect(onB.got).toEqual(onA.got)
  })

  it('replays, on another instance, what was published after an id while it had no listener', async () => {
    const a = await server('a')
    const b = await server('b')
    const ids = []
    for (let i = 1; i <= 5; i++) ids.push(await a.pubsub.publish('g', String(i)))
    const late = record(b.pubsub, 'g', ids[1])
    await expect(late.placed).resolves.toEqual({ resumed: true, at: ids[4] })
    await b.pubsub.ready!('g')
    await a.pubsub.publish('g', '6')
    await late.until(4)
    expect(late.payloads()).toEqual(['3', '4', '5', '6'])
  })

  it('gives a cursor (`at`) on an empty group that resumes from the join', async () => {
    const a = await server('a')
    const first = record(a.pubsub, 'empty')
    const placement = await first.placed
    expect(placement.resumed).toBe(false)
    first.leave()
    await a.pubsub.publish('empty', 'missed')
    const again = record(a.pubsub, 'empty', placement.at)
    await expect(again.placed).resolves.toMatchObject({ resumed: true })
    await again.until(1)
    expect(again.payloads()).toEqual(['missed'])
  })

  it('says resumed false for an id older than ttl, and for a stream trimmed past it', async () => {
    const a = await server('a', { maxLen: 10, ttl: 60_000 })
    const first = await a.pubsub.publish('g', 'first')
    for (let i = 0; i < 500; i++) await a.pubsub.publish('g', String(i))
    expect((await record(a.pubsub, 'g', first).placed).resumed).toBe(false)
    const old = `${Date.now() - 120_000}-0`
    expect((await record(a.pubsub, 'g', old).placed).resumed).toBe(false)
    const recent = record(a.pubsub, 'g', (await a.pubsub.publish('g', 'x'))!)
    expect((await recent.placed).resumed).toBe(true)
  })

  it('refuses hostile ids without a Redis error, and replays nothing for them (property)', async () => {
    const a = await server('a')
    await a.pubsub.publish('g', 'secret')
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[(\d+*$-]{0,70}$/), fc.constant('99999999999999999999-99999999999999999999')), async (after) => {
        const join = record(a.pubsub, 'g', after)
        const placement = await join.placed
        join.leave()
        if (!/^\d+-\d+$/.test(after)) expect(placement.resumed).toBe(false)
        expect(join.payloads()).toEqual([])
      }),
      { numRuns: 60 },
    )
    expect(a.errors).toEqual([])
  })

  it('loses nothing and repeats nothing when the reader connection is killed mid-stream', async () => {
    const a = await server('a')
    const b = await server('b')
    const got = record(b.pubsub, 'g')
    await b.pubsub.ready!('g')
    let resumes = 0
    b.pubsub.onResume(() => resumes++)
    const sent: string[] = []
    for (let i = 0; i < 600; i++) {
      sent.push(String(i))
      await a.pubsub.publish('g', String(i))
      if (i === 200 || i === 400) {
        await redisRun.admin.client('KILL', 'ID', await connectionId(redisRun.admin, b.readerName))
      }
    }
    await got.until(600)
    expect(got.payloads()).toEqual(sent)
    expect(resumes).toBe(0)
  })

  it('reads a group added while the reader is blocked on others', async () => {
    const a = await server('a')
    const first = record(a.pubsub, 'one')
    await a.pubsub.ready!('one')
    // The reader is blocked on `one` alone; a second group must be read without waiting the block out.
    const second = record(a.pubsub, 'two')
    await a.pubsub.ready!('two')
    await a.pubsub.publish('two', 'hello')
    await second.until(1)
    expect(first.got).toEqual([])
  })

  it('without a history keeps plain pub/sub: no ids, never resumed', async () => {
    const a = await server('a', null)
    const join = record(a.pubsub, 'g', '1-0')
    await expect(join.placed).resolves.toEqual({ resumed: false, at: undefined })
    await a.pubsub.ready!('g')
    await expect(a.pubsub.publish('g', 'x')).resolves.toBeUndefined()
    await join.until(1)
    expect(join.got).toEqual([{ payload: 'x', id: undefined }])
  })
})

/**
 * The id of the connection named `name`, once it is connected: a bounded poll of CLIENT LIST (a
 * reconnecting connection raises no event another client can wait on).
 */
async function connectionId(admin: Redis, name: string): Promise<string> {
  for (let tries = 0; tries < 500; tries++) {
    const id = clientId(String(await admin.client('LIST')), name)
    if (id !== null) return id
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`no connection named ${name}`)
}

function clientId(list: string, name: string): string | null {
  const line = list.split('\n').find((entry) => entry.split(' ').includes(`name=${name}`))
  return line ? line.split(' ').find((field) => field.startsWith('id='))!.slice(3) : null
}

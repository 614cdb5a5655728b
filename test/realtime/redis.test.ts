import { randomBytes } from 'node:crypto'
import { redisPubSub } from '@mizan/server'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_URL, redisAvailable as probe } from '../support/redis.js'
import { startRealtime, until } from './app.js'
import { openSocket, startAudienceApp } from './audience-app.js'

const available = await probe('realtime Redis')

describe.runIf(available)('realtime across two instances on one Redis', () => {
  const prefix = `mizan-rt-test:${randomBytes(6).toString('hex')}:`
  const connections: Redis[] = []
  const instance = () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    connections.push(redis)
    return startRealtime({ pubsub: redisPubSub({ redis, prefix, onError: () => {} }) })
  }
  let a: Awaited<ReturnType<typeof startRealtime>>
  let b: Awaited<ReturnType<typeof startRealtime>>
  beforeAll(async () => {
    ;[a, b] = await Promise.all([instance(), instance()])
  })
  afterAll(async () => {
    await Promise.all([a.server.close(), b.server.close()])
    connections.forEach((redis) => redis.disconnect())
  })

  it('delivers a publish exactly once to subscribers on both instances', async () => {
    const onA: string[] = []
    const onB: string[] = []
    const open = { a: false, b: false }
    const subA = a.client('alice').chat.subscribe({ room: 'shared' }, { onMessage: (m) => onA.push(m.text), onStatus: (s) => (open.a ||= s.status === 'open') })
    const subB = b.client('bob').chat.subscribe({ room: 'shared' }, { onMessage: (m) => onB.push(m.text), onStatus: (s) => (open.b ||= s.status === 'open') })
    await until(() => open.a && open.b)
    await a.server.publish('chat', { room: 'shared' }, { text: 'from A', user: 'x', at: new Date() })
    await b.server.publish('chat', { room: 'shared' }, { text: 'from B', user: 'x', at: new Date() })
    // Messages of one publisher arrive in order: once each publisher's end marker is in, any
    // duplicate of its earlier message would be in too.
    await a.server.publish('chat', { room: 'shared' }, { text: 'end A', user: 'x', at: new Date() })
    await b.server.publish('chat', { room: 'shared' }, { text: 'end B', user: 'x', at: new Date() })
    const done = (got: string[]) => got.includes('end A') && got.includes('end B')
    await until(() => done(onA) && done(onB))
    expect(onA.sort()).toEqual(['end A', 'end B', 'from A', 'from B'])
    expect(onB.sort()).toEqual(['end A', 'end B', 'from A', 'from B'])
    subA.unsubscribe()
    subB.unsubscribe()
  })

  it('pushes a mutation on one instance to a browser connected to the other', async () => {
    const viewer = b.client('bob')
    const heard: string[] = []
    viewer.$on('invalidate', (targets) => heard.push(...targets.map((t) => t.path)))
    let open = false
    const sub = viewer.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    await a.client('alice').posts.create.mutate()
    await until(() => heard.includes('posts.list'))
    sub.unsubscribe()
  })
})

describe.runIf(available)('invalidation pushes across two instances on one Redis', () => {
  it('reach on the other instance only the connections that could call the target, never the caller', async () => {
    const prefix = `mizan-rt-aud:${randomBytes(6).toString('hex')}:`
    const redises = [new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }), new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })]
    const [a, b] = await Promise.all(redises.map((redis) => startAudienceApp({ pubsub: redisPubSub({ redis, prefix, onError: () => {} }) })))
    try {
      const caller = await openSocket(a!.port, 'alice')
      const staff = await openSocket(a!.port, 'sam')
      const marker = await openSocket(a!.port)
      const watchers = {
        anon: await openSocket(b!.port),
        aliceTab2: await openSocket(b!.port, 'alice'),
        bob: await openSocket(b!.port, 'bob'),
        sam: await openSocket(b!.port, 'sam'),
      }
      await caller.call('send', { peer: 'alice@example.com' })
      await caller.call('touchMail')
      await staff.call('moderate')
      await marker.call('tick', { n: 1 })
      // One publisher, one subscriber connection: pushes arrive in order, so the marker comes last.
      await Promise.all([...Object.values(watchers), caller].map((socket) => socket.untilTick(1)))
      const inbox = { path: 'inbox', input: { peer: 'alice@example.com' } }
      expect(watchers.anon.heardBesidesTicks()).toEqual([])
      expect(watchers.aliceTab2.heardBesidesTicks()).toEqual([inbox, { path: 'mail.list' }])
      expect(watchers.bob.heardBesidesTicks()).toEqual([inbox])
      expect(watchers.sam.heardBesidesTicks()).toEqual([inbox, { path: 'admin.audit' }])
      expect(caller.heardBesidesTicks()).toEqual([])
      for (const socket of [caller, staff, marker, ...Object.values(watchers)]) socket.close()
    } finally {
      await Promise.all([a!.server.close(), b!.server.close()])
      redises.forEach((redis) => redis.disconnect())
    }
  })
})

describe.runIf(available)('a broker outage seen through the socket', () => {
  it('tells subscribers resumed: false when Redis drops, and delivers again without a restart', async () => {
    const prefix = `mizan-rt-kill:${randomBytes(6).toString('hex')}:`
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectionName: prefix })
    const admin = new Redis(REDIS_URL)
    const app = await startRealtime({ pubsub: redisPubSub({ redis, prefix, onError: () => {} }) })
    const statuses: string[] = []
    const got: string[] = []
    const sub = app.client('alice').chat.subscribe({ room: 'k' }, { onMessage: (m) => got.push(m.text), onStatus: (s) => statuses.push(`${s.status}${s.resumed === false ? ':gap' : ''}`) })
    await until(() => statuses.includes('open'))
    // Kill the instance's subscriber connection (named after ours, with `:pubsub`).
    const clients = String(await admin.client('LIST'))
    const line = clients.split('\n').find((l) => l.includes(`name=${prefix}:pubsub`))!
    await admin.client('KILL', 'ID', /id=(\d+)/.exec(line)![1]!)
    await until(() => statuses.includes('open:gap'))
    await app.server.publish('chat', { room: 'k' }, { text: 'after the outage', user: 'x', at: new Date() })
    await until(() => got.includes('after the outage'))
    sub.unsubscribe()
    await app.server.close()
    redis.disconnect()
    admin.disconnect()
  })
})

import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRealtime, until } from './app.js'

let app: Awaited<ReturnType<typeof startRealtime>>
beforeAll(async () => {
  app = await startRealtime({ websocket: { maxBufferedBytes: 64 * 1024, messagesPerSecond: 200 } })
})
afterAll(() => app.server.close())

type ChatMessage = { text: string; user: string; at: Date }

describe('channels over WebSocket', () => {
  it('delivers what handlers, the server and other clients publish, typed, with Dates intact', async () => {
    const alice = app.client('alice')
    const bob = app.client('bob')
    const got: ChatMessage[] = []
    const statuses: string[] = []
    const sub = alice.chat.subscribe({ room: 'r1' }, { onMessage: (m) => got.push(m), onStatus: (s) => statuses.push(s.status) })
    await until(() => statuses.includes('open'))
    await bob.announce.mutate({ room: 'r1', text: 'from a handler' })
    await app.server.publish('chat', { room: 'r1' }, { text: 'from the server', user: 'ops', at: new Date(5) })
    const bobSub = bob.chat.subscribe({ room: 'r1' }, { onMessage: () => {} })
    await until(() => got.length === 2)
    await bobSub.send({ text: 'from bob' }) // right behind the join: the server waits for it
    await until(() => got.length === 3)
    expect(got.map((m) => m.text)).toEqual(['from a handler', 'from the server', 'from bob'])
    expect(got[2]!.user).toBe('bob')
    expect(got[1]!.at).toBeInstanceOf(Date)
    sub.unsubscribe()
    bobSub.unsubscribe()
  })

  it('keeps groups apart: another room hears nothing', async () => {
    const alice = app.client('alice')
    const got: string[] = []
    let open = false
    const sub = alice.chat.subscribe({ room: 'quiet' }, { onMessage: (m) => got.push(m.text), onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    await app.server.publish('chat', { room: 'loud' }, { text: 'elsewhere', user: 'x', at: new Date() })
    await app.server.publish('chat', { room: 'quiet' }, { text: 'here', user: 'x', at: new Date() })
    await until(() => got.length === 1)
    expect(got).toEqual(['here'])
    sub.unsubscribe()
  })

  it('refuses an unauthorized subscriber, who receives nothing even when messages follow at once', async () => {
    const anonymous = app.client()
    const errors: string[] = []
    const got: unknown[] = []
    anonymous.chat.subscribe({ room: 'secret' }, { onMessage: (m) => got.push(m), onError: (e) => errors.push(e.code) })
    await until(() => errors.length === 1)
    for (let i = 0; i < 5; i++) await app.server.publish('chat', { room: 'secret' }, { text: `s${i}`, user: 'x', at: new Date() })
    // A subscriber that was let in, on the same group, proves the messages went out.
    const witness: string[] = []
    const sub = app.client('alice').chat.subscribe({ room: 'secret' }, { onMessage: (m) => witness.push(m.text) })
    await new Promise((resolve) => setTimeout(resolve, 30))
    await app.server.publish('chat', { room: 'secret' }, { text: 'last', user: 'x', at: new Date() })
    await until(() => witness.includes('last'))
    expect(errors).toEqual(['UNAUTHORIZED'])
    expect(got).toEqual([])
    sub.unsubscribe()
  })

  it('validates params before authorize and messages before they go out', async () => {
    const errors: string[] = []
    app.client('alice').chat.subscribe({ room: '' }, { onMessage: () => {}, onError: (e) => errors.push(e.code) })
    await until(() => errors.length === 1)
    expect(errors).toEqual(['BAD_REQUEST'])
    await expect(app.client().badPublish.mutate()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' })
    await expect(app.server.publish('chat', { room: 'r' }, { text: 1 } as never)).rejects.toThrow(/fails its schema/)
  })
})

describe('calls and pushes over the socket', () => {
  it('sends websocket: true procedures over the open socket by itself', async () => {
    const client = app.client('alice')
    let open = false
    const sub = client.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    const before = app.requests.length
    expect(await client.live.query({ n: 21 })).toBe(42)
    await expect(client.fails.query()).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(app.requests.length).toBe(before) // no HTTP request
    expect(await client.posts.list.query()).toEqual(['a']) // not a websocket procedure: HTTP
    expect(app.requests.length).toBe(before + 1)
    sub.unsubscribe()
  })

  it('pushes a mutation’s invalidations to other connections, not back to the caller’s own', async () => {
    const a = app.client('alice')
    const b = app.client('bob')
    const heardA: string[] = []
    const heardB: string[] = []
    a.$on('invalidate', (targets, source) => heardA.push(`${source.path || 'push'}:${targets.map((t) => t.path)}`))
    b.$on('invalidate', (targets, source) => heardB.push(`${source.path || 'push'}:${targets.map((t) => t.path)}`))
    const opened = { a: false, b: false }
    const subA = a.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => (opened.a ||= s.status === 'open') })
    const subB = b.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => (opened.b ||= s.status === 'open') })
    await until(() => opened.a && opened.b)
    await a.posts.create.mutate()
    await until(() => heardB.length === 1)
    expect(heardB).toEqual(['push:posts.list'])
    expect(heardA).toEqual(['posts.create:posts.list']) // from its reply only
    subA.unsubscribe()
    subB.unsubscribe()
  })

  it('pushes user-scoped invalidations only to that user’s other connections', async () => {
    const aliceTab1 = app.client('alice')
    const aliceTab2 = app.client('alice')
    const bob = app.client('bob')
    const heard = { tab2: 0, bob: 0 }
    aliceTab2.$on('invalidate', () => heard.tab2++)
    bob.$on('invalidate', () => heard.bob++)
    const opened = new Set<string>()
    const subs = [aliceTab1, aliceTab2, bob].map((c, i) => c.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => s.status === 'open' && opened.add(String(i)) }))
    await until(() => opened.size === 3)
    await aliceTab1.posts.touchMine.mutate()
    await aliceTab1.posts.create.mutate() // public: everyone, and a marker that pushes have arrived
    await until(() => heard.bob === 1 && heard.tab2 === 2)
    expect(heard).toEqual({ tab2: 2, bob: 1 })
    subs.forEach((s) => s.unsubscribe())
  })
})

describe('the manifest', () => {
  it('lists channels with what they stand for', async () => {
    expect(app.server.manifest.channels).toEqual({
      chat: { authorized: true, affects: [], receives: true },
      ticker: { authorized: false, affects: ['posts.list'], receives: false },
    })
    expect(app.server.manifest.procedures.live!.websocket).toBe(true)
  })
})

describe('connection limits', () => {
  it('drops a consumer that stops reading, and the others keep receiving', async () => {
    const slow = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws?as=slow`)
    await new Promise((resolve) => slow.once('message', resolve)) // hello
    slow.send(JSON.stringify({ type: 'subscribe', id: 's', path: 'chat', params: { room: 'flood' } }))
    await new Promise((resolve) => slow.once('message', resolve)) // subscribed
    let slowGot = 0
    slow.on('message', () => slowGot++)
    const code = new Promise<number>((resolve) => slow.once('close', (c) => resolve(c)))
    const socket = (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause() // it stops reading: the kernel's buffers fill, then the server's
    const fast: number[] = []
    let open = false
    const sub = app.client('fast').chat.subscribe({ room: 'flood' }, { onMessage: () => fast.push(1), onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    const big = 'x'.repeat(16 * 1024)
    const sent = 2000 // 32 MB: far past the kernel's buffers and the 64 KiB limit
    for (let i = 0; i < sent; i++) {
      await app.server.publish('chat', { room: 'flood' }, { text: big, user: 'x', at: new Date() })
      // A healthy consumer drains between messages; the paused one cannot.
      while (fast.length < i - 8) await new Promise((resolve) => setImmediate(resolve))
    }
    await until(() => fast.length === sent)
    socket.resume()
    expect(await code).toBe(1006) // cut off, not closed politely
    expect(slowGot).toBeLessThan(sent)
    sub.unsubscribe()
  })

  it('closes a connection that floods it with messages (1008)', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws`)
    await new Promise((resolve) => socket.once('open', resolve))
    const code = new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)))
    for (let i = 0; i < 1000; i++) socket.send('{"type":"unsubscribe","id":"x"}')
    expect(await code).toBe(1008)
  })

  it('refuses an upgrade from a foreign origin', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws`, { origin: 'http://evil.example' })
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve))
    expect(error.message).toContain('403')
  })
})

describe('reconnects', () => {
  it('comes back after a server restart, resubscribes, and says messages may have been missed', async () => {
    const first = await startRealtime()
    const client = first.client('alice')
    const statuses: string[] = []
    const got: string[] = []
    client.chat.subscribe({ room: 'again' }, { onMessage: (m) => got.push(m.text), onStatus: (s) => statuses.push(`${s.status}${s.resumed === false ? ':gap' : ''}`) })
    await until(() => statuses.includes('open'))
    await first.server.close() // tells the client to reconnect (1012)
    const second = await startRealtime({ port: first.port })
    await until(() => statuses.includes('open:gap'))
    expect(statuses).toContain('reconnecting')
    await second.server.publish('chat', { room: 'again' }, { text: 'after', user: 'x', at: new Date() })
    await until(() => got.includes('after'))
    await second.server.close()
  })
})

describe('client messages and tickets endpoints', () => {
  it('reopens the socket on $reconnect, resubscribing, so a new sign-in reaches the server', async () => {
    const client = app.client('alice')
    const statuses: string[] = []
    const got: string[] = []
    client.chat.subscribe({ room: 're' }, { onMessage: (m) => got.push(m.text), onStatus: (s) => statuses.push(`${s.status}${s.resumed === false ? ':gap' : s.resumed === true ? ':resumed' : ''}`) })
    await until(() => statuses.includes('open'))
    client.$reconnect()
    // The memory pub/sub keeps a history: the rejoin missed nothing.
    await until(() => statuses.includes('open:resumed'))
    await app.server.publish('chat', { room: 're' }, { text: 'on the new socket', user: 'x', at: new Date() })
    await until(() => got.includes('on the new socket'))
  })

  it('rejects a send that fails validation without dropping the subscription', async () => {
    const client = app.client('alice')
    const got: string[] = []
    let open = false
    const sub = client.chat.subscribe({ room: 'sends' }, { onMessage: (m) => got.push(m.text), onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    await expect(sub.send({ text: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await sub.send({ text: 'still subscribed' })
    await until(() => got.includes('still subscribed'))
    sub.unsubscribe()
  })
})

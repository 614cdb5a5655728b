import { createClient, type ClientOptions, type SocketStatus, type SubscriptionStatus } from '@mizan/client'
import { WebSocket } from 'ws'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeSocket } from '../client/fake-socket.js'
import { startEventsServer } from './fake-events-server.js'

// The client's realtime over Server-Sent Events, against a server that refuses every WebSocket
// upgrade and speaks the event-stream protocol.

let server: Awaited<ReturnType<typeof startEventsServer>>
beforeEach(async () => {
  server = await startEventsServer()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await server.close()
})

const ws = WebSocket as unknown as typeof globalThis.WebSocket

/** A client of the fake server, with the statuses it reported. */
function client(extra: Partial<ClientOptions> = {}) {
  const client = createClient({ url: server.url, wsUrl: server.wsUrl, transformer: 'json', headers: { authorization: 'Bearer alice' }, ...extra })
  const statuses: SocketStatus[] = []
  client.$on('status', (status) => statuses.push(status))
  return { client, statuses }
}

/** A subscription's reports, and a promise for its next status of a kind. */
function subscriber() {
  const messages: unknown[] = []
  const statuses: SubscriptionStatus[] = []
  const waiters: { test: (s: SubscriptionStatus) => boolean; resolve: () => void }[] = []
  return {
    messages,
    statuses,
    handlers: {
      onMessage: (message: unknown) => messages.push(message),
      onStatus: (status: SubscriptionStatus) => {
        statuses.push(status)
        for (const waiter of waiters.filter((w) => w.test(status))) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
      },
    },
    /** Resolves at the next status passing `test`. */
    next: (test: (s: SubscriptionStatus) => boolean) => new Promise<void>((resolve) => waiters.push({ test, resolve })),
  }
}

describe("transport: 'auto'", () => {
  it('subscribes over Server-Sent Events when the upgrade is refused: connecting, then open', async () => {
    const { client: c, statuses } = client({ WebSocket: ws })
    const sub = subscriber()
    const open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    expect(server.seen.upgrades).toBe(1)
    expect(statuses).toEqual(['connecting', 'open'])
    // The fallback is part of the first connect: the subscriber never hears `reconnecting`.
    expect(new Set(sub.statuses.map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify({ status: 'connecting' }), JSON.stringify({ status: 'open' })]))
    expect(sub.statuses.at(-1)).toEqual({ status: 'open' })
    expect(server.seen.frames.map((f) => f.frame)).toEqual([{ type: 'subscribe', id: expect.any(String), path: 'ticker', params: {} }])
    const id = server.seen.frames[0]!.frame.id
    server.publish(id, 7)
    await vi.waitFor(() => expect(sub.messages).toEqual([7]))
    // HTTP calls name the connection, as over the WebSocket.
    await c.$call('query', 'posts.list', undefined)
    expect(server.seen.connections).toEqual(['conn-1'])
    const gone = server.next('gone')
    subscription.unsubscribe()
    await gone
    // The last subscription gone, the stream closes: that ends the session's subscriptions.
    expect(statuses.at(-1)).toBe('closed')
  })

  it('goes straight to Server-Sent Events without any WebSocket class (Node 20 without ws)', async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined()
    const { client: c, statuses } = client()
    const sub = subscriber()
    const open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    expect(server.seen.upgrades).toBe(0)
    expect(statuses).toEqual(['connecting', 'open'])
    // Calls of the paths the hello lists go over the connection too.
    expect(await c.$call('query', 'live', { n: 1 })).toBe('live over the stream')
    expect(server.seen.frames.map((f) => f.frame.type)).toEqual(['subscribe', 'call'])
    const gone = server.next('gone')
    subscription.unsubscribe()
    await gone
  })

  it('keeps to Server-Sent Events once fallen back, and tries the WebSocket again on $reconnect()', async () => {
    const { client: c } = client({ WebSocket: ws })
    const sub = subscriber()
    let open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    open = sub.next((s) => s.status === 'open')
    server.closeStreams(1012)
    await open
    expect(server.seen.upgrades).toBe(1) // the reconnect went over SSE
    expect(server.seen.gets).toHaveLength(2)
    const upgrade = server.next('upgrade')
    open = sub.next((s) => s.status === 'open')
    c.$reconnect()
    await upgrade
    await open
    expect(server.seen.upgrades).toBe(2)
    expect(server.seen.gets).toHaveLength(3)
    subscription.unsubscribe()
  })
})

describe('a single transport', () => {
  it("'websocket' never uses Server-Sent Events", async () => {
    const { client: c } = client({ WebSocket: ws, transport: 'websocket' })
    vi.spyOn(Math, 'random').mockReturnValue(0) // no backoff wait between attempts
    const upgrades = new Promise<void>((resolve) => server.events.on('upgrade', () => server.seen.upgrades >= 3 && resolve()))
    const subscription = c.$subscribe('ticker', {}, subscriber().handlers)
    await upgrades
    subscription.unsubscribe()
    expect(server.seen.gets).toEqual([])
  })

  it("'sse' never opens a WebSocket", async () => {
    FakeSocket.made = []
    const { client: c, statuses } = client({ WebSocket: FakeSocket.Class, transport: 'sse' })
    const sub = subscriber()
    const open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    expect(statuses).toEqual(['connecting', 'open'])
    expect(FakeSocket.made).toEqual([])
    expect(server.seen.upgrades).toBe(0)
    subscription.unsubscribe()
  })

  it('refuses an unknown transport', () => {
    expect(() => createClient({ url: server.url, transport: 'xhr' as never })).toThrow(/'auto', 'websocket' or 'sse'/)
  })
})

describe('the Server-Sent Events connection', () => {
  it('reconnects and resubscribes when a POST finds its session unknown (404)', async () => {
    const { client: c, statuses } = client({ transport: 'sse' })
    const sub = subscriber()
    let open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    open = sub.next((s) => s.status === 'open')
    server.refusePosts.push(404)
    await expect(c.$call('query', 'live', { n: 1 })).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
    await open
    expect(sub.statuses.at(-1)).toEqual({ status: 'open', resumed: false })
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
    const joins = server.seen.frames.filter((f) => f.frame.type === 'subscribe')
    expect(joins.map((f) => f.session)).toEqual(['secret-1', 'secret-2'])
    subscription.unsubscribe()
  })

  it('sends a subscription\'s leaving while another keeps the stream open', async () => {
    const { client: c } = client({ transport: 'sse' })
    const first = subscriber()
    const second = subscriber()
    const open = Promise.all([first.next((s) => s.status === 'open'), second.next((s) => s.status === 'open')])
    const a = c.$subscribe('ticker', {}, first.handlers)
    const b = c.$subscribe('chat', { room: 'r' }, second.handlers)
    await open
    const left = server.next<{ type: string }>('frame', (frame) => frame.type === 'unsubscribe')
    a.unsubscribe()
    const [joinA] = server.seen.frames.filter((f) => f.frame.type === 'subscribe').map((f) => f.frame.id)
    expect(await left).toEqual({ type: 'unsubscribe', id: joinA })
    expect(server.streams.size).toBe(1)
    const gone = server.next('gone')
    b.unsubscribe()
    await gone
  })

  it('reconnects at once on `event: close` 1012', async () => {
    const delays: number[] = []
    const realSetTimeout = globalThis.setTimeout
    vi.spyOn(Math, 'random').mockReturnValue(1) // a backoff would wait its full 250 ms
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0)
      return realSetTimeout(fn, ms)
    }) as typeof setTimeout)
    const { client: c } = client({ transport: 'sse' })
    const sub = subscriber()
    let open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    delays.length = 0
    open = sub.next((s) => s.status === 'open')
    server.closeStreams(1012)
    await open
    // With the jitter at its top, a backoff after a hello would be exactly 250 ms.
    expect(delays).toContain(0)
    expect(delays).not.toContain(250)
    subscription.unsubscribe()
  })

  it('fetches a new ticket when one is refused (401), sending it in a header, never in the URL', async () => {
    await server.close()
    server = await startEventsServer({ tickets: (ticket) => ticket === 't2' })
    const { client: c, statuses } = client({ transport: 'sse', tickets: true })
    const sub = subscriber()
    const open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    expect(server.seen.gets.map((g) => g.headers['x-mizan-ticket'])).toEqual(['t1', 't2'])
    expect(server.seen.gets.map((g) => g.url)).toEqual(['/api/mizan/_events', '/api/mizan/_events'])
    expect(server.seen.gets[1]!.headers.authorization).toBe('Bearer alice')
    expect(statuses).toEqual(['connecting', 'reconnecting', 'open'])
    subscription.unsubscribe()
  })

  it('leaves no timer and no open request once the last subscription leaves', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
    const before = timers()
    const { client: c, statuses } = client({ transport: 'sse' })
    const sub = subscriber()
    const open = sub.next((s) => s.status === 'open')
    const subscription = c.$subscribe('ticker', {}, sub.handlers)
    await open
    const gone = server.next('gone')
    subscription.unsubscribe()
    await gone
    expect(server.streams.size).toBe(0)
    expect(statuses.at(-1)).toBe('closed')
    expect(timers()).toBeLessThanOrEqual(before)
  })
})

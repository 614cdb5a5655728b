import { createMizanServer } from '@mizan/server'
import type { ClientOptions, SocketStatus } from '@mizan/client'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realtimeRouter, startRealtime } from './app.js'

// `live` and `fails` declare `websocket: true`; `posts.list` does not.
let app: Awaited<ReturnType<typeof startRealtime>>
beforeAll(async () => {
  app = await startRealtime()
})
afterAll(() => app.server.close())

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value))

describe('the x-mizan-websocket header', () => {
  it('names the path of a single call of a websocket procedure, whether it succeeds or fails', async () => {
    const ok = await fetch(`${app.url}/live?input=${input({ n: 1 })}`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-mizan-websocket')).toBe('live')
    const failed = await fetch(`${app.url}/fails`)
    expect(failed.status).toBe(409)
    expect(failed.headers.get('x-mizan-websocket')).toBe('fails')
  })

  it('is absent from replies to other procedures', async () => {
    const res = await fetch(`${app.url}/posts.list`)
    expect(res.status).toBe(200)
    expect(res.headers.has('x-mizan-websocket')).toBe(false)
    const batch = await fetch(`${app.url}/posts.list,posts.mine?batch=1`)
    expect(batch.status).toBe(200)
    expect(batch.headers.has('x-mizan-websocket')).toBe(false)
  })

  it('lists the websocket procedures among a batch’s calls, once each, as an array and as lines', async () => {
    const url = `${app.url}/live,posts.list,fails,live?batch=1&input=${input([{ input: { n: 1 } }, {}, {}, { input: { n: 2 } }])}`
    const array = await fetch(url)
    expect(array.status).toBe(200)
    expect(array.headers.get('x-mizan-websocket')).toBe('live,fails')
    const lines = await fetch(url, { headers: { accept: 'application/x-ndjson' } })
    expect(lines.headers.get('content-type')).toContain('application/x-ndjson')
    expect(lines.headers.get('x-mizan-websocket')).toBe('live,fails')
    await lines.text()
  })

  it('is exposed to cross-origin readers with the invalidation header', async () => {
    const server = createMizanServer({ router: realtimeRouter, createContext: () => ({ user: null }), cors: { origin: ['http://app.example'] }, onError: () => {} })
    const { url } = await server.listen(0, '127.0.0.1')
    try {
      const res = await fetch(`${url}/live?input=${input({ n: 1 })}`, { headers: { origin: 'http://app.example' } })
      expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example')
      const exposed = res.headers.get('access-control-expose-headers')!.split(',').map((name) => name.trim().toLowerCase())
      expect(exposed).toEqual(expect.arrayContaining(['x-mizan-invalidate', 'x-mizan-websocket']))
      expect(res.headers.get('x-mizan-websocket')).toBe('live')
    } finally {
      await server.close()
    }
  })
})

/** A client of `target` whose HTTP requests and WebSocket constructions are counted, with its socket statuses. */
function watched(target: Awaited<ReturnType<typeof startRealtime>>, extra: Partial<ClientOptions> = {}) {
  const counts = { requests: 0, sockets: 0 }
  class CountingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      counts.sockets++
    }
  }
  const client = target.client('alice', {
    WebSocket: CountingWebSocket as unknown as typeof globalThis.WebSocket,
    fetch: (url, init) => {
      counts.requests++
      return fetch(url, init)
    },
    ...extra,
  })
  const statuses: SocketStatus[] = []
  client.$on('status', (status) => statuses.push(status))
  /** Resolves at the next time the socket's status becomes `status`. */
  const next = (status: SocketStatus) =>
    new Promise<void>((resolve) => {
      const off = client.$on('status', (now) => {
        if (now !== status) return
        off()
        resolve()
      })
    })
  return { client, counts, statuses, next }
}

describe('websocket calls on demand', () => {
  it('calls over HTTP first, opens the socket by itself, then calls over it with no HTTP request', async () => {
    const { client, counts, statuses, next } = watched(app)
    const open = next('open')
    expect(await client.live.query({ n: 1 })).toBe(2)
    expect(counts.requests).toBe(1)
    await open
    expect(counts.sockets).toBe(1)
    expect(await client.live.query({ n: 21 })).toBe(42)
    await expect(client.fails.query()).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(counts.requests).toBe(1) // both over the socket
    expect(await client.posts.list.query()).toEqual(['a']) // not a websocket procedure: HTTP
    expect(counts.requests).toBe(2)
    expect(statuses).toEqual(['connecting', 'open']) // and it stays open, with no subscription
  })

  it('opens the socket from a batch’s reply when one of its calls is a websocket procedure', async () => {
    const { client, counts, next } = watched(app)
    const open = next('open')
    expect(await Promise.all([client.posts.list.query(), client.live.query({ n: 2 })])).toEqual([['a'], 4])
    expect(counts.requests).toBe(1)
    await open
    expect(await client.live.query({ n: 3 })).toBe(6)
    expect(counts.requests).toBe(1)
  })

  it('keeps the held socket: it stays open after a subscription ends', async () => {
    const { client, statuses, next } = watched(app)
    const open = next('open')
    await client.live.query({ n: 1 })
    await open
    const joined = new Promise<void>((resolve) => {
      const sub = client.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => s.status === 'open' && resolve(sub.unsubscribe()) })
    })
    await joined
    const before = statuses.length
    expect(await client.live.query({ n: 4 })).toBe(8) // an answer over the socket comes after the unsubscribe frame
    expect(statuses.slice(before)).toEqual([])
  })

  it('reconnects the held socket after a server restart, and calls go over it again', async () => {
    const first = await startRealtime()
    const { client, counts, statuses, next } = watched(first)
    let open = next('open')
    await client.live.query({ n: 1 })
    await open
    open = next('open')
    await first.server.close() // tells the client to reconnect (1012)
    const second = await startRealtime({ port: first.port })
    try {
      await open
      expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
      expect(await client.live.query({ n: 5 })).toBe(10)
      expect(counts.requests).toBe(1)
    } finally {
      await second.server.close()
    }
  })

  it('with websocketCalls: false, calls every time over HTTP and never opens the socket', async () => {
    const off = watched(app, { websocketCalls: false })
    // A client with the default, making the same calls at the same time, shows by its socket opening
    // that the off client had every chance to open its own.
    const on = watched(app)
    const onOpen = on.next('open')
    await Promise.all([off.client.live.query({ n: 1 }), on.client.live.query({ n: 1 })])
    await onOpen
    expect(await off.client.live.query({ n: 2 })).toBe(4)
    expect(await off.client.live.query({ n: 3 })).toBe(6)
    expect(off.counts).toEqual({ requests: 3, sockets: 0 })
    expect(off.statuses).toEqual([])
  })

  it('keeps a WebSocket-only client without any WebSocket working over HTTP', async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined() // Node 20 has none
    // Under the default `transport: 'auto'` such a client would hold an event stream instead.
    const { client, counts, statuses } = watched(app, { WebSocket: undefined, transport: 'websocket' })
    expect(await client.live.query({ n: 1 })).toBe(2)
    expect(await client.live.query({ n: 2 })).toBe(4)
    await expect(client.fails.query()).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(counts).toEqual({ requests: 3, sockets: 0 })
    expect(statuses).toEqual([])
  })
})

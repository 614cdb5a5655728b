import { randomBytes } from 'node:crypto'
import { createMizanServer, createTicketIssuer, memoryReplayStore } from '@mizan/server'
import { createClient } from '@mizan/client'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realtimeRouter, until, type RealtimeRouter } from './app.js'

/** A server whose sockets require tickets; createContext reads the user from a header, or from the ticket. */
async function ticketServer(secret: Uint8Array) {
  const seen: (string | null)[] = []
  const server = createMizanServer({
    router: realtimeRouter,
    createContext: ({ req, ticket, transport }) => {
      const name = transport === 'ws' ? (ticket?.sub ?? null) : (req.headers.get('authorization')?.slice(7) ?? null)
      if (transport === 'ws') seen.push(name)
      return { user: name ? { id: name, name } : null }
    },
    websocket: { tickets: createTicketIssuer({ secret }) },
    onError: () => {},
  })
  const { url, port } = await server.listen(0, '127.0.0.1')
  return { server, url, port, seen }
}

let app: Awaited<ReturnType<typeof ticketServer>>
beforeAll(async () => {
  app = await ticketServer(randomBytes(32))
})
afterAll(() => app.server.close())

const client = (url: string, as: string, extra: { wsUrl?: string } = {}) =>
  createClient<RealtimeRouter>({ url, tickets: true, headers: { authorization: `Bearer ${as}` }, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, ...extra })

async function rawSocket(port: number) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
  await new Promise((resolve) => socket.once('open', resolve))
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
  return { socket, closed }
}

async function mint(as: string): Promise<string> {
  const res = await fetch(`${app.url}/_session`, { method: 'POST', headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' } })
  expect(res.headers.get('cache-control')).toBe('no-store')
  return ((await res.json()) as { ticket: string }).ticket
}

describe('socket tickets', () => {
  it('lets a client in with a fresh ticket; the context knows who from the ticket', async () => {
    const alice = client(app.url, 'alice')
    const errors: string[] = []
    let open = false
    const sub = alice.chat.subscribe({ room: 't' }, { onMessage: () => {}, onError: (e) => errors.push(e.code), onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    expect(errors).toEqual([]) // chat authorizes signed-in users only
    expect(app.seen.at(-1)).toBe('alice')
    sub.unsubscribe()
  })

  it('refuses a socket without a ticket, with a replayed ticket, or a forged one (4401)', async () => {
    const none = await rawSocket(app.port)
    none.socket.send(JSON.stringify({ type: 'subscribe', id: 's', path: 'ticker', params: {} }))
    expect(await none.closed).toBe(1008)

    const ticket = await mint('alice')
    const first = await rawSocket(app.port)
    first.socket.send(JSON.stringify({ type: 'auth', ticket }))
    await new Promise((resolve) => first.socket.once('message', resolve)) // hello: accepted
    const replay = await rawSocket(app.port)
    replay.socket.send(JSON.stringify({ type: 'auth', ticket }))
    expect(await replay.closed).toBe(4401)
    first.socket.close()

    const forged = await rawSocket(app.port)
    const [header, payload] = (await mint('alice')).split('.')
    forged.socket.send(JSON.stringify({ type: 'auth', ticket: `${header}.${payload}.${'A'.repeat(43)}` }))
    expect(await forged.closed).toBe(4401)
  })

  it('answers a wrong _session request with its documented error', async () => {
    expect((await fetch(`${app.url}/_session`)).status).toBe(405)
    expect((await fetch(`${app.url}/_session`, { method: 'POST' })).status).toBe(415)
  })

  it('stops after repeated refusals instead of retrying forever, and says why', async () => {
    const other = await ticketServer(randomBytes(32)) // its own secret: tickets from `app` mean nothing there
    const stubborn = client(app.url, 'alice', { wsUrl: `ws://127.0.0.1:${other.port}/api/mizan/_ws` })
    const errors: string[] = []
    const statuses: string[] = []
    stubborn.$on('status', (s) => statuses.push(s))
    stubborn.chat.subscribe({ room: 'x' }, { onMessage: () => {}, onError: (e) => errors.push(e.code) })
    await until(() => errors.length === 1)
    expect(errors).toEqual(['UNAUTHORIZED'])
    expect(statuses.at(-1)).toBe('closed')
    await other.server.close()
  })
})

describe('frames before the hello', () => {
  it('are answered, in order, once the connection is ready', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws`)
    await new Promise((resolve) => socket.once('open', resolve))
    const frames: { type: string; id?: string; result?: { data?: unknown } }[] = []
    socket.on('message', (data) => frames.push(JSON.parse(String(data))))
    // The ticket, then a call at once: the server is still verifying the ticket when the call lands.
    socket.send(JSON.stringify({ type: 'auth', ticket: await mint('alice') }))
    socket.send(JSON.stringify({ type: 'call', id: '1', path: 'live', input: { n: 4 } }))
    await until(() => frames.some((f) => f.type === 'result'))
    expect(frames.map((f) => f.type)).toEqual(['hello', 'result'])
    expect(frames[1]!.result!.data).toBe(8)
    socket.close()
  })
})

/** A server requiring tickets from `issuer`, and how a socket fares with a fresh ticket of `sub`. */
async function storeServer(issuer: ReturnType<typeof createTicketIssuer>) {
  const errors: unknown[] = []
  const server = createMizanServer({
    router: realtimeRouter,
    createContext: ({ ticket }) => ({ user: ticket?.sub ? { id: ticket.sub, name: ticket.sub } : null }),
    websocket: { tickets: issuer },
    onError: ({ error }) => errors.push(error),
  })
  const { port } = await server.listen(0, '127.0.0.1')
  /** Opens a socket with a fresh ticket; resolves with 'hello' once let in, or the close code and reason. */
  const enter = async (sub: string | null) => {
    const { socket, closed } = await rawSocket(port)
    socket.send(JSON.stringify({ type: 'auth', ticket: await issuer.mint({ sub }) }))
    const reason = new Promise<string>((resolve) => socket.once('close', (_, why) => resolve(String(why))))
    return Promise.race([
      new Promise<string>((resolve) => socket.once('message', () => resolve('hello'))),
      closed.then(async (code) => `${code} ${await reason}`),
    ]).finally(() => socket.close())
  }
  return { server, errors, enter }
}

const BUSY = '1013 ticket store unavailable: try again later'

describe('a ticket replay store under a flood', () => {
  it('never refuses a valid ticket silently: a full store closes with 1013 (try again later) and reports it', async () => {
    const issuer = createTicketIssuer({ secret: randomBytes(32), replayStore: memoryReplayStore({ maxEntries: 2, maxEntriesPerPrincipal: 2 }) })
    const { server, errors, enter } = await storeServer(issuer)
    try {
      expect(await enter('alice')).toBe('hello')
      expect(await enter('bob')).toBe('hello')
      expect(await enter('carol')).toBe(BUSY) // not 4401 (her ticket is fine), not 1008
      expect(errors).toHaveLength(1)
      expect(String(errors[0])).toMatch(/memoryReplayStore is full/)
    } finally {
      await server.close()
    }
  })

  it('lets signed-in users in while anonymous tickets fill their share', async () => {
    const issuer = createTicketIssuer({ secret: randomBytes(32), replayStore: memoryReplayStore({ maxEntries: 4 }) })
    const { server, errors, enter } = await storeServer(issuer)
    try {
      // Anonymous tickets may hold half of the store (2 of 4): a flood of them fills only that.
      expect(await enter(null)).toBe('hello')
      expect(await enter(null)).toBe('hello')
      expect(await enter(null)).toBe(BUSY)
      expect(await enter(null)).toBe(BUSY)
      expect(errors).toHaveLength(2)
      expect(await enter('alice')).toBe('hello')
    } finally {
      await server.close()
    }
  })
})

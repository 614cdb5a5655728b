import { randomBytes } from 'node:crypto'
import { createServer, request, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { createBearerAuth, createMizanServer, createTicketIssuer, initMizan } from '@mizan/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

// Every import of these four, from Mizan's code in this file's module graph, is recorded: a server
// must import each only once something needs it (a cold start pays for nothing it does not use).
const loaded = vi.hoisted(() => new Set<string>())
vi.mock('superjson', async (importOriginal) => {
  loaded.add('superjson')
  return importOriginal()
})
vi.mock('ws', async (importOriginal) => {
  loaded.add('ws')
  return importOriginal()
})
vi.mock('jose', async (importOriginal) => {
  loaded.add('jose')
  return importOriginal()
})
vi.mock('busboy', async (importOriginal) => {
  loaded.add('busboy')
  return importOriginal()
})

const m = initMizan()
const router = m.router({
  greet: m.query({ input: z.object({ name: z.string() }) }, ({ input }) => ({ message: `hello ${input.name}` })),
  // Reports what it received, so a test sees whether `meta` turned the input back into a Date.
  describe: m.query({ input: z.unknown() }, ({ input }) => ({ isDate: input instanceof Date, text: String(input instanceof Date ? input.toISOString() : input) })),
  at: m.query({ input: z.object({ ms: z.number() }) }, ({ input }) => new Date(input.ms)),
  save: m.mutation({ input: z.object({ name: z.string() }), affects: ['greet'] }, ({ input, invalidate }) => {
    invalidate('greet', input)
    return { saved: input.name }
  }),
  upload: m.mutation({ input: z.object({ doc: z.file() }) }, async ({ input }) => input.doc.text()),
  stamp: m.mutation({ input: z.object({ ms: z.number() }), affects: ['describe'] }, ({ input, invalidate }) => {
    invalidate('describe', new Date(input.ms))
    return null
  }),
})
// Served over the socket too: a server of this router loads ws as soon as it listens (see below).
const socketRouter = m.router({ echo: m.query({ websocket: true, input: z.object({ n: z.number() }) }, ({ input }) => input) })

const closers: (() => unknown)[] = []
afterEach(async () => {
  // Last opened, first closed: a socket goes before the server that would wait for it.
  for (const close of closers.splice(0).reverse()) await close()
})

/** A fresh server (so its transformer has loaded nothing yet), listening on a free port. */
async function serve(options: { onError?: (event: { error: unknown }) => void } = {}) {
  const server = createMizanServer({ router, onError: options.onError ?? (() => {}) })
  const { url } = await server.listen(0, '127.0.0.1')
  closers.push(() => server.close())
  return { server, url }
}

const get = (url: string) => fetch(url).then(async (res) => ({ status: res.status, body: await res.text(), invalidate: res.headers.get('x-mizan-invalidate') }))
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (res) => ({
    status: res.status,
    body: await res.text(),
    invalidate: res.headers.get('x-mizan-invalidate'),
  }))
const input = (value: unknown) => encodeURIComponent(JSON.stringify(value))

describe('a server imports ws, jose, superjson and busboy only when it uses them', () => {
  // First in the file: nothing has asked for any of them yet.
  it('serves JSON queries, mutations and their invalidations without importing any of them', async () => {
    const { url } = await serve()
    expect(await get(`${url}/greet?input=${input({ name: 'ada' })}`)).toMatchObject({ status: 200, body: '{"data":{"message":"hello ada"}}' })
    const saved = await post(`${url}/save`, { input: { name: 'ada' } })
    expect(saved).toMatchObject({ status: 200, body: '{"data":{"saved":"ada"}}' })
    expect(saved.invalidate).toContain('greet')
    expect(await get(`${url}/greet,greet?batch=1&input=${input([{ input: { name: 'a' } }, { input: { name: 'b' } }])}`)).toMatchObject({ status: 200 })
    expect([...loaded]).toEqual([])
  })

  it('serves a router that takes uploads without importing busboy, and imports it with the first upload', async () => {
    const { url } = await serve()
    expect(await post(`${url}/save`, { input: { name: 'ada' } })).toMatchObject({ status: 200 })
    expect(loaded.has('busboy')).toBe(false)
    const body = new FormData()
    body.set('input.doc', new File(['bytes'], 'd.txt'))
    const res = await fetch(`${url}/upload`, { method: 'POST', body, headers: { 'x-mizan-upload': '1' } })
    expect(await res.json()).toEqual({ data: 'bytes' })
    expect(loaded.has('busboy')).toBe(true)
  })

  it('makes a bearer auth and reads anonymous requests without importing jose', async () => {
    const bearer = createBearerAuth({ secret: randomBytes(32), algorithms: ['HS256'] })
    expect(await bearer({ headers: {} })).toBeNull()
    expect(await bearer(new Request('http://x.test', { headers: { authorization: 'Basic eDp5' } }))).toBeNull()
    expect(loaded.has('jose')).toBe(false)
  })

  it('makes a ticket issuer without importing jose, and imports it for the first ticket', async () => {
    const tickets = createTicketIssuer({ secret: randomBytes(32) })
    expect(loaded.has('jose')).toBe(false)
    const ticket = await tickets.mint({ sub: 'u1' })
    expect(loaded.has('jose')).toBe(true)
    expect(await tickets.verify(ticket)).toMatchObject({ sub: 'u1' })
  })

  it('answers the first Date it returns once superjson has loaded, and every call after it at once', async () => {
    const { url } = await serve()
    // Two calls racing for the same load both get the whole value.
    const [first, second] = await Promise.all([get(`${url}/at?input=${input({ ms: 0 })}`), get(`${url}/at?input=${input({ ms: 1000 })}`)])
    expect(first.status).toBe(200)
    expect(JSON.parse(first.body)).toMatchObject({ data: '1970-01-01T00:00:00.000Z', meta: { values: ['Date'] } })
    expect(JSON.parse(second.body)).toMatchObject({ data: '1970-01-01T00:00:01.000Z', meta: { values: ['Date'] } })
    expect(loaded.has('superjson')).toBe(true)
    expect(JSON.parse((await get(`${url}/at?input=${input({ ms: 2000 })}`)).body)).toMatchObject({ data: '1970-01-01T00:00:02.000Z', meta: { values: ['Date'] } })
  })

  it('reads a Date input on a fresh server: query string, body and batch', async () => {
    const { url } = await serve()
    const meta = encodeURIComponent(JSON.stringify({ values: ['Date'] }))
    const date = { isDate: true, text: '2026-01-02T03:04:05.000Z' }
    expect(JSON.parse((await get(`${url}/describe?input=${input('2026-01-02T03:04:05.000Z')}&meta=${meta}`)).body)).toEqual({ data: date })
    const fresh = await serve()
    expect(JSON.parse((await post(`${fresh.url}/describe`, { input: '2026-01-02T03:04:05.000Z', meta: { values: ['Date'] } })).body)).toEqual({ data: date })
    const batched = await serve()
    const reply = await post(`${batched.url}/describe,greet?batch=1`, [{ input: '2026-01-02T03:04:05.000Z', meta: { values: ['Date'] } }, { input: { name: 'b' } }])
    expect(JSON.parse(reply.body)).toEqual([{ data: date }, { data: { message: 'hello b' } }])
  })

  it('sends an invalidation whose input is a Date on a fresh server', async () => {
    const { url } = await serve()
    const reply = await post(`${url}/stamp`, { input: { ms: 0 } })
    expect(reply).toMatchObject({ status: 200, body: '{"data":null}' })
    expect(JSON.parse(decodeURIComponent(reply.invalidate!))).toContainEqual({ path: 'describe', input: '1970-01-01T00:00:00.000Z', meta: expect.objectContaining({ values: ['Date'] }) })
  })

  it('refuses bad meta with a 400 even before superjson has loaded', async () => {
    const { url } = await serve()
    const reply = await get(`${url}/describe?input=${input('x')}&meta=${encodeURIComponent(JSON.stringify({ values: 'Date' }))}`)
    expect(reply.status).toBe(400)
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'BAD_REQUEST' } })
  })
})

describe('the WebSocket server', () => {
  it('imports ws with the first upgrade of a server that listens on its own, and that socket works', async () => {
    // The server listens on an HTTP server of the app's own: nothing loads ws before a socket comes.
    const mizan = createMizanServer({ router: socketRouter, onError: () => {} })
    closers.push(() => mizan.close())
    const http = createServer(mizan.nodeHandler)
    http.on('upgrade', (req, socket, head) => mizan.handleUpgrade(req, socket, head) || socket.destroy())
    const port = await listen(http)
    closers.push(() => new Promise((resolve) => http.close(resolve)))
    expect(loaded.has('ws')).toBe(false)
    const { socket, firstFrame } = await upgrade(port)
    closers.push(() => socket.destroy())
    expect(loaded.has('ws')).toBe(true)
    expect(JSON.parse(await firstFrame)).toMatchObject({ type: 'hello', websocket: ['echo'] })
  })

  it('is loaded just after listening by a server that serves procedures over the socket, before any socket comes', async () => {
    // A fresh copy of Mizan, which has loaded nothing yet.
    vi.resetModules()
    loaded.clear()
    vi.doMock('ws', async (importOriginal) => {
      loaded.add('ws')
      return importOriginal()
    })
    const fresh = await import('@mizan/server')
    const mizan = fresh.createMizanServer({ router: socketRouter, onError: () => {} })
    closers.push(() => mizan.close())
    const { port } = await mizan.listen(0, '127.0.0.1')
    await vi.waitFor(() => expect(loaded.has('ws')).toBe(true))
    const { socket, firstFrame } = await upgrade(port)
    closers.push(() => socket.destroy())
    expect(JSON.parse(await firstFrame)).toMatchObject({ type: 'hello', websocket: ['echo'] })
  })
})

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))
}

/**
 * A WebSocket handshake by hand (this file must not import `ws` itself): resolves once the server
 * answered 101, with the socket and the first frame it sent (an unmasked text frame under 126 bytes).
 */
function upgrade(port: number): Promise<{ socket: Socket; firstFrame: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/api/mizan/_ws',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    })
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      if (res.statusCode !== 101) return reject(new Error(`status ${res.statusCode}`))
      resolve({ socket, firstFrame: firstTextFrame(socket, head) })
    })
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)))
    req.on('error', reject)
    req.end()
  })
}

/** The payload of the first frame: bytes that came with the 101 (`head`), then the socket's data. */
function firstTextFrame(socket: Socket, head: Buffer): Promise<string> {
  return new Promise((resolve) => {
    let received = head
    const take = () => {
      const length = (received[1] ?? 0) & 0x7f
      if (received.length >= 2 && received.length >= 2 + length) resolve(received.subarray(2, 2 + length).toString('utf8'))
    }
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      take()
    })
    take()
  })
}

import { createClient, isMizanError, MizanClientError } from '@mizan/client'
import { initMizan } from '@mizan/server'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

// Only the router's type is used: the server below is a stand-in that answers the way a Mizan
// server over its rate limit does.
const m = initMizan()
const router = m.router({
  limited: m.query(() => 'never'),
  proxied: m.query(() => 'never'),
  both: m.query(() => 'never'),
  dated: m.query(() => 'never'),
  ok: m.query(() => 'never'),
  missing: m.query(() => 'never'),
  busy: m.mutation(() => 'never'),
  framed: m.query(() => 'never'),
  feed: m.channel({ params: z.object({}), message: z.number() }),
})

const limited = (retryAfter?: number) => ({
  error: { code: 'TOO_MANY_REQUESTS', status: 429, message: 'Too many calls; wait a moment', ...(retryAfter === undefined ? {} : { data: { retryAfter } }) },
})

/** What the stand-in answers for one call, alone or inside a batch. */
const ENTRIES: Record<string, object> = {
  limited: limited(7),
  both: limited(3),
  ok: { data: 'fine' },
  missing: { error: { code: 'NOT_FOUND', status: 404, message: 'No such thing' } },
}

const requests: string[] = []
let url: string
let wsUrl: string
const server = createServer((req, res) => {
  requests.push(`${req.method} ${req.url}`)
  const paths = new URL(req.url!, 'http://x').pathname.slice('/api/'.length).split(',')
  if (paths.length > 1) {
    // One request over the limit as a whole: one error for every call, and the header.
    if (paths.includes('busy')) return reply(res, 429, limited(5), { 'retry-after': '5' })
    // Inside a batch each entry carries its own data.retryAfter; the response's header is not theirs.
    return reply(res, 200, paths.map((path) => ENTRIES[path]), { 'retry-after': '60' })
  }
  switch (paths[0]) {
    case 'limited':
      return reply(res, 429, ENTRIES.limited!, { 'retry-after': '7' })
    case 'both':
      return reply(res, 429, ENTRIES.both!, { 'retry-after': '99' })
    case 'proxied': // a proxy's own limit: no Mizan body, only the header
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '12' })
      return res.end('Too Many Requests')
    case 'dated':
      return reply(res, 429, limited(), { 'retry-after': new Date(Date.now() + 30_000).toUTCString() })
    default:
      return reply(res, 404, ENTRIES.missing!, {})
  }
})

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

// Its WebSocket answers calls over the limit in both ways a reply may fail: a result entry, an error frame.
const sockets = new WebSocketServer({ server, path: '/api/_ws' })
sockets.on('connection', (socket) => {
  socket.send(JSON.stringify({ type: 'hello', connection: 'c1', websocket: ['limited', 'framed'] }))
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; id: string; path: string }
    if (frame.type === 'subscribe') socket.send(JSON.stringify({ type: 'subscribed', id: frame.id, affects: [] }))
    if (frame.type !== 'call') return
    if (frame.path === 'limited') socket.send(JSON.stringify({ type: 'result', id: frame.id, result: limited(4) }))
    else socket.send(JSON.stringify({ type: 'error', id: frame.id, error: limited(9).error }))
  })
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  url = `http://127.0.0.1:${port}/api`
  wsUrl = `ws://127.0.0.1:${port}/api/_ws`
})
afterAll(() => {
  sockets.close()
  server.close()
})

const client = () => createClient<typeof router>({ url, transformer: 'json', WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, wsUrl })

async function failure(call: Promise<unknown>): Promise<MizanClientError> {
  const error = await call.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MizanClientError)
  return error as MizanClientError
}

describe('a call over its rate limit', () => {
  it('fails with TOO_MANY_REQUESTS, 429 and retryAfter in seconds, and is not retried', async () => {
    requests.length = 0
    const error = await failure(client().limited.query())
    expect(isMizanError(error, 'TOO_MANY_REQUESTS')).toBe(true)
    expect(error).toMatchObject({ status: 429, retryAfter: 7, message: 'Too many calls; wait a moment' })
    expect(requests).toHaveLength(1)
  })

  it('takes data.retryAfter over the Retry-After header', async () => {
    expect((await failure(client().both.query())).retryAfter).toBe(3)
  })

  it('takes the Retry-After header when the body has no data.retryAfter (a proxy’s 429)', async () => {
    const error = await failure(client().proxied.query())
    expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfter: 12 })
  })

  it('reads a Retry-After date as seconds from now', async () => {
    const { retryAfter } = await failure(client().dated.query())
    expect(retryAfter).toBeGreaterThanOrEqual(28)
    expect(retryAfter).toBeLessThanOrEqual(30)
  })

  it('inside a batch: each entry has its own retryAfter, the neighbours are answered, and the response header is no entry’s', async () => {
    requests.length = 0
    const api = client()
    const [over, fine, missing] = await Promise.allSettled([api.limited.query(), api.ok.query(), api.missing.query()])
    expect(requests).toHaveLength(1)
    expect((over as PromiseRejectedResult).reason).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfter: 7 })
    expect(fine).toEqual({ status: 'fulfilled', value: 'fine' })
    const notFound = (missing as PromiseRejectedResult).reason as MizanClientError
    expect(notFound.code).toBe('NOT_FOUND')
    expect(notFound.retryAfter).toBeUndefined()
  })

  it('a batch refused as a whole gives every call the response’s retryAfter', async () => {
    const api = client()
    const results = await Promise.allSettled([api.busy.mutate(), api.busy.mutate()])
    for (const result of results) expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfter: 5 })
  })

  it('over the WebSocket, from data.retryAfter of a result or an error frame', async () => {
    const api = client()
    let open = false
    const feed = api.feed.subscribe({}, { onMessage: () => {}, onStatus: (s) => (open ||= s.status === 'open') })
    while (!open) await new Promise((resolve) => setImmediate(resolve))
    requests.length = 0
    const [result, frame] = await Promise.all([failure(api.limited.query()), failure(api.framed.query())])
    expect(requests).toHaveLength(0) // both went over the socket
    expect(result).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfter: 4 })
    expect(frame).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfter: 9 })
    feed.unsubscribe()
  })

  it('has no retryAfter when the server named no delay', async () => {
    const error = await failure(client().missing.query())
    expect(error.code).toBe('NOT_FOUND')
    expect('retryAfter' in error).toBe(false)
  })
})

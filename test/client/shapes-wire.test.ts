import { createClient, isMizanError, MizanClientError } from '@mizan/client'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ShapesRouter } from '../types/shapes-fixtures.js'
import { FakeSocket } from './fake-socket.js'
import { fakeFetch, json, until, type Seen } from './files-support.js'
import { watchUnhandled } from './unhandled.js'

// How a call's shape travels, on every transport: a GET parameter after the input, a field of the
// POST body and of each batch envelope, a field of the WebSocket call frame. An unshaped call is
// sent exactly as before shapes. The server's answers are faked: only what the client sends is
// under test here.

const url = 'http://shapes.test/api/mizan'

/** Answers a single call with `{ data: path }`, a batch with one such entry per call. */
function answerByPath(request: Seen): Response {
  const paths = new URL(request.url).pathname.split('/').pop()!.split(',')
  return paths.length === 1 ? json({ data: paths[0] }) : json(paths.map((path) => ({ data: path })))
}

/**
 * The calls of a request as the server reads them: the envelopes of a batch (`?input=[…]` or the
 * POST body), or one envelope for a single call (its GET parameters, or its POST body).
 */
function envelopesOf(request: Seen): unknown[] {
  const target = new URL(request.url)
  const batch = target.pathname.includes(',')
  if (request.method === 'POST') return batch ? (JSON.parse(String(request.body)) as unknown[]) : [JSON.parse(String(request.body))]
  if (batch) return JSON.parse(target.searchParams.get('input')!) as unknown[]
  const envelope: Record<string, unknown> = {}
  for (const [name, value] of target.searchParams) envelope[name] = JSON.parse(value)
  return [envelope]
}

describe('a single query (no batching)', () => {
  it('sends a named shape as `shape=` after the input, URL-encoded JSON', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, batch: false })
    await client.posts.list.query({ page: 1 }, { shape: 'card' })
    expect(seen[0]!.method).toBe('GET')
    expect(seen[0]!.url).toBe(`${url}/posts.list?input=${encodeURIComponent('{"page":1}')}&shape=%22card%22`)
  })

  it('sends a selection as its JSON, nested objects included', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, batch: false })
    const shape = { id: true, author: { name: true }, comments: { by: { email: true } } } as const
    await client.posts.list.query({ page: 2 }, { shape })
    const params = new URL(seen[0]!.url).searchParams
    expect([...params.keys()]).toEqual(['input', 'shape'])
    expect(JSON.parse(params.get('shape')!)).toEqual(shape)
    expect(seen[0]!.url).toBe(`${url}/posts.list?input=${encodeURIComponent('{"page":2}')}&shape=${encodeURIComponent(JSON.stringify(shape))}`)
  })

  it('sends `shape=` alone when the query has no input', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, batch: false })
    await client.posts.cards.query(undefined, { shape: 'card' })
    expect(seen[0]!.url).toBe(`${url}/posts.cards?shape=%22card%22`)
  })

  it('puts superjson’s meta between the input and the shape', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, batch: false })
    await client.posts.list.query({ page: 1, at: new Date(0) } as never, { shape: { id: true } })
    const params = new URL(seen[0]!.url).searchParams
    expect([...params.keys()]).toEqual(['input', 'meta', 'shape'])
    expect(JSON.parse(params.get('meta')!)).toEqual({ values: { at: ['Date'] }, v: 1 })
    expect(params.get('shape')).toBe('{"id":true}')
  })

  it('sends an unshaped query exactly as before: no `shape` anywhere', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, batch: false })
    await client.posts.list.query({ page: 1 })
    await client.posts.list.query({ page: 1 }, { signal: new AbortController().signal })
    await client.posts.cards.query()
    expect(seen.map((request) => request.url)).toEqual([`${url}/posts.list?input=${encodeURIComponent('{"page":1}')}`, `${url}/posts.list?input=${encodeURIComponent('{"page":1}')}`, `${url}/posts.cards`])
  })

  it('resolves to what the server answered', async () => {
    const { fetch } = fakeFetch(() => json({ data: [{ id: '1', title: 'T', author: { name: 'A' } }] }))
    const client = createClient<ShapesRouter>({ url, fetch, batch: false })
    expect(await client.posts.list.query({ page: 1 }, { shape: 'card' })).toEqual([{ id: '1', title: 'T', author: { name: 'A' } }])
  })
})

describe('a query too long for a URL goes by POST (batching on, as by default)', () => {
  it('with the shape in the body, after the input', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, maxURLLength: 60 })
    await client.posts.list.query({ page: 1 }, { shape: { id: true, title: true, author: { name: true } } })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.method).toBe('POST')
    expect(seen[0]!.url).toBe(`${url}/posts.list`)
    expect(seen[0]!.body).toBe('{"input":{"page":1},"shape":{"id":true,"title":true,"author":{"name":true}}}')
  })

  it('with the shape alone when there is no input; an unshaped body is as before', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, maxURLLength: 10 })
    await client.posts.cards.query(undefined, { shape: 'card' })
    await client.posts.list.query({ page: 1 })
    await client.posts.list.query({ page: 1, at: new Date(0) } as never, { shape: 'full' })
    expect(seen.map((request) => [request.method, request.body])).toEqual([
      ['POST', '{"shape":"card"}'],
      ['POST', '{"input":{"page":1}}'],
      ['POST', '{"input":{"page":1,"at":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"at":["Date"]},"v":1},"shape":"full"}'],
    ])
  })

  it('counts the shape in the URL length: the shape alone can send a query by POST', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const unshaped = `${url}/posts.list?input=${encodeURIComponent('{"page":1}')}`
    const client = createClient<ShapesRouter>({ url, fetch, maxURLLength: unshaped.length + 5 })
    await client.posts.list.query({ page: 1 })
    await client.posts.list.query({ page: 1 }, { shape: 'card' })
    expect(seen.map((request) => request.method)).toEqual(['GET', 'POST'])
  })
})

describe('a batch', () => {
  it('mixes shaped and unshaped queries in one GET: each envelope carries its own shape', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch })
    const results = await Promise.all([
      client.posts.list.query({ page: 1 }, { shape: 'card' }),
      client.posts.list.query({ page: 1 }),
      client.posts.byId.query({ id: '7' }, { shape: { title: true, editor: { name: true } } }),
      client.posts.cards.query(undefined, { shape: 'full' }),
      client.posts.cards.query(),
    ])
    expect(results).toEqual(['posts.list', 'posts.list', 'posts.byId', 'posts.cards', 'posts.cards'])
    expect(seen).toHaveLength(1)
    expect(seen[0]!.method).toBe('GET')
    expect(new URL(seen[0]!.url).pathname).toBe('/api/mizan/posts.list,posts.list,posts.byId,posts.cards,posts.cards')
    expect(new URL(seen[0]!.url).searchParams.get('input')).toBe(
      '[{"input":{"page":1},"shape":"card"},{"input":{"page":1}},{"input":{"id":"7"},"shape":{"title":true,"editor":{"name":true}}},{"shape":"full"},{}]',
    )
  })

  it('is split by URL length with the shapes counted, and every call keeps its shape', async () => {
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, maxURLLength: 200 })
    const shape = { id: true, title: true, body: true, author: { name: true, email: true } } as const
    const calls = [1, 2, 3, 4].map((page) => client.posts.list.query({ page }, { shape }))
    calls.push(client.posts.list.query({ page: 5 }))
    await Promise.all(calls)
    expect(seen.length).toBeGreaterThan(1)
    for (const request of seen) {
      expect(request.method).toBe('GET')
      expect(request.url.length).toBeLessThanOrEqual(200)
    }
    const envelopes = seen.flatMap(envelopesOf)
    expect(envelopes).toEqual([...[1, 2, 3, 4].map((page) => ({ input: { page }, shape })), { input: { page: 5 } }])
  })

  it('of POST calls carries `shape` in the envelope of the call that has one', async () => {
    // Mutations take no shape (the types refuse one, the server too); through the untyped door
    // the shape still travels, so the server is the one to say no.
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch })
    await Promise.all([client.$call('mutation', 'posts.create', { title: 'a' }, { shape: { id: true } }), client.posts.create.mutate({ title: 'b' })])
    expect(seen).toHaveLength(1)
    expect(seen[0]!.method).toBe('POST')
    expect(seen[0]!.body).toBe('[{"input":{"title":"a"},"shape":{"id":true}},{"input":{"title":"b"}}]')
  })
})

describe('a shape JSON cannot write', () => {
  function cyclic(): Record<string, unknown> {
    const shape: Record<string, unknown> = { id: true }
    shape.self = shape
    return shape
  }

  for (const [what, shape] of [
    ['a circular selection', cyclic],
    ['a function', () => () => true],
  ] as const) {
    it(`fails only its call (${what}), unsent; its batch neighbours are answered`, async () => {
      const unhandled = watchUnhandled()
      const { fetch, seen } = fakeFetch(answerByPath)
      const client = createClient<ShapesRouter>({ url, fetch })
      const results = await Promise.allSettled([client.posts.list.query({ page: 1 }, { shape: shape() } as never), client.posts.list.query({ page: 2 }, { shape: 'card' })])
      const error = (results[0] as PromiseRejectedResult).reason as MizanClientError
      expect(error).toBeInstanceOf(MizanClientError)
      expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 0, path: 'posts.list' })
      expect(error.message).toContain('The shape of posts.list could not be encoded')
      expect(results[1]).toEqual({ status: 'fulfilled', value: 'posts.list' })
      expect(seen).toHaveLength(1)
      expect(envelopesOf(seen[0]!)).toEqual([{ input: { page: 2 }, shape: 'card' }])
      expect(await unhandled.stop()).toEqual([])
    })
  }
})

describe('over the WebSocket', () => {
  /** A client whose fake socket is open and serves `paths`. */
  async function openSocket(paths: string[]) {
    FakeSocket.made = []
    const { fetch, seen } = fakeFetch(answerByPath)
    const client = createClient<ShapesRouter>({ url, fetch, WebSocket: FakeSocket.Class, transformer: 'json' })
    let open = false
    // Any subscription opens the socket; the fake server confirms it.
    const feed = client.$subscribe('feed', {}, { onMessage: () => {}, onStatus: (status) => (open ||= status.status === 'open') })
    await until(() => FakeSocket.made.length === 1)
    const socket = FakeSocket.made[0]!
    socket.accept()
    socket.receive(JSON.stringify({ type: 'hello', connection: 'c', websocket: paths }))
    await until(() => socket.frames().some((frame) => frame.type === 'subscribe'))
    socket.receive(JSON.stringify({ type: 'subscribed', id: socket.frames().find((frame) => frame.type === 'subscribe')!.id }))
    await until(() => open)
    return { client, socket, seen, feed }
  }

  /** Answers every call frame the socket has not answered yet. */
  function answerCalls(socket: FakeSocket, answered: Set<string>) {
    for (const frame of socket.frames()) {
      if (frame.type !== 'call' || answered.has(frame.id)) continue
      answered.add(frame.id)
      socket.receive(JSON.stringify({ type: 'result', id: frame.id, result: { data: frame.path } }))
    }
  }

  it('sends the shape in the call frame; an unshaped frame is as before', async () => {
    const { client, socket, seen, feed } = await openSocket(['posts.list', 'posts.cards'])
    const answered = new Set<string>()
    const calls = [
      client.posts.list.query({ page: 1 }, { shape: { id: true, author: { name: true } } }),
      client.posts.list.query({ page: 1 }),
      client.posts.cards.query(undefined, { shape: 'card' }),
    ]
    await until(() => socket.frames().filter((frame) => frame.type === 'call').length === 3)
    answerCalls(socket, answered)
    expect(await Promise.all(calls)).toEqual(['posts.list', 'posts.list', 'posts.cards'])
    expect(seen).toHaveLength(0) // every call went over the socket
    const frames = socket.sent
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter((frame) => frame.type === 'call')
      .sort((a, b) => Number(a.id) - Number(b.id)) // ids follow the calls; frames go as their inputs are written
    expect(frames.map(({ id: _id, ...frame }) => frame)).toEqual([
      { type: 'call', path: 'posts.list', input: { page: 1 }, shape: { id: true, author: { name: true } } },
      { type: 'call', path: 'posts.list', input: { page: 1 } },
      { type: 'call', path: 'posts.cards', shape: 'card' },
    ])
    const unshaped = socket.sent.find((text) => text.includes('"input":{"page":1}') && !text.includes('shape'))!
    expect(unshaped).toBe(JSON.stringify({ type: 'call', id: JSON.parse(unshaped).id, path: 'posts.list', input: { page: 1 } }))
    feed.unsubscribe()
  })

  it('fails a call whose shape JSON cannot write, alone and unsent', async () => {
    const unhandled = watchUnhandled()
    const { client, socket, feed } = await openSocket(['posts.list'])
    const shape: Record<string, unknown> = { id: true }
    shape.self = shape
    const sentBefore = socket.sent.length
    const error = await client.posts.list.query({ page: 1 }, { shape } as never).catch((reason: unknown) => reason)
    expect(isMizanError(error, 'BAD_REQUEST')).toBe(true)
    expect((error as Error).message).toContain('The shape of posts.list could not be encoded')
    expect(socket.sent.length).toBe(sentBefore)
    feed.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })
})

// Property: whatever the shape (a name, or a selection with any field names, nested), what the
// server reads back from the wire is that shape, on a single GET, a single POST and a GET batch.
const fieldName = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('&', '=', '%', '?', '#', '+', ' ', '"', '\\', 'é', '😀', 'a,b', '[0]'))
const selection: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ selection: Record<string, unknown> }>((tie) => ({
  selection: fc.dictionary(fieldName, fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(true), tie('selection')), { minKeys: 1, maxKeys: 4 }),
})).selection
const shapeArb = fc.oneof(fc.string({ maxLength: 16 }), selection)

describe('a shape on the wire (property)', () => {
  it('reads back unchanged from a single GET, a single POST and a GET batch', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), async (shape, input) => {
        const { fetch, seen } = fakeFetch(answerByPath)
        const single = createClient<ShapesRouter>({ url, fetch, batch: false, transformer: 'json' })
        const long = createClient<ShapesRouter>({ url, fetch, transformer: 'json', maxURLLength: 1 })
        const batched = createClient<ShapesRouter>({ url, fetch, transformer: 'json' })
        await single.$call('query', 'posts.list', input, { shape })
        await long.$call('query', 'posts.list', input, { shape })
        await Promise.all([batched.$call('query', 'posts.list', input, { shape }), batched.$call('query', 'posts.byId', input)])
        const [get, post, batch] = seen
        expect(get!.method).toBe('GET')
        expect(JSON.parse(new URL(get!.url).searchParams.get('shape')!)).toEqual(shape)
        expect(post!.method).toBe('POST')
        expect((JSON.parse(String(post!.body)) as { shape: unknown }).shape).toEqual(shape)
        expect(batch!.method).toBe('GET')
        const envelopes = envelopesOf(batch!) as { shape?: unknown }[]
        expect(envelopes[0]!.shape).toEqual(shape)
        expect('shape' in envelopes[1]!).toBe(false)
      }),
      { numRuns: 150 },
    )
  })
})

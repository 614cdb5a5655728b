import { createMizanServer, initMizan, MizanError } from '@mizan/server'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

// Property-based tests of the HTTP decoder: whatever arrives (query string, body, batch, meta), the
// answer is a documented 4xx or a success, never a 5xx, a stack trace or a file path, the work is
// bounded by the request's size, and the server answers after.

type Ctx = { user: { id: string; roles: string[] } | null }
const m = initMizan<Ctx>({ roles: (user) => user.roles })

/** The values an echo handler saw, counted: what validation, keys and serializers would walk. */
const seen: { nodes: number; length: number }[] = []
let requestLength = 0

const router = m.router({
  health: m.query(() => 'ok'),
  echo: m.query({ input: z.unknown() }, ({ input }) => {
    seen.push({ nodes: countNodes(input, 1_000_000), length: requestLength })
    return input
  }),
  cached: m.query({ input: z.unknown(), cache: { ttl: 60, scope: 'public' } }, ({ input }) => input),
  typed: m.query({ input: z.object({ id: z.string(), n: z.number().int().optional(), at: z.date().optional() }) }, ({ input }) => input),
  posts: m.router({
    save: m.mutation({ input: z.object({ title: z.string().min(1) }), affects: ['posts.list'] }, ({ input, invalidate }) => {
      invalidate('posts.byId', input)
      return input
    }),
    list: m.query(() => []),
    byId: m.query({ input: z.unknown() }, () => null),
  }),
  admin: m.query({ auth: 'admin' }, () => 'secret'),
  store: m.mutation({ input: z.unknown() }, ({ input }) => ({ kept: input })),
})

/** Values reachable from `value`, counting shared ones each time they are reached; stops at `cap`. */
function countNodes(value: unknown, cap: number): number {
  let count = 0
  const visit = (node: unknown): void => {
    if (++count > cap) return
    if (node instanceof Map) for (const [k, v] of node) (visit(k), visit(v))
    else if (node instanceof Set || Array.isArray(node)) for (const v of node) visit(v)
    else if (node !== null && typeof node === 'object' && !(node instanceof Date)) for (const v of Object.values(node)) visit(v)
  }
  visit(value)
  return count
}

const unexpected: unknown[] = []
const server = createMizanServer({
  router,
  createContext: ({ req }) => ({ user: req.headers.get('authorization') === 'Bearer ada' ? { id: 'ada', roles: ['admin'] } : null }),
  limits: { maxBodySize: 64 * 1024, maxInputNodes: 5_000 },
  // Bad input is a 4xx; anything else reaching onError is a defect of the decoder.
  onError: ({ error }) => {
    if (!(error instanceof MizanError) || error.status >= 500) unexpected.push(error)
  },
})

const PATHS = ['health', 'echo', 'cached', 'typed', 'posts.save', 'posts.list', 'posts.byId', 'admin', 'store', '_manifest', '_session', 'posts', 'nope', '']
const path = fc.oneof(fc.constantFrom(...PATHS), fc.string({ maxLength: 20 }), fc.array(fc.constantFrom(...PATHS), { maxLength: 4 }).map((list) => list.join(',')))
/** What superjson's meta may claim about a value: types at paths, some of them nonsense. */
const metaPath = fc.array(fc.oneof(fc.constantFrom('a', 'b', '0', '1', '__proto__', 'constructor', 'prototype'), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'))
const metaType = fc.oneof(
  fc.constantFrom('Date', 'bigint', 'set', 'map', 'undefined', 'regexp', 'Error', 'number', 'URL', 'nonsense'),
  fc.tuple(fc.constantFrom('class', 'custom', 'symbol', 'typed-array'), fc.string({ maxLength: 6 })),
  fc.jsonValue({ maxDepth: 2 }),
)
const meta = fc.oneof(
  fc.record({ values: fc.dictionary(metaPath, metaType, { maxKeys: 4 }) }, { requiredKeys: [] }),
  fc.record({ referentialEqualities: fc.oneof(fc.dictionary(metaPath, fc.array(metaPath, { maxLength: 3 }), { maxKeys: 4 }), fc.tuple(fc.array(metaPath, { maxLength: 3 }))) }),
  fc.jsonValue({ maxDepth: 3 }),
)
const json = fc.jsonValue({ maxDepth: 6 })
const hostileText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  json.map((value) => JSON.stringify(value)),
  fc.nat({ max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.nat({ max: 3000 }).map((n) => '{"input":' + '{"a":'.repeat(n) + '1' + '}'.repeat(n) + '}'),
  fc.nat({ max: 20_000 }).map((n) => `{"input":[${'0,'.repeat(n)}0]}`),
)

async function send(request: Request): Promise<Response> {
  return server.fetchHandler(request)
}

/** The documented error shape: a 4xx, no stack, no file path. */
async function expectDocumentedAnswer(res: Response): Promise<void> {
  expect(res.status).toBeLessThan(500)
  const text = await res.text()
  expect(text).not.toMatch(/\bat .+:\d+:\d+|\/work\/|node_modules|\.ts:\d+|\.js:\d+/)
  // HEAD and preflight answers carry no body.
  if (res.status >= 400 && text !== '') {
    const body = JSON.parse(text) as { error: { code: string; status: number; message: string; data?: { stack?: unknown } } }
    expect(body.error.status).toBe(res.status)
    expect(typeof body.error.code).toBe('string')
    expect(body.error.data?.stack).toBeUndefined()
  }
}

describe('the HTTP decoder under arbitrary input (property-based)', () => {
  beforeAll(() => {
    unexpected.length = 0
  })
  afterAll(() => expect(unexpected).toEqual([]))

  it('any method, path and query string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'), path, fc.string({ maxLength: 300 }), async (method, where, query) => {
        const res = await send(new Request(`http://x/api/mizan/${encodeURI(where)}?${query}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {} }))
        await expectDocumentedAnswer(res)
      }),
      { seed: 42, numRuns: 400 },
    )
  })

  it('any input and meta in a query string, single or batched', async () => {
    await fc.assert(
      fc.asyncProperty(path, json, fc.option(meta), fc.boolean(), async (where, input, metaValue, batched) => {
        const envelope = metaValue === null ? { input } : { input, meta: metaValue }
        const query = batched
          ? `batch=1&input=${encodeURIComponent(JSON.stringify([envelope, envelope]))}`
          : `input=${encodeURIComponent(JSON.stringify(input))}${metaValue === null ? '' : `&meta=${encodeURIComponent(JSON.stringify(metaValue))}`}`
        await expectDocumentedAnswer(await send(new Request(`http://x/api/mizan/${encodeURI(where)}?${query}`)))
      }),
      { seed: 42, numRuns: 400 },
    )
  })

  it('any body, with or without the JSON content type', async () => {
    await fc.assert(
      fc.asyncProperty(path, hostileText, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', ''), async (where, body, type) => {
        const headers: Record<string, string> = type === '' ? {} : { 'content-type': type }
        await expectDocumentedAnswer(await send(new Request(`http://x/api/mizan/${encodeURI(where)}`, { method: 'POST', headers, body })))
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('any envelope (input, meta, batch arrays of any length) in a body', async () => {
    const envelope = fc.oneof(fc.record({ input: json, meta: fc.option(meta, { nil: undefined }) }, { requiredKeys: [] }), json)
    await fc.assert(
      fc.asyncProperty(path, fc.oneof(envelope, fc.array(envelope, { maxLength: 6 })), async (where, body) => {
        const text = JSON.stringify(body) ?? ''
        await expectDocumentedAnswer(await send(new Request(`http://x/api/mizan/${encodeURI(where)}${Array.isArray(body) ? '?batch=1' : ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text })))
      }),
      { seed: 42, numRuns: 400 },
    )
  })

  it('the decoded input is never larger than the request that described it', async () => {
    seen.length = 0
    await fc.assert(
      fc.asyncProperty(json, meta, async (input, metaValue) => {
        const body = JSON.stringify({ input, meta: metaValue })
        requestLength = body.length
        const res = await send(new Request('http://x/api/mizan/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
        await expectDocumentedAnswer(res)
      }),
      { seed: 42, numRuns: 400 },
    )
    expect(seen.length).toBeGreaterThan(100)
    for (const { nodes, length } of seen) expect(nodes).toBeLessThanOrEqual(length)
  })

  it('keeps answering after all of the above', async () => {
    expect(await (await send(new Request('http://x/api/mizan/health'))).json()).toEqual({ data: 'ok' })
  })
})

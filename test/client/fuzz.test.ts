import { createClient, isMizanError, type ClientOptions } from '@mizan/client'
import { initMizan } from '@mizan/server'
import { encodeInvalidateHeader, type InvalidationWire } from '@mizan/wire'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { FakeSocket } from './fake-socket.js'
import { watchUnhandled } from './unhandled.js'

// Property-based: whatever a broken or hostile server answers, every call settles (resolves, or
// rejects with a MizanClientError), nothing rejects unhandled and nothing throws into the event loop.

const m = initMizan()
const router = m.router({
  a: m.query({ input: z.unknown() }, () => 1),
  b: m.router({ c: m.query({ input: z.unknown() }, () => 1) }),
  save: m.mutation({ input: z.unknown() }, () => 1),
  feed: m.channel({ params: z.object({}), message: z.unknown() }),
})
type Router = typeof router

const json = fc.jsonValue({ maxDepth: 3 })
const ascii = (text: string) => /^[\x20-\x7e]*$/.test(text)

/** superjson `meta`, well-formed or not: it makes the decoder run, and sometimes throw. */
const meta = fc.oneof(
  json,
  fc.record({
    values: fc.oneof(json, fc.dictionary(fc.constantFrom('', 'id', 'a', 'a.b', '0'), fc.array(fc.constantFrom('Date', 'bigint', 'set', 'map', 'undefined', 'regexp', 'nonsense', 'number'), { maxLength: 2 }))),
    referentialEqualities: fc.oneof(json, fc.constant({ '': ['self'] })),
    v: fc.constant(1),
  }, { requiredKeys: [] }),
)
const invalidation = fc.oneof(json, fc.record({ path: fc.oneof(fc.constantFrom('a', 'b', 'b.c', ''), json), input: json, meta }, { requiredKeys: [] }))
const errorShape = fc.record(
  {
    code: fc.oneof(fc.constantFrom('TOO_MANY_REQUESTS', 'NOT_FOUND', 'BAD_REQUEST', 'toString', '__proto__', 'NOPE'), json),
    status: fc.oneof(fc.integer({ min: -5, max: 1000 }), json),
    message: fc.oneof(fc.string(), json),
    data: fc.oneof(json, fc.record({ retryAfter: fc.oneof(fc.double(), json), fieldErrors: json }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
)
const entry = fc.oneof(
  json,
  fc.record({ data: json, meta }, { requiredKeys: [] }),
  fc.record({ error: fc.oneof(errorShape, json), invalidate: fc.oneof(json, fc.array(invalidation, { maxLength: 3 })) }, { requiredKeys: [] }),
  fc.record({ data: json, invalidate: fc.oneof(json, fc.array(invalidation, { maxLength: 3 })) }, { requiredKeys: [] }),
  // A file's bytes in base64, with its type and name, well-formed or not.
  fc.record({ data: fc.oneof(fc.base64String(), json), blob: fc.oneof(json, fc.record({ type: fc.oneof(fc.string(), json), name: fc.oneof(fc.string(), json) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
)
const body = fc.oneof(
  fc.string(),
  fc.constantFrom('', '{', '[', 'null', '<html>502 Bad Gateway</html>'),
  json.map((value) => JSON.stringify(value)),
  entry.map((value) => JSON.stringify(value)),
  fc.array(entry, { maxLength: 8 }).map((value) => JSON.stringify(value)),
)
const invalidateHeader = fc.oneof(
  fc.string().filter(ascii),
  fc.array(invalidation, { maxLength: 4 }).map((list) => encodeInvalidateHeader(list as InvalidationWire[])),
)
const retryAfter = fc.oneof(fc.nat().map(String), fc.string().filter(ascii), fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', '-1', '1e9', '99999999999'))

/** How the fake network answers one request. */
const answer = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('response' as const), status: fc.oneof(fc.constantFrom(200, 207, 204, 400, 404, 413, 429, 431, 500, 502, 503), fc.integer({ min: 200, max: 599 })), body, invalidate: fc.option(invalidateHeader), retryAfter: fc.option(retryAfter), contentType: fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'image/png', 'text/html', 'application/octet-stream')), disposition: fc.option(fc.oneof(fc.string().filter(ascii), fc.constant(`attachment; filename="a.png"; filename*=UTF-8''%C3%A4.png`))) }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'reject' as const }, { kind: 'throw' as const }, { kind: 'broken body' as const }) },
)
type Answer = typeof answer extends fc.Arbitrary<infer A> ? A : never

function respond(spec: Answer): Promise<Response> {
  if (spec.kind === 'throw') throw new TypeError('fetch threw synchronously')
  if (spec.kind === 'reject') return Promise.reject(new TypeError('fetch failed'))
  if (spec.kind === 'broken body') return Promise.resolve(new Response(new ReadableStream({ start: (c) => c.error(new Error('reset')) })))
  const headers: Record<string, string> = {}
  if (spec.invalidate !== null) headers['x-mizan-invalidate'] = spec.invalidate
  if (spec.retryAfter !== null) headers['retry-after'] = spec.retryAfter
  // Without a content type, a string body is text/plain: for a single call's 2xx, a file.
  if (spec.contentType !== null) headers['content-type'] = spec.contentType
  if (spec.disposition !== null) headers['content-disposition'] = spec.disposition
  const nullBody = spec.status === 204 || spec.status === 205 || spec.status === 304
  return Promise.resolve(new Response(nullBody ? null : spec.body, { status: spec.status, headers }))
}

/** An input with files: a mutation uploads it, a query fails at once. */
const withFiles = { file: new Blob(['x']), list: [new Blob(['y'])] }

const call = fc.record({
  kind: fc.constantFrom('query', 'mutation'),
  path: fc.constantFrom('a', 'b.c', 'save'),
  input: fc.oneof(fc.constant(undefined), json, fc.constant({ at: new Date(0), n: 1n }), fc.constant(withFiles)),
})

/** One full turn of the event loop, timers included (the client batches on a zero timeout). */
const turn = () => new Promise((resolve) => setTimeout(resolve, 0))

/** Waits, turn by turn of the event loop (bounded), until every promise has settled. */
async function settle(promises: Promise<unknown>[]): Promise<{ outcomes: PromiseSettledResult<unknown>[]; pending: number }> {
  const outcomes: (PromiseSettledResult<unknown> | undefined)[] = promises.map(() => undefined)
  promises.forEach((promise, i) =>
    promise.then(
      (value) => void (outcomes[i] = { status: 'fulfilled', value }),
      (reason: unknown) => void (outcomes[i] = { status: 'rejected', reason }),
    ),
  )
  for (let turns = 0; turns < 100 && outcomes.includes(undefined); turns++) await turn()
  return { outcomes: outcomes.filter((o) => o !== undefined), pending: outcomes.filter((o) => o === undefined).length }
}

function expectSettledWell(result: { outcomes: PromiseSettledResult<unknown>[]; pending: number }) {
  expect(result.pending).toBe(0)
  for (const outcome of result.outcomes) if (outcome.status === 'rejected') expect(isMizanError(outcome.reason), String(outcome.reason)).toBe(true)
}

/**
 * Loads superjson, the binary-answer module and the WebSocket link once, so the runs below do not
 * wait on the module loader.
 */
async function warmUp() {
  const client = createClient<Router>({
    url: 'http://fuzz.test/api',
    fetch: async () => new Response('{"data":"2020-01-01T00:00:00.000Z","meta":{"values":["Date"],"v":1}}', { headers: { 'content-type': 'application/json' } }),
    WebSocket: FakeSocket.Class,
  })
  await client.a.query(1)
  // A 2xx answer that is not JSON (a text/plain body, as most answers below) is a file.
  await createClient<Router>({ url: 'http://fuzz.test/api', fetch: async () => new Response('bytes') }).a.query(1)
  // An input with a file loads the upload module.
  await createClient<Router>({ url: 'http://fuzz.test/api', fetch: async () => new Response('{}') }).save.mutate(new Blob(['x']))
  FakeSocket.made = []
  const feed = client.feed.subscribe({}, { onMessage: () => {} })
  while (FakeSocket.made.length === 0) await turn()
  feed.unsubscribe()
}

describe('the client decoder, fuzzed', () => {
  it('settles every HTTP call, whatever the server answers', async () => {
    await warmUp()
    const unhandled = watchUnhandled()
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { minLength: 1, maxLength: 6 }),
        fc.array(answer, { minLength: 1, maxLength: 6 }),
        fc.record({ batch: fc.boolean(), maxBatchSize: fc.integer({ min: 1, max: 4 }), json: fc.boolean() }),
        async (calls, answers, options) => {
          let requests = 0
          const client = createClient<Router>({
            url: 'http://fuzz.test/api',
            fetch: (() => respond(answers[requests++ % answers.length]!)) as typeof fetch,
            batch: options.batch,
            maxBatchSize: options.maxBatchSize,
            ...(options.json ? { transformer: 'json' as ClientOptions['transformer'] } : {}),
          })
          client.$on('invalidate', (list) => {
            for (const target of list) expect(typeof target.path).toBe('string')
          })
          const promises = calls.map((c) => client.$call(c.kind as 'query' | 'mutation', c.path, c.input))
          expectSettledWell(await settle(promises))
        },
      ),
      { seed: 42, numRuns: 300 },
    )
    expect(await unhandled.stop()).toEqual([])
  })

  it('settles every WebSocket call and survives every frame, whatever the server sends', async () => {
    await warmUp()
    const unhandled = watchUnhandled()
    const frame = fc.oneof(
      fc.string(),
      json.map((value) => JSON.stringify(value)),
      fc
        .record({
          type: fc.constantFrom('hello', 'result', 'yield', 'message', 'error', 'invalidate', 'subscribed', 'resync', 'sent', 'nope'),
          id: fc.oneof(fc.constantFrom('1', '2', '3', 's1', 's2'), json),
          result: fc.oneof(entry, json),
          message: fc.oneof(fc.record({ json, meta }, { requiredKeys: [] }), json),
          error: fc.oneof(errorShape, json),
          invalidate: fc.oneof(json, fc.array(invalidation, { maxLength: 3 })),
          affects: json,
          websocket: fc.oneof(json, fc.constant(['a'])),
          connection: json,
          // Resume fields: event ids and cursors of any shape, and any `resumed`.
          eid: fc.oneof(json, fc.string({ maxLength: 600 })),
          at: fc.oneof(json, fc.string({ maxLength: 80 })),
          resumed: json,
          session: json,
        }, { requiredKeys: ['type'] })
        .map((value) => JSON.stringify(value)),
    )
    await fc.assert(
      fc.asyncProperty(
        // Files never go over the socket (see the upload tests); the calls here are the socket's.
        fc.array(call.map((c) => c.input).filter((input) => input !== withFiles), { minLength: 1, maxLength: 4 }),
        fc.array(frame, { maxLength: 12 }),
        fc.array(fc.oneof(entry, json), { maxLength: 4 }),
        async (inputs, noise, results) => {
          FakeSocket.made = []
          const client = createClient<Router>({ url: 'http://fuzz.test/api', WebSocket: FakeSocket.Class, fetch: (() => respond({ kind: 'reject' })) as typeof fetch })
          const thrown: unknown[] = []
          const heard: unknown[] = []
          const feed = client.feed.subscribe({}, { onMessage: (message) => heard.push(message), onError: (error) => heard.push(error) })
          for (let turns = 0; turns < 100 && FakeSocket.made.length === 0; turns++) await turn()
          const socket = FakeSocket.made[0]!
          const receive = (text: string) => {
            try {
              socket.receive(text)
            } catch (error) {
              thrown.push(error)
            }
          }
          socket.accept()
          receive(JSON.stringify({ type: 'hello', connection: 'c1', websocket: ['a'] }))
          const promises = inputs.map((input) => client.a.query(input))
          await settle([Promise.resolve()]) // let the calls be written
          const ids = socket.frames().filter((f) => f.type === 'call').map((f) => f.id)
          for (const text of noise) receive(text)
          ids.forEach((id, i) => {
            if (i < results.length) receive(JSON.stringify({ type: 'result', id, result: results[i] }))
          })
          socket.drop() // whatever is still waiting fails as the socket closes
          feed.unsubscribe()
          expectSettledWell(await settle(promises))
          expect(thrown).toEqual([])
        },
      ),
      { seed: 42, numRuns: 200 },
    )
    expect(await unhandled.stop()).toEqual([])
  })
})

import { createClient, isMizanError, MizanClientError, type ClientInvalidation } from '@mizan/client'
import fc from 'fast-check'
import SuperJSON from 'superjson'
import { describe, expect, it } from 'vitest'
import { until } from './files-support.js'
import { streamingFetch, type StreamsRouter } from './streams-support.js'
import { watchUnhandled } from './unhandled.js'

const url = 'http://streams.test/api/mizan'

function clientOf(fetch: typeof globalThis.fetch, options: { batch?: boolean; transformer?: 'json'; maxStreamLineBytes?: number } = {}) {
  const client = createClient<StreamsRouter>({ url, fetch, ...options })
  const announced: { invalidations: ClientInvalidation[]; path: string }[] = []
  client.$on('invalidate', (invalidations, source) => void announced.push({ invalidations, path: source.path }))
  return { client, announced }
}

/** Reads a stream to its end: the values and the return value. */
async function drain<T, R>(stream: AsyncGenerator<T, R, undefined>): Promise<{ values: T[]; result: R }> {
  const values: T[] = []
  for (;;) {
    const step = await stream.next()
    if (step.done) return { values, result: step.value }
    values.push(step.value)
  }
}

async function rejection(promise: Promise<unknown>): Promise<MizanClientError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(MizanClientError)
    return error as MizanClientError
  }
  throw new Error('resolved')
}

describe('a single streamed call over HTTP', () => {
  it('resolves once the head arrives, then gives the values, the return value and the invalidations', async () => {
    const { fetch, requests } = streamingFetch()
    const { client, announced } = clientOf(fetch)
    const stream = await client.tokens.query({ prompt: 'a b c' })
    expect(requests).toHaveLength(1)
    expect(requests[0]!.headers.accept).toBe('application/x-ndjson')
    expect(requests[0]!.url).toBe(`${url}/tokens?input=${encodeURIComponent('{"prompt":"a b c"}')}`)
    const request = requests[0]!
    const first = stream.next()
    request.line({ yield: 'a' })
    expect(await first).toEqual({ done: false, value: 'a' })
    request.line({ yield: 'b' })
    request.line({ yield: 'c' })
    request.line({ done: true, data: { words: 3 }, invalidate: [{ path: 'plain', input: { n: 1 } }, { path: 'ticks' }] })
    request.end()
    const { values, result } = await drain(stream)
    expect(values).toEqual(['b', 'c'])
    expect(result).toEqual({ words: 3 })
    expect(announced).toEqual([{ invalidations: [{ path: 'plain', input: { n: 1 } }, { path: 'ticks' }], path: 'tokens' }])
    // Once ended, the stream stays done.
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it('for await, and a break aborts the request (the server returns the handler)', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const stream = await client.tokens.query({ prompt: 'x' })
    const request = requests[0]!
    request.line({ yield: 'one' })
    request.line({ yield: 'two' })
    const seen: string[] = []
    for await (const word of stream) {
      seen.push(word)
      if (word === 'two') break
    }
    expect(seen).toEqual(['one', 'two'])
    expect(request.signal!.aborted).toBe(true)
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it('return() before any value stops it, and the values sent after are dropped', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const stream = await client.tokens.query({ prompt: 'x' })
    expect(await stream.return({ words: 0 })).toEqual({ done: true, value: { words: 0 } })
    expect(requests[0]!.signal!.aborted).toBe(true)
    requests[0]!.line({ yield: 'late' })
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it("the call's AbortSignal stops the stream: the pending read rejects with its reason, the request is aborted", async () => {
    const unhandled = watchUnhandled()
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const controller = new AbortController()
    const stream = await client.tokens.query({ prompt: 'x' }, { signal: controller.signal })
    requests[0]!.line({ yield: 'a' })
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    const pending = stream.next()
    controller.abort(new Error('left the page'))
    await expect(pending).rejects.toThrow('left the page')
    expect(requests[0]!.signal!.aborted).toBe(true)
    expect(await stream.next()).toEqual({ done: true, value: undefined })
    expect(await unhandled.stop()).toEqual([])
  })

  it('decodes each value and the return value with superjson, meta per line', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const stream = await client.ticks.query()
    const at = new Date('2026-01-02T03:04:05Z')
    const encoded = SuperJSON.serialize({ at, n: 1 })
    requests[0]!.line({ yield: encoded.json, meta: encoded.meta })
    requests[0]!.line({ yield: { at: 'plain', n: 2 } })
    requests[0]!.line({ done: true })
    requests[0]!.end()
    const { values, result } = await drain(stream)
    expect(values).toEqual([{ at, n: 1 }, { at: 'plain', n: 2 }])
    expect(values[0]!.at).toBeInstanceOf(Date)
    expect(result).toBeUndefined()
  })

  it('an error line fails the stream after its values, with the typed error and its invalidations', async () => {
    const { fetch, requests } = streamingFetch()
    const { client, announced } = clientOf(fetch)
    const stream = await client.tokens.query({ prompt: 'x' })
    requests[0]!.line({ yield: 'a' })
    requests[0]!.line({ error: { code: 'FORBIDDEN', status: 403, message: 'no more', data: { why: 'quota' } }, invalidate: [{ path: 'plain' }] })
    requests[0]!.end()
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    const error = await rejection(stream.next())
    expect(isMizanError(error, 'FORBIDDEN')).toBe(true)
    expect(error).toMatchObject({ status: 403, message: 'no more', data: { why: 'quota' }, path: 'tokens' })
    expect(announced.map((a) => a.invalidations)).toEqual([[{ path: 'plain' }]])
  })

  it('a reply cut before its end fails the stream after the values it had: "The stream was cut off"', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const stream = await client.tokens.query({ prompt: 'x' })
    requests[0]!.line({ yield: 'a' })
    requests[0]!.raw('{"yield":"b')
    requests[0]!.end()
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    expect(await rejection(stream.next())).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: 'The stream was cut off', path: 'tokens' })
    // A body that ends between lines without an end line is cut as well.
    const second = await client.tokens.query({ prompt: 'y' })
    requests[1]!.line({ yield: 'a' })
    requests[1]!.end()
    expect(await rejection(drain(second))).toMatchObject({ message: 'The stream was cut off' })
  })

  it('a line that is not JSON, or not a line of the protocol, or too long, fails the stream and aborts the request', async () => {
    const cases: [string, string][] = [
      ['{oops}', 'A line of the stream is not JSON'],
      ['[1,2]', 'The server answered with something that is not a Mizan reply'],
      ['{"data":1}', 'The server answered with something that is not a Mizan reply'],
      [`{"yield":"${'x'.repeat(200)}"}`, 'A line of the stream is longer than 64 bytes'],
    ]
    for (const [line, message] of cases) {
      const { fetch, requests } = streamingFetch()
      const { client } = clientOf(fetch, { maxStreamLineBytes: 64 })
      const stream = await client.tokens.query({ prompt: 'x' })
      requests[0]!.line({ yield: 'ok' })
      requests[0]!.raw(`${line}\n`)
      expect(await stream.next()).toEqual({ done: false, value: 'ok' })
      expect(await rejection(stream.next())).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message })
      expect(requests[0]!.cancelled).toBe(true)
    }
  })

  it('a stream reply to a mutation, unbatched, streams the same way', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch, { batch: false })
    const stream = await client.progress.mutate({ id: '1' })
    expect(requests[0]!).toMatchObject({ method: 'POST', url: `${url}/progress` })
    expect(requests[0]!.headers).toMatchObject({ accept: 'application/x-ndjson', 'content-type': 'application/json' })
    requests[0]!.line({ yield: 50 })
    requests[0]!.line({ yield: 100 })
    requests[0]!.line({ done: true, data: 'saved' })
    requests[0]!.end()
    expect(await drain(stream)).toEqual({ values: [50, 100], result: 'saved' })
  })

  it('a reader that stops after two of many values aborts the request', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const stream = await client.tokens.query({ prompt: 'x' })
    for (let i = 0; i < 50; i++) requests[0]!.line({ yield: String(i) })
    expect(await stream.next()).toEqual({ done: false, value: '0' })
    expect(await stream.next()).toEqual({ done: false, value: '1' })
    await stream.return(undefined as never)
    expect(requests[0]!.signal!.aborted).toBe(true)
  })
})

describe('a batch over HTTP, read line by line', () => {
  it('asks for lines, and settles each call as its lines arrive, in completion order', async () => {
    const { fetch, requests } = streamingFetch()
    const { client, announced } = clientOf(fetch)
    const calls = [client.plain.query({ n: 1 }), client.tokens.query({ prompt: 'a b' }), client.plain.query({ n: 2 })] as const
    await until(() => requests.length === 1)
    const request = requests[0]!
    expect(request.url.startsWith(`${url}/plain,tokens,plain?input=`)).toBe(true)
    expect(request.headers.accept).toBe('application/x-ndjson')
    request.line({ i: 2, data: 20, invalidate: [{ path: 'ticks' }] })
    expect(await calls[2]).toBe(20)
    expect(announced).toEqual([{ invalidations: [{ path: 'ticks' }], path: 'plain' }])
    request.line({ i: 1, yield: 'a' })
    const stream = await calls[1]
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    // A plain call resolves while the stream beside it is still running.
    request.line({ i: 0, data: 10 })
    expect(await calls[0]).toBe(10)
    request.line({ i: 1, yield: 'b' })
    request.line({ i: 1, done: true, data: { words: 2 } })
    request.end()
    expect(await drain(stream)).toEqual({ values: ['b'], result: { words: 2 } })
  })

  it('a stream that ends before any value resolves to an ended stream with its return value', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const calls = [client.tokens.query({ prompt: '' }), client.plain.query({ n: 1 })] as const
    await until(() => requests.length === 1)
    requests[0]!.line({ i: 0, done: true, data: { words: 0 } })
    requests[0]!.line({ i: 1, data: 1 })
    requests[0]!.end()
    expect(await drain(await calls[0])).toEqual({ values: [], result: { words: 0 } })
    expect(await calls[1]).toBe(1)
  })

  it('an error line rejects a call not yet streaming; a typed error reaches the stream that is', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const calls = [client.tokens.query({ prompt: 'a' }), client.tokens.query({ prompt: 'b' })] as const
    await until(() => requests.length === 1)
    requests[0]!.line({ i: 0, error: { code: 'UNAUTHORIZED', status: 401, message: 'sign in' } })
    requests[0]!.line({ i: 1, yield: 'b' })
    requests[0]!.line({ i: 1, error: { code: 'TOO_MANY_REQUESTS', status: 429, message: 'slow down', data: { retryAfter: 3 } } })
    requests[0]!.end()
    expect(await rejection(calls[0])).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    const stream = await calls[1]
    expect(await stream.next()).toEqual({ done: false, value: 'b' })
    expect(await rejection(stream.next())).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfter: 3 })
  })

  it('a stopped stream leaves the request running for the calls still open; the last one to stop aborts it', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const calls = [client.tokens.query({ prompt: 'a' }), client.tokens.query({ prompt: 'b' }), client.plain.query({ n: 3 })] as const
    await until(() => requests.length === 1)
    const request = requests[0]!
    request.line({ i: 0, yield: 'a1' })
    request.line({ i: 1, yield: 'b1' })
    const [first, second] = [await calls[0], await calls[1]]
    await first.return(undefined as never)
    expect(request.signal!.aborted).toBe(false)
    // The stopped stream's values are dropped; the others go on.
    request.line({ i: 0, yield: 'a2' })
    request.line({ i: 1, yield: 'b2' })
    request.line({ i: 2, data: 30 })
    expect(await calls[2]).toBe(30)
    expect(await second.next()).toEqual({ done: false, value: 'b1' })
    expect(await second.next()).toEqual({ done: false, value: 'b2' })
    expect(await first.next()).toEqual({ done: true, value: undefined })
    expect(request.signal!.aborted).toBe(false)
    await second.return(undefined as never)
    expect(request.signal!.aborted).toBe(true)
  })

  it('a call aborted before its first line leaves the batch; the request is aborted once none is open', async () => {
    const unhandled = watchUnhandled()
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const controller = new AbortController()
    const calls = [client.tokens.query({ prompt: 'a' }, { signal: controller.signal }), client.tokens.query({ prompt: 'b' })] as const
    await until(() => requests.length === 1)
    requests[0]!.line({ i: 1, yield: 'b1' })
    const second = await calls[1]
    controller.abort(new Error('gone'))
    await expect(calls[0]).rejects.toThrow('gone')
    expect(requests[0]!.signal!.aborted).toBe(false)
    expect(await second.next()).toEqual({ done: false, value: 'b1' })
    await second.return(undefined as never)
    expect(requests[0]!.signal!.aborted).toBe(true)
    expect(await unhandled.stop()).toEqual([])
  })

  it('a batch cut off fails the calls still open, and only those', async () => {
    const { fetch, requests } = streamingFetch()
    const { client } = clientOf(fetch)
    const calls = [client.plain.query({ n: 1 }), client.tokens.query({ prompt: 'a' }), client.plain.query({ n: 2 })] as const
    await until(() => requests.length === 1)
    requests[0]!.line({ i: 0, data: 1 })
    requests[0]!.line({ i: 1, yield: 'a' })
    requests[0]!.end()
    expect(await calls[0]).toBe(1)
    const stream = await calls[1]
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    expect(await rejection(stream.next())).toMatchObject({ message: 'The stream was cut off' })
    expect(await rejection(calls[2])).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: 'The stream was cut off' })
  })

  it('a line with an index out of range breaks the protocol: the calls still open fail', async () => {
    for (const bad of [{ i: 7, data: 1 }, { i: -1, data: 1 }, { i: '0', data: 1 }, { i: 0.5, data: 1 }, { data: 1 }, 'text', null]) {
      const { fetch, requests } = streamingFetch()
      const { client } = clientOf(fetch)
      const calls = [client.plain.query({ n: 1 }), client.plain.query({ n: 2 })] as const
      await until(() => requests.length === 1)
      requests[0]!.line({ i: 0, data: 1 })
      requests[0]!.line(bad === null || typeof bad === 'string' ? JSON.stringify(bad) : bad)
      expect(await calls[0]).toBe(1)
      expect(await rejection(calls[1])).toMatchObject({ message: 'The server answered with something that is not a Mizan reply' })
      expect(requests[0]!.cancelled).toBe(true)
    }
  })

  it('a JSON array reply (a server that does not stream batches) still settles every call', async () => {
    const { fetch, requests } = streamingFetch(() => new Response(JSON.stringify([{ data: 1 }, { data: 2, invalidate: [{ path: 'ticks' }] }]), { status: 200, headers: { 'content-type': 'application/json' } }))
    const { client, announced } = clientOf(fetch)
    expect(await Promise.all([client.plain.query({ n: 1 }), client.plain.query({ n: 2 })])).toEqual([1, 2])
    expect(requests[0]!.headers.accept).toBe('application/x-ndjson')
    expect(announced).toEqual([{ invalidations: [{ path: 'ticks' }], path: 'plain' }])
  })

  it('settles every call, and leaves nothing unhandled, whatever lines a server sends (property)', async () => {
    const unhandled = watchUnhandled()
    const key = fc.constantFrom('i', 'yield', 'done', 'data', 'error', 'invalidate', 'meta', 'blob')
    const value = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant(true), fc.string({ maxLength: 3 }), fc.constant(null), fc.jsonValue({ maxDepth: 2 }))
    const line = fc.oneof(fc.dictionary(key, value, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 8 }))
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 10 }), fc.boolean(), async (lines, raw) => {
        const { fetch, requests } = streamingFetch()
        const { client } = clientOf(fetch)
        const calls = [client.tokens.query({ prompt: 'a' }), client.plain.query({ n: 1 }), client.tokens.query({ prompt: 'b' })]
        await until(() => requests.length === 1)
        for (const item of lines) requests[0]!.raw(`${raw && typeof item === 'string' ? item : JSON.stringify(item)}\n`)
        requests[0]!.end()
        const settled = await Promise.allSettled(calls)
        for (const result of settled) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(MizanClientError)
          else if (typeof result.value === 'object' && result.value !== null && Symbol.asyncIterator in result.value) {
            try {
              await drain(result.value as AsyncGenerator<unknown, unknown, undefined>)
            } catch (error) {
              expect(error).toBeInstanceOf(MizanClientError)
            }
          }
        }
      }),
      { seed: 20260216, numRuns: 200 },
    )
    expect(await unhandled.stop()).toEqual([])
  })
})

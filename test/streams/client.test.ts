// Streams end to end: Mizan's client against a Mizan server, over HTTP (single and batched calls)
// and the WebSocket. A `for await` gets the handler's values typed and in order, the return value
// comes with the generator's end, a `break` stops the handler (its `finally` runs, its `signal`
// aborts), and an error thrown mid-stream arrives typed after the values sent before it.
import { createClient, isMizanError, type ClientInvalidation } from '@mizan/client'
import { createMizanServer } from '@mizan/server'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ending, endings, gate, gates, live, router, userOf, type StreamRouter } from './app.js'

const server = createMizanServer({ router, createContext: ({ req }) => userOf(req.headers.get('authorization')), onError: () => {} })
let url: string
beforeAll(async () => {
  ;({ url } = await server.listen(0, '127.0.0.1'))
})
afterAll(() => server.close())
beforeEach(() => {
  gates.clear()
  endings.clear()
})

/** Every value of a generator, and what it returned. */
async function drain<T, R>(stream: AsyncGenerator<T, R, undefined>): Promise<{ values: T[]; returned: R }> {
  const values: T[] = []
  for (;;) {
    const step = await stream.next()
    if (step.done === true) return { values, returned: step.value }
    values.push(step.value)
  }
}

describe('streams over HTTP', () => {
  it('yields the values in order, then resolves the return value', async () => {
    const client = createClient<StreamRouter>({ url })
    const { values, returned } = await drain(await client.tokens.query({ prompt: 'one two three' }))
    expect(values).toEqual(['one', 'two', 'three'])
    // superjson carried the Date of the return value.
    expect(returned).toEqual({ words: 3, at: new Date(0) })
  })

  it('stops the handler when the loop breaks: its finally runs and its signal aborts', async () => {
    const client = createClient<StreamRouter>({ url })
    for await (const value of await client.waiter.query({ key: 'http-break' })) {
      expect(value).toBe('first')
      break
    }
    await expect(ending('http-break').promise).resolves.toEqual({ aborted: true })
  })

  it('stops the handler when the call is aborted', async () => {
    const client = createClient<StreamRouter>({ url })
    const controller = new AbortController()
    const stream = await client.waiter.query({ key: 'http-abort' }, { signal: controller.signal })
    expect(await stream.next()).toEqual({ done: false, value: 'first' })
    controller.abort()
    await expect(stream.next()).rejects.toThrow()
    await expect(ending('http-abort').promise).resolves.toEqual({ aborted: true })
  })

  it('batches streams with a plain call, each settling as it completes', async () => {
    const requests: string[] = []
    const client = createClient<StreamRouter>({ url, fetch: (input, init) => (requests.push(String(input)), fetch(input, init)) })
    // One tick: one request. The slow stream's first value waits on a gate the test opens only
    // after the fast stream and the plain call have finished: completion order lets them through.
    const fastCall = client.fast.query()
    const slowCall = client.slow.query()
    const nowCall = client.now.query()
    expect(await nowCall).toBe('now')
    expect(await drain(await fastCall)).toEqual({ values: ['f1'], returned: 'fast done' })
    gate('slow').resolve()
    const slow = await slowCall
    // The calls' requests (the reply's websocket procedures may also have opened an event stream).
    const calls = requests.filter((request) => !request.endsWith('/_events'))
    expect(calls).toHaveLength(1)
    expect(calls[0]).toContain('fast,slow,now')
    expect(await drain(slow)).toEqual({ values: ['s1'], returned: 'slow done' })
  })

  it('delivers an error thrown mid-stream, typed, after the values sent before it', async () => {
    const client = createClient<StreamRouter>({ url })
    const stream = await client.declared.query()
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    const failure = await stream.next().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isMizanError(failure, client.declared, 'NOT_FOUND')).toBe(true)
    if (isMizanError(failure, client.declared, 'NOT_FOUND')) expect(failure.data).toEqual({ id: 'x' })
  })

  it('refuses before the first value as any call does', async () => {
    const client = createClient<StreamRouter>({ url })
    await expect(client.secret.query()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
  })

  it("announces a streaming mutation's invalidations once it ends", async () => {
    const client = createClient<StreamRouter>({ url })
    const heard: ClientInvalidation[][] = []
    client.$on('invalidate', (targets) => heard.push(targets))
    const { values, returned } = await drain(await client.change.mutate({ id: '7' }))
    expect(values).toEqual([1, 2])
    expect(returned).toBe('changed')
    expect(heard.flat()).toEqual(expect.arrayContaining([{ path: 'tokens' }, { path: 'plain', input: { id: '7' } }]))
  })
})

// The realtime connection carries `websocket: true` calls the same way over each transport: the
// WebSocket, Server-Sent Events through `listen()`, and Server-Sent Events answered by
// `fetchHandler` on bare `Request`s (as a Next.js route handler or a fetch runtime serves them).
const transports = [
  { name: 'the WebSocket', options: () => ({ WebSocket: WebSocket as never, fetch }) },
  { name: 'Server-Sent Events', options: () => ({ transport: 'sse' as const, fetch }) },
  {
    name: 'Server-Sent Events from fetchHandler',
    options: () => ({ transport: 'sse' as const, fetch: ((input, init) => server.fetchHandler(new Request(input, init))) as typeof fetch }),
  },
]

describe.each(transports)('streams over $name', ({ name, options }) => {
  /** A client whose realtime connection is open (a channel subscription holds it), and the HTTP requests it made. */
  async function socketClient() {
    const requests: string[] = []
    const { fetch: send, ...rest } = options()
    const fetchCounted: typeof fetch = (input, init) => {
      requests.push(String(input))
      return send(input, init)
    }
    const client = createClient<StreamRouter>({ url, ...rest, fetch: fetchCounted })
    let joined!: () => void
    const open = new Promise<void>((resolve) => (joined = resolve))
    const subscription = client.room.subscribe({}, { onMessage: () => {}, onStatus: ({ status }) => status === 'open' && joined() })
    await open
    return { client, requests, close: () => subscription.unsubscribe() }
  }

  it('streams a websocket procedure over the connection, with its return value', async () => {
    const { client, requests, close } = await socketClient()
    const { values, returned } = await drain(await client.tokens.query({ prompt: 'over the socket' }))
    expect(values).toEqual(['over', 'the', 'socket'])
    expect(returned).toEqual({ words: 3, at: new Date(0) })
    // No HTTP call of the procedure: it went over the realtime connection.
    expect(requests.filter((request) => request.includes('tokens'))).toEqual([])
    close()
  })

  it('cancels the handler when the loop breaks', async () => {
    const { client, close } = await socketClient()
    for await (const value of await client.waiter.query({ key: `break over ${name}` })) {
      expect(value).toBe('first')
      break
    }
    await expect(ending(`break over ${name}`).promise).resolves.toEqual({ aborted: true })
    close()
  })

  it('delivers an error thrown mid-stream after the values sent before it, with no server detail', async () => {
    const { client, close } = await socketClient()
    const stream = await client.broken.query()
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    const failure = await stream.next().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', status: 500 })
    expect(String((failure as Error).message)).not.toContain('secret.ts')
    close()
  })

  it('leaves no generator running once every stream has ended', async () => {
    const { client, close } = await socketClient()
    await drain(await client.tokens.query({ prompt: 'a b' }))
    const key = `leak over ${name}`
    for await (const value of await client.waiter.query({ key })) {
      expect(value).toBe('first')
      break
    }
    await ending(key).promise
    expect(live.count).toBe(0)
    close()
  })
})

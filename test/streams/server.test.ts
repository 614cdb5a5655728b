import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMizanServer } from '@mizan/server'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ending, endings, flood, gate, gates, live, router, userOf } from './app.js'

const errors: unknown[] = []
const server = createMizanServer({
  router,
  createContext: ({ req }) => userOf(req.headers.get('authorization')),
  onError: ({ error }) => errors.push(error),
  websocket: { messagesPerSecond: 1e6 },
})
let base: string
let port: number
beforeAll(async () => {
  ;({ port } = await server.listen(0, '127.0.0.1'))
  base = `http://127.0.0.1:${port}/api/mizan`
})
afterAll(() => server.close())
beforeEach(() => {
  gates.clear()
  endings.clear()
  errors.length = 0
})

/** The lines of an ndjson body, parsed, as they arrive. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffered += decoder.decode(value, { stream: true })
      let at: number
      while ((at = buffered.indexOf('\n')) !== -1) {
        yield JSON.parse(buffered.slice(0, at)) as Record<string, unknown>
        buffered = buffered.slice(at + 1)
      }
    }
    expect(buffered).toBe('')
  } finally {
    reader.releaseLock()
  }
}

async function all(body: ReadableStream<Uint8Array>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = []
  for await (const line of lines(body)) out.push(line)
  return out
}

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value))

describe('a single call over HTTP', () => {
  it('streams the values line by line, then the return value', async () => {
    const res = await fetch(`${base}/tokens?input=${q({ prompt: 'a b c' })}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await all(res.body!)).toEqual([
      { yield: 'a' },
      { yield: 'b' },
      { yield: 'c' },
      { done: true, data: { words: 3, at: '1970-01-01T00:00:00.000Z' }, meta: { values: { at: ['Date'] }, v: 1 } },
    ])
    expect(live.count).toBe(0)
  })

  it('sends a streaming mutation’s invalidations in its done line, not in a header', async () => {
    const res = await fetch(`${base}/change`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { id: '7' } }) })
    expect(res.headers.get('x-mizan-invalidate')).toBeNull()
    expect(await all(res.body!)).toEqual([{ yield: 1 }, { yield: 2 }, { done: true, data: 'changed', invalidate: [{ path: 'tokens' }, { path: 'plain', input: { id: '7' } }] }])
  })

  it('streams an AsyncIterable a plain function returns', async () => {
    const res = await fetch(`${base}/counted`)
    expect(await all(res.body!)).toEqual([{ yield: 1 }, { yield: 2 }, { yield: 3 }, { done: true }])
  })

  it('ends with an error line after the values already sent: thrown, declared, a value failing the output schema', async () => {
    const broken = await all((await fetch(`${base}/broken`)).body!)
    expect(broken).toEqual([{ yield: 1 }, { error: { code: 'INTERNAL_SERVER_ERROR', status: 500, message: 'Internal server error' } }])
    expect(JSON.stringify(broken)).not.toContain('/work/')
    expect(await all((await fetch(`${base}/declared`)).body!)).toEqual([{ yield: 1 }, { error: { code: 'NOT_FOUND', status: 404, message: 'Not found', data: { id: 'x' } } }])
    const bad = await all((await fetch(`${base}/badValue`)).body!)
    expect(bad).toEqual([{ yield: 1 }, { error: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR', status: 500 }) }])
    expect(errors).toHaveLength(3)
  })

  it('answers errors before the first value as plain JSON replies (auth, input)', async () => {
    const secret = await fetch(`${base}/secret`)
    expect(secret.status).toBe(401)
    expect(secret.headers.get('content-type')).toBe('application/json')
    expect(await secret.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    const input = await fetch(`${base}/tokens?input=${q({ prompt: 5 })}`)
    expect(input.status).toBe(400)
    expect(await input.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } })
    const signedIn = await fetch(`${base}/secret`, { headers: { authorization: 'Bearer u1' } })
    expect(await all(signedIn.body!)).toEqual([{ yield: 'hidden' }, { done: true }])
  })

  it('stops the handler when the client aborts: its signal aborts and its finally runs', async () => {
    const controller = new AbortController()
    const res = await fetch(`${base}/waiter?input=${q({ key: 'http' })}`, { signal: controller.signal })
    const reading = lines(res.body!)
    expect((await reading.next()).value).toEqual({ yield: 'first' })
    controller.abort()
    expect(await ending('http').promise).toEqual({ aborted: true })
  })

  it('serves a stream through fetchHandler on a bare Request', async () => {
    const res = await server.fetchHandler(new Request(`http://edge.local/api/mizan/tokens?input=${q({ prompt: 'x y' })}`))
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(await all(res.body!)).toEqual([{ yield: 'x' }, { yield: 'y' }, expect.objectContaining({ done: true })])
  })

  it('answers HEAD without running the stream', async () => {
    const res = await fetch(`${base}/tokens?input=${q({ prompt: 'x' })}`, { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(live.count).toBe(0)
  })
})

describe('the manifest', () => {
  it('marks a procedure whose handler is an async generator function, not one known to stream only when called', async () => {
    const { procedures } = (await (await fetch(`${base}/_manifest`)).json()) as { procedures: Record<string, { stream?: boolean }> }
    expect(procedures.tokens!.stream).toBe(true)
    expect(procedures.change!.stream).toBe(true)
    expect('stream' in procedures.counted!).toBe(false)
    expect('stream' in procedures.now!).toBe(false)
  })
})

describe('a batch over HTTP', () => {
  it('answers line by line in completion order with accept: application/x-ndjson', async () => {
    const res = await fetch(`${base}/fast,slow,plain,now?input=${q([null, null, null, null])}`, { headers: { accept: 'application/x-ndjson' } })
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const reading = lines(res.body!)
    const seen: Record<string, unknown>[] = []
    const next = async () => {
      const line = (await reading.next()).value as Record<string, unknown>
      seen.push(line)
      return line
    }
    // The fast stream and the synchronous call finish while the slow stream and the plain call wait.
    const early = [await next(), await next(), await next()]
    expect(early).toEqual(expect.arrayContaining([{ i: 0, yield: 'f1' }, { i: 0, done: true, data: 'fast done' }, { i: 3, data: 'now' }]))
    expect(early.findIndex((line) => line.i === 0 && 'yield' in line)).toBeLessThan(early.findIndex((line) => line.i === 0 && 'done' in line))
    gate('plain').resolve()
    expect(await next()).toEqual({ i: 2, data: 'p' })
    gate('slow').resolve()
    expect(await next()).toEqual({ i: 1, yield: 's1' })
    expect(await next()).toEqual({ i: 1, done: true, data: 'slow done' })
    expect((await reading.next()).done).toBe(true)
  })

  it('answers a batch without the header as a JSON array, a stream in it refused as BAD_REQUEST', async () => {
    const before = live.count
    const res = await fetch(`${base}/now,tokens?input=${q([null, { input: { prompt: 'a' } }])}`)
    expect(res.headers.get('content-type')).toBe('application/json')
    const body = (await res.json()) as unknown[]
    expect(body[0]).toEqual({ data: 'now' })
    expect(body[1]).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('accept: application/x-ndjson') } })
    expect(live.count).toBe(before)
  })

  it('keeps request-level failures plain JSON errors', async () => {
    const res = await fetch(`${base}/now,fast?input=${q({ not: 'an array' })}`, { headers: { accept: 'application/x-ndjson' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json')
  })

  it('stops every open stream of the batch when the client aborts', async () => {
    const controller = new AbortController()
    const res = await fetch(`${base}/waiter,waiter?input=${q([{ input: { key: 'b1' } }, { input: { key: 'b2' } }])}`, { headers: { accept: 'application/x-ndjson' }, signal: controller.signal })
    const reading = lines(res.body!)
    await reading.next()
    controller.abort()
    expect(await Promise.all([ending('b1').promise, ending('b2').promise])).toEqual([{ aborted: true }, { aborted: true }])
  })
})

describe('backpressure', () => {
  it('Node: pulls no value while the writer waits for drain; a reader that stops holds the generator still', async () => {
    flood.pulls = 0
    flood.pullsWhileWaiting = 0
    let blocked!: () => void
    const blockedOnce = new Promise<void>((resolve) => (blocked = resolve))
    const http = createServer((req, res: ServerResponse) => {
      const write = res.write.bind(res) as (chunk: string) => boolean
      res.write = ((chunk: string) => {
        const ok = write(chunk)
        if (!ok) {
          flood.waiting = true
          blocked()
          res.once('drain', () => (flood.waiting = false))
        }
        return ok
      }) as typeof res.write
      server.nodeHandler(req, res)
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const count = 4000
    const size = 64 * 1024
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/mizan/flood?input=${q({ count, size })}`
    const res = await fetch(url)
    // Nothing is read: the socket's buffers fill and the writer waits.
    await blockedOnce
    const pulledWhenBlocked = flood.pulls
    expect(pulledWhenBlocked).toBeLessThan(count / 4)
    let received = 0
    for await (const line of lines(res.body!)) if ('yield' in line) received++
    expect(received).toBe(count)
    expect(flood.pullsWhileWaiting).toBe(0)
    await new Promise((resolve) => http.close(resolve))
  })

  it('fetch: the body is a stream pulled on demand, one value per read', async () => {
    flood.pulls = 0
    const res = await server.fetchHandler(new Request(`http://edge.local/api/mizan/flood?input=${q({ count: 1000, size: 16 })}`))
    expect(flood.pulls).toBe(0)
    const reader = res.body!.getReader()
    await reader.read()
    expect(flood.pulls).toBe(1)
    await reader.read()
    expect(flood.pulls).toBe(2)
    const before = live.count
    await reader.cancel()
    expect(live.count).toBe(before - 1)
  })
})

describe('the in-process caller', () => {
  it('returns an AsyncGenerator of checked values and the return value', async () => {
    const caller = server.createCaller({ user: null })
    const stream = await caller.tokens({ prompt: 'a b' })
    const got: string[] = []
    let step = await stream.next()
    while (step.done !== true) {
      got.push(step.value)
      step = await stream.next()
    }
    expect(got).toEqual(['a', 'b'])
    expect(step.value).toEqual({ words: 2, at: new Date(0) })
    const bad = await caller.badValue()
    expect(await bad.next()).toEqual({ done: false, value: 1 })
    await expect(bad.next()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' })
  })

  it('return() runs the handler’s finally and aborts its signal', async () => {
    const stream = await server.createCaller({ user: null }).waiter({ key: 'caller' })
    expect(await stream.next()).toEqual({ done: false, value: 'first' })
    await stream.return(undefined)
    expect(await ending('caller').promise).toEqual({ aborted: true })
  })
})

// ---- WebSocket ---------------------------------------------------------------------------------

type Frame = { type?: string; id?: unknown; value?: { json?: unknown }; result?: Record<string, unknown>; error?: { code?: string } }

async function socket() {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
  const frames: Frame[] = []
  const waiters: (() => void)[] = []
  const state = { closed: false }
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame)
    for (const wake of waiters.splice(0)) wake()
  })
  ws.on('close', () => {
    state.closed = true
    for (const wake of waiters.splice(0)) wake()
  })
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise<void>((resolve) => waiters.push(resolve))
  }
  await until(() => frames.some((frame) => frame.type === 'hello'))
  const send = (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  return { ws, frames, until, send, state }
}

describe('the WebSocket', () => {
  it('ends a stream that yields nothing with a done result, told apart from a plain answer', async () => {
    const s = await socket()
    s.send({ type: 'call', id: 'z', path: 'empty', input: null })
    await s.until(() => s.frames.some((frame) => frame.type === 'result' && frame.id === 'z'))
    expect(s.frames.filter((frame) => frame.id === 'z')).toEqual([{ type: 'result', id: 'z', result: { done: true } }])
    s.ws.close()
  })

  it('sends yield frames, then the result with the return value', async () => {
    const s = await socket()
    s.send({ type: 'call', id: '1', path: 'tokens', input: { prompt: 'a b' } })
    await s.until(() => s.frames.some((frame) => frame.type === 'result' && frame.id === '1'))
    const mine = s.frames.filter((frame) => frame.id === '1')
    expect(mine).toEqual([
      { type: 'yield', id: '1', value: { json: 'a' } },
      { type: 'yield', id: '1', value: { json: 'b' } },
      { type: 'result', id: '1', result: { done: true, data: { words: 2, at: '1970-01-01T00:00:00.000Z' }, meta: { values: { at: ['Date'] }, v: 1 } } },
    ])
    s.send({ type: 'call', id: '2', path: 'broken' })
    await s.until(() => s.frames.some((frame) => frame.type === 'result' && frame.id === '2'))
    expect(s.frames.filter((frame) => frame.id === '2').map((frame) => frame.type)).toEqual(['yield', 'result'])
    expect(s.frames.find((frame) => frame.type === 'result' && frame.id === '2')!.result).toMatchObject({ error: { code: 'INTERNAL_SERVER_ERROR' } })
    s.send({ type: 'call', id: '3', path: 'unsendable' })
    await s.until(() => s.frames.some((frame) => frame.type === 'result' && frame.id === '3'))
    expect(s.frames.filter((frame) => frame.id === '3').map((frame) => frame.type)).toEqual(['yield', 'result'])
    s.ws.close()
  })

  it('stops a stream on a cancel frame: its finally runs, its signal aborted, nothing more is sent for it', async () => {
    const s = await socket()
    s.send({ type: 'call', id: 'w', path: 'waiter', input: { key: 'ws' } })
    await s.until(() => s.frames.some((frame) => frame.type === 'yield' && frame.id === 'w'))
    s.send({ type: 'cancel', id: 'w' })
    expect(await ending('ws').promise).toEqual({ aborted: true })
    // A later call's result proves the connection went on; nothing came for the cancelled id.
    s.send({ type: 'call', id: 'n', path: 'now' })
    await s.until(() => s.frames.some((frame) => frame.id === 'n'))
    expect(s.frames.filter((frame) => frame.id === 'w').map((frame) => frame.type)).toEqual(['yield'])
    s.ws.close()
  })

  it('stops every stream of a connection that closes', async () => {
    const s = await socket()
    s.send({ type: 'call', id: 'a', path: 'waiter', input: { key: 'close' } })
    await s.until(() => s.frames.some((frame) => frame.type === 'yield'))
    s.ws.close()
    expect(await ending('close').promise).toEqual({ aborted: true })
  })

  it('ignores cancel frames for unknown ids, and answers malformed ones with an error frame', async () => {
    const s = await socket()
    s.send({ type: 'cancel', id: 'nope' })
    s.send({ type: 'cancel', id: 5 })
    s.send({ type: 'cancel' })
    s.send({ type: 'call', id: 'n', path: 'now' })
    await s.until(() => s.frames.some((frame) => frame.id === 'n'))
    const errorsSent = s.frames.filter((frame) => frame.type === 'error')
    expect(errorsSent).toHaveLength(2)
    expect(errorsSent.every((frame) => frame.error?.code === 'BAD_REQUEST')).toBe(true)
    expect(s.frames.some((frame) => frame.id === 'nope')).toBe(false)
    s.ws.close()
  })
})

describe('hostile frames against a connection with a live stream', () => {
  const ids = fc.constantFrom('live', 'x', '', '1', '__proto__', 'constructor')
  const frame = fc.oneof(
    fc.record({ type: fc.constantFrom('cancel', 'call', 'unsubscribe', 'send', 'yield', 'result'), id: fc.oneof(ids, fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] }),
    fc.record({ type: fc.constant('call'), id: ids, path: fc.constantFrom('waiter', 'tokens', 'counted', 'broken', 'now', 'nope'), input: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ key: fc.string(), prompt: fc.string() })) }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 50 }),
  )

  it('never crashes the connection and never leaks a generator', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { maxLength: 30 }), async (sent) => {
        const s = await socket()
        s.send({ type: 'call', id: 'live', path: 'waiter', input: { key: 'fuzz' } })
        await s.until(() => s.frames.some((f) => f.type === 'yield' && f.id === 'live'))
        for (const item of sent) s.send(item)
        // The connection still answers; then it closes, and every generator it started stops.
        s.send({ type: 'call', id: 'probe', path: 'now' })
        await s.until(() => s.frames.some((f) => f.type === 'result' && f.id === 'probe') || s.state.closed)
        expect(s.state.closed).toBe(false)
        expect(s.frames.every((f) => ['hello', 'yield', 'result', 'error'].includes(f.type!))).toBe(true)
        s.ws.close()
        await s.until(() => s.state.closed)
        while (live.count > 0) await new Promise((resolve) => setImmediate(resolve))
        endings.clear()
      }),
      { numRuns: 40 },
    )
    expect(errors.every((error) => !(error instanceof Error) || !/Cannot|undefined/.test(error.message))).toBe(true)
  })
})

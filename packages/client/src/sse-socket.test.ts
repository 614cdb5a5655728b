import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SseSocket } from './sse-socket.js'

const encoder = new TextEncoder()

interface Request {
  url: string
  method: string
  headers: Record<string, string>
  body: string | undefined
  signal: AbortSignal
  /** Answers the request (a POST's status; a GET's status and type, its body then fed by `push`). */
  answer: (status: number, type?: string) => void
  fail: (error: Error) => void
}

/** A fetch driven by the test: each request waits for its `answer`; a 200 GET's body is fed by `push`/`end`. */
function fakeFetch() {
  const requests: Request[] = []
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined
  const waiting: (() => void)[] = []
  const fetch = ((url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const request: Request = {
        url,
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
        signal: init.signal!,
        answer: (status, type = 'text/event-stream') => {
          if (request.method === 'POST' || status !== 200) return resolve(new Response(status === 204 ? null : 'x', { status }))
          const body = new ReadableStream<Uint8Array>({ start: (controller) => void (stream = controller) })
          resolve(new Response(body, { status, headers: { 'content-type': type } }))
        },
        fail: reject,
      }
      init.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true })
      requests.push(request)
      for (const wake of waiting.splice(0)) wake()
    })) as unknown as typeof globalThis.fetch
  return {
    fetch,
    requests,
    /** Resolves once `count` requests have been made. */
    async made(count: number): Promise<Request> {
      while (requests.length < count) await new Promise<void>((resolve) => waiting.push(resolve))
      return requests[count - 1]!
    },
    push: (text: string | Uint8Array) => stream!.enqueue(typeof text === 'string' ? encoder.encode(text) : text),
    end: () => stream!.close(),
  }
}

/** A socket over the fake fetch, with what it reports. */
function socket(server: ReturnType<typeof fakeFetch>, extra: { ticket?: string; lastEventId?: string; maxLineBytes?: number } = {}) {
  const socket = new SseSocket({
    url: 'http://x/api/mizan/_events',
    fetch: server.fetch,
    headers: async () => ({ authorization: 'Bearer alice' }),
    ticket: extra.ticket,
    lastEventId: extra.lastEventId,
    maxLineBytes: extra.maxLineBytes ?? 1024,
  })
  const messages: string[] = []
  const closes: { code: number; reason: string }[] = []
  let opened = false
  let wake: (() => void) | undefined
  const changed = () => wake?.()
  socket.onopen = () => {
    opened = true
    changed()
  }
  socket.onmessage = (event) => {
    messages.push(event.data)
    changed()
  }
  socket.onclose = (event) => {
    closes.push(event)
    changed()
  }
  /** Resolves once `condition` holds, re-checked at each thing the socket reports. */
  const when = async (condition: () => boolean) => {
    while (!condition()) await new Promise<void>((resolve) => (wake = resolve))
  }
  return { socket, messages, closes, when, opened: () => opened }
}

const HELLO = 'data: {"type":"hello","connection":"c1","websocket":[],"session":"secret-1"}\n\n'

describe('SseSocket', () => {
  it('opens the stream with the headers, ticket and cursor in headers (never the URL), and hands each frame on', async () => {
    const server = fakeFetch()
    const s = socket(server, { ticket: 't1', lastEventId: '42' })
    const get = await server.made(1)
    expect(get.method).toBe('GET')
    expect(get.url).toBe('http://x/api/mizan/_events')
    expect(get.headers).toMatchObject({ authorization: 'Bearer alice', accept: 'text/event-stream', 'x-mizan-ticket': 't1', 'last-event-id': '42' })
    get.answer(200)
    await s.when(s.opened)
    server.push(HELLO + ': ping\n\nid: 43\ndata: {"type":"message","id":"s1",\ndata: "message":{"json":1}}\n\n')
    await s.when(() => s.messages.length === 2)
    expect(s.messages[1]).toBe('{"type":"message","id":"s1",\n"message":{"json":1}}')
    expect(s.socket.lastEventId).toBe('43')
    s.socket.close()
    await s.when(() => s.closes.length === 1)
    expect(get.signal.aborted).toBe(true)
    expect(s.closes).toEqual([{ code: 1000, reason: '' }])
  })

  it('sends frames in order, one POST at a time, the frames sent meanwhile together in the next', async () => {
    const server = fakeFetch()
    const s = socket(server)
    ;(await server.made(1)).answer(200)
    await s.when(s.opened)
    s.socket.send('{"n":0}') // before the hello: waits for the session
    server.push(HELLO)
    const first = await server.made(2)
    expect(first).toMatchObject({ method: 'POST', url: 'http://x/api/mizan/_events', body: '{"n":0}' })
    expect(first.headers).toMatchObject({ authorization: 'Bearer alice', 'content-type': 'application/x-ndjson', 'x-mizan-session': 'secret-1' })
    s.socket.send('{"n":1}')
    s.socket.send('{"n":2}')
    s.socket.send('{"n":3}')
    first.answer(204)
    const second = await server.made(3)
    expect(second.body).toBe('{"n":1}\n{"n":2}\n{"n":3}')
    s.socket.send('{"n":4}')
    second.answer(202) // forwarded to the instance holding the session: delivered all the same
    expect((await server.made(4)).body).toBe('{"n":4}')
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(3)
    s.socket.close()
    await s.when(() => s.closes.length === 1)
  })

  it('maps refusals before the stream to close codes: 401 → 4401, 503 → 1013, others and non-streams → 1006', async () => {
    for (const [status, type, code] of [
      [401, undefined, 4401],
      [503, undefined, 1013],
      [404, undefined, 1006],
      [403, undefined, 1006],
      [200, 'text/html', 1006],
    ] as const) {
      const server = fakeFetch()
      const s = socket(server)
      ;(await server.made(1)).answer(status, type)
      await s.when(() => s.closes.length === 1)
      expect(s.opened()).toBe(false)
      expect(s.closes[0]!.code).toBe(code)
    }
    const server = fakeFetch()
    const s = socket(server)
    ;(await server.made(1)).fail(new TypeError('fetch failed'))
    await s.when(() => s.closes.length === 1)
    expect(s.closes[0]!.code).toBe(1006)
  })

  it('closes with the code of an `event: close`, and 1006 when the stream just ends', async () => {
    const server = fakeFetch()
    const s = socket(server)
    ;(await server.made(1)).answer(200)
    server.push(HELLO + 'event: close\ndata: {"code":1012,"reason":"restarting"}\n\n')
    await s.when(() => s.closes.length === 1)
    expect(s.closes).toEqual([{ code: 1012, reason: 'restarting' }])

    const ended = fakeFetch()
    const e = socket(ended)
    ;(await ended.made(1)).answer(200)
    ended.push(HELLO)
    ended.end()
    await e.when(() => e.closes.length === 1)
    expect(e.closes[0]!.code).toBe(1006)
  })

  it('closes when a POST is refused (404 unknown session → 1006; 413 → 1009; 400 → 1008), and aborts a POST in flight on close', async () => {
    for (const [status, code] of [
      [404, 1006],
      [413, 1009],
      [400, 1008],
    ] as const) {
      const server = fakeFetch()
      const s = socket(server)
      ;(await server.made(1)).answer(200)
      server.push(HELLO)
      await s.when(() => s.messages.length === 1)
      s.socket.send('{}')
      ;(await server.made(2)).answer(status)
      await s.when(() => s.closes.length === 1)
      expect(s.closes[0]!.code).toBe(code)
      expect(() => s.socket.send('{}')).toThrow(/not open/)
    }
    const server = fakeFetch()
    const s = socket(server)
    ;(await server.made(1)).answer(200)
    server.push(HELLO)
    await s.when(() => s.messages.length === 1)
    s.socket.send('{}')
    const post = await server.made(2)
    s.socket.close(1000)
    await s.when(() => s.closes.length === 1)
    expect(post.signal.aborted).toBe(true)
    expect(s.closes).toHaveLength(1)
  })

  it('closes with 1009 on a line longer than maxLineBytes, holding no more of it', async () => {
    const server = fakeFetch()
    const s = socket(server, { maxLineBytes: 64 })
    ;(await server.made(1)).answer(200)
    server.push('data: ' + 'x'.repeat(100))
    await s.when(() => s.closes.length === 1)
    expect(s.closes[0]!.code).toBe(1009)
  })

  it('property: whatever bytes the server streams, the socket closes once and nothing throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(HELLO, 'data: x\n\n', 'event: close\ndata: {"code":"x"}\n\n', '\r\n', 'data: {"type":"hello","session":5}\n\n')), { maxLength: 10 }), async (chunks) => {
        const server = fakeFetch()
        const s = socket(server, { maxLineBytes: 32 })
        ;(await server.made(1)).answer(200)
        for (const chunk of chunks) server.push(chunk)
        server.end()
        await s.when(() => s.closes.length === 1)
        expect(s.closes).toHaveLength(1)
        // Cut off (1006: the end, or a close event of no valid code) or too long (1009): nothing else.
        expect([1006, 1009]).toContain(s.closes[0]!.code)
      }),
      { numRuns: 60 },
    )
  })
})

import { createMizanServer, createTicketIssuer, initMizan, MizanError } from '@mizan/server'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()

/** Something of every kind a frame can reach: calls with and without input, channels with every hook. */
const router = m.router({
  health: m.query({ websocket: true }, () => 'ok'),
  echo: m.query({ websocket: true, input: z.object({ n: z.number(), at: z.date().optional(), tags: z.array(z.string()).max(5).optional() }) }, ({ input }) => input),
  save: m.mutation({ websocket: true, input: z.object({ title: z.string().min(1).max(50) }), affects: ['echo'] }, ({ input }) => input.title.length),
  conflict: m.query({ websocket: true }, () => {
    throw new MizanError('CONFLICT', 'no')
  }),
  httpOnly: m.query(() => 1),
  chat: m.channel({
    params: z.object({ room: z.string().min(1).max(20) }),
    message: z.object({ text: z.string() }),
    authorize: ({ params }) => params.room !== 'closed',
    group: ({ params }) => params.room,
    receive: { message: z.object({ text: z.string().max(100) }), handle: ({ message, publish }) => publish({ text: message.text }) },
  }),
})

const MAX_MESSAGE = 4096
const POLICY_CLOSES = [1008, 1009] // documented: a frame the protocol refuses outright, a frame over the size limit
const FRAME_TYPES = ['hello', 'result', 'error', 'subscribed', 'message', 'sent', 'resync', 'invalidate']
const LEAKS = [/at .*\.(ts|js):\d+/, /\/work\//, /node_modules/]

let server: ReturnType<typeof createMizanServer<typeof router>>
let port: number
const reported: unknown[] = []
beforeAll(async () => {
  server = createMizanServer({
    router,
    createContext: () => ({ user: null }),
    // Frames are sent as fast as the property runs: the rate limit would only close the socket.
    websocket: { messagesPerSecond: 1e6, maxMessageSize: MAX_MESSAGE },
    onError: ({ error }) => reported.push(error),
  })
  ;({ port } = await server.listen(0, '127.0.0.1'))
})
afterAll(() => server.close())

type Received = { text: string; frame: { type?: unknown; id?: unknown; error?: { code?: unknown } } }

/** One socket past its hello; every frame it receives is kept, and how it closed. */
async function open() {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
  const received: Received[] = []
  const state: { closed?: number; onChange?: () => void } = {}
  ws.on('message', (data) => {
    const text = String(data)
    received.push({ text, frame: JSON.parse(text) })
    state.onChange?.()
  })
  ws.on('close', (code) => {
    state.closed = code
    state.onChange?.()
  })
  await new Promise<void>((resolve) => (state.onChange = () => received.length > 0 && resolve()))
  return { ws, received, state }
}

/** Resolves once `done` holds, re-checked on every frame and on close. */
function when(socket: Awaited<ReturnType<typeof open>>, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    socket.state.onChange = () => done() && resolve()
    socket.state.onChange()
  })
}

// ---- what gets sent ----------------------------------------------------------------------------

const json = fc.jsonValue({ maxDepth: 4 })
// Objects that break a naive String(value): their toString / valueOf are not functions.
const unprintable = fc.constantFrom({ toString: 1 }, { valueOf: {}, toString: {} }, { toString: null }, [{ toString: 'x' }])
const loose = <T,>(...known: T[]) => fc.oneof(fc.constantFrom(...known), fc.string(), json, unprintable)
const superjsonMeta = fc.record(
  {
    values: fc.oneof(json, fc.dictionary(fc.string(), fc.oneof(loose('Date', 'bigint', 'set', 'map', 'regexp', 'undefined', 'number', 'symbol'), fc.constant(['class', 'X']), fc.constant(['custom', 'x'])))),
    referentialEqualities: fc.oneof(json, fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 3 }))),
    v: json,
  },
  { requiredKeys: [] },
)
const frameObject = fc.record(
  {
    type: loose('call', 'subscribe', 'unsubscribe', 'send', 'auth', 'hello', '__proto__', 'constructor'),
    id: fc.oneof(fc.string(), json, unprintable),
    path: loose('health', 'echo', 'save', 'conflict', 'httpOnly', 'chat', 'nope', 'toString', '__proto__', 'constructor', 'chat.x', ''),
    input: fc.oneof(json, fc.record({ n: fc.oneof(fc.double(), json), at: json, tags: json }, { requiredKeys: [] }), fc.record({ title: fc.oneof(fc.string(), json) })),
    params: fc.oneof(json, fc.record({ room: fc.oneof(fc.constantFrom('r', 'closed', ''), fc.string(), json) })),
    message: fc.oneof(json, fc.record({ text: fc.oneof(fc.string(), json) })),
    meta: fc.oneof(json, superjsonMeta),
    ref: fc.oneof(fc.string(), json, unprintable),
  },
  { requiredKeys: [] },
)
const hostile = fc.constantFrom(
  '{"type":"call","id":"p","path":"echo","input":{"__proto__":{"polluted":true}}}',
  '{"type":"call","id":"c","path":"echo","input":{"constructor":{"prototype":{"polluted":true}}}}',
  '['.repeat(5000),
  `{"type":"call","id":"d","path":"echo","input":${'['.repeat(200)}${']'.repeat(200)}}`,
  '{"type":"call","id":"n","path":"echo","input":{"n":1e999}}',
  '\u0000',
  '',
  'null',
  '"call"',
)
/** A frame: any string, any JSON value, a frame-shaped object, a hostile classic, or binary. */
type Sent = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array }
const sent: fc.Arbitrary<Sent> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 200 }).map((data) => ({ kind: 'text' as const, data })) },
  { weight: 3, arbitrary: json.map((value) => ({ kind: 'text' as const, data: JSON.stringify(value) })) },
  { weight: 8, arbitrary: frameObject.map((value) => ({ kind: 'text' as const, data: JSON.stringify(value) })) },
  { weight: 1, arbitrary: hostile.map((data) => ({ kind: 'text' as const, data })) },
  { weight: 1, arbitrary: fc.string({ minLength: MAX_MESSAGE + 1, maxLength: MAX_MESSAGE + 64 }).map((data) => ({ kind: 'text' as const, data })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data) => ({ kind: 'binary' as const, data })) },
)

/** True when the protocol owes this frame an error frame at once: not an object, or no string id, or an unknown type. */
function owesError(item: Sent): boolean {
  if (item.kind === 'binary' || Buffer.byteLength(item.data) > MAX_MESSAGE) return false // closed instead
  let frame: unknown
  try {
    frame = JSON.parse(item.data)
  } catch {
    return true
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return true
  const { type, id } = frame as { type?: unknown; id?: unknown }
  return typeof id !== 'string' || !['call', 'subscribe', 'unsubscribe', 'send', 'cancel'].includes(type as string)
}

// ---- the property ------------------------------------------------------------------------------

describe('the WebSocket frame decoder, fuzzed', () => {
  it('never crashes, never leaks, answers an error or closes by policy, and still serves a normal call', async () => {
    let socket = await open()
    let sentinel = 0
    const everything: Received[] = []
    await fc.assert(
      fc.asyncProperty(sent, async (item) => {
        if (socket.state.closed !== undefined) {
          everything.push(...socket.received)
          socket = await open()
        }
        const from = socket.received.length
        if (item.kind === 'binary') socket.ws.send(item.data, { binary: true })
        else socket.ws.send(item.data)
        // A health call right behind it: once it is answered, what the frame caused at once came first.
        const id = `~health~${++sentinel}`
        socket.ws.send(JSON.stringify({ type: 'call', id, path: 'health' }))
        await when(socket, () => socket.state.closed !== undefined || socket.received.some((r) => r.frame.id === id && r.frame.type === 'result'))
        const answers = socket.received.slice(from)
        for (const { text, frame } of answers) {
          for (const leak of LEAKS) expect(text).not.toMatch(leak)
          expect(FRAME_TYPES).toContain(frame.type)
          if (frame.type === 'error') expect(frame.error?.code).not.toBe('INTERNAL_SERVER_ERROR')
        }
        if (socket.state.closed !== undefined) {
          expect(POLICY_CLOSES).toContain(socket.state.closed)
          return
        }
        if (owesError(item)) expect(answers.some((r) => r.frame.type === 'error')).toBe(true)
      }),
      { seed: 42, numRuns: 400 },
    )
    everything.push(...socket.received)
    // Whatever came later (answers to async calls) leaks nothing either.
    for (const { text } of everything) for (const leak of LEAKS) expect(text).not.toMatch(leak)
    // onError hears refused calls too; none of them may be a server fault.
    expect(reported.filter((error) => !(error instanceof MizanError) || error.status >= 500)).toEqual([])
    // Still serving: a fresh socket gets a normal answer.
    const after = await open()
    after.ws.send(JSON.stringify({ type: 'call', id: 'last', path: 'health' }))
    await when(after, () => after.received.some((r) => r.frame.id === 'last'))
    expect(after.received.find((r) => r.frame.id === 'last')?.frame).toEqual({ type: 'result', id: 'last', result: { data: 'ok' } })
    after.ws.close()
    socket.ws.close()
  })

  it('turns away any first frame that is not a valid ticket with 1008 or 4401, and nothing else', async () => {
    const issuer = createTicketIssuer({ secret: randomBytes(32) })
    const errors: unknown[] = []
    const guarded = createMizanServer({ router, createContext: () => ({ user: null }), websocket: { tickets: issuer }, onError: ({ error }) => errors.push(error) })
    const { port: guardedPort } = await guarded.listen(0, '127.0.0.1')
    const ticketish = fc.oneof(fc.string(), json, unprintable, fc.constant(await issuer.mint({ sub: 'u' })).map((t) => t.slice(0, -2) + 'AA'))
    const first = fc.oneof(sent, fc.record({ type: loose('auth'), ticket: ticketish }, { requiredKeys: [] }).map((value) => ({ kind: 'text' as const, data: JSON.stringify(value) })))
    try {
      await fc.assert(
        fc.asyncProperty(first, async (item) => {
          const ws = new WebSocket(`ws://127.0.0.1:${guardedPort}/api/mizan/_ws`)
          const frames: string[] = []
          ws.on('message', (data) => frames.push(String(data)))
          await new Promise((resolve) => ws.once('open', resolve))
          const closed = new Promise<number>((resolve) => ws.once('close', resolve))
          if (item.kind === 'binary') ws.send(item.data, { binary: true })
          else ws.send(item.data)
          expect([...POLICY_CLOSES, 4401]).toContain(await closed)
          expect(frames).toEqual([]) // no hello, no error detail
        }),
        { seed: 42, numRuns: 60 },
      )
      expect(errors).toEqual([])
    } finally {
      await guarded.close()
    }
  })
})

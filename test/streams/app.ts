import { initMizan, MizanError } from '@mizan/server'
import { z } from 'zod'

/** A promise the test settles: it orders what handlers do without timers. */
export interface Deferred<T = void> {
  promise: Promise<T>
  resolve: (value: T) => void
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

/** Gates by name, made on first use by whichever side asks first: a handler waits, the test opens. */
export const gates = new Map<string, Deferred>()
export const gate = (name: string): Deferred => {
  let found = gates.get(name)
  if (found === undefined) gates.set(name, (found = deferred()))
  return found
}

/** How a stream ended, by key: whether its signal was aborted when its `finally` ran. */
export const endings = new Map<string, Deferred<{ aborted: boolean }>>()
export const ending = (key: string) => {
  let found = endings.get(key)
  if (found === undefined) endings.set(key, (found = deferred()))
  return found
}

/** Generators running now (entered, `finally` not yet run): a leak shows here. */
export const live = { count: 0 }

/** The pulls of the flood generator, and pulls made while the writer waited for `drain`. */
export const flood = { pulls: 0, waiting: false, pullsWhileWaiting: 0 }

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()

/** Waits until `signal` aborts, then throws its reason. */
const aborted = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))

export const router = m.router({
  /** A channel nobody publishes to: subscribing opens a client's socket, which then carries `websocket` calls. */
  room: m.channel({ params: z.object({}), message: z.string() }),
  tokens: m.query({ websocket: true, input: z.object({ prompt: z.string() }), output: z.string() }, async function* ({ input }) {
    live.count++
    try {
      const words = input.prompt.split(' ')
      for (const word of words) yield word
      return { words: words.length, at: new Date(0) }
    } finally {
      live.count--
    }
  }),
  /** Yields `first`, then waits for its signal; reports how it ended under `key`. */
  waiter: m.query({ websocket: true, input: z.object({ key: z.string() }) }, async function* ({ input, signal }) {
    live.count++
    try {
      yield 'first'
      await aborted(signal)
    } finally {
      live.count--
      ending(input.key).resolve({ aborted: signal.aborted })
    }
  }),
  /** A stream made by a plain function: only known to stream once called. */
  counted: m.query({ websocket: true }, () => {
    const values = [1, 2, 3]
    return {
      [Symbol.asyncIterator]() {
        let at = 0
        return { next: async () => (at < values.length ? { done: false as const, value: values[at++]! } : { done: true as const, value: undefined }) }
      },
    }
  }),
  fast: m.query(async function* () {
    yield 'f1'
    return 'fast done'
  }),
  slow: m.query(async function* () {
    await gate('slow').promise
    yield 's1'
    return 'slow done'
  }),
  plain: m.query({ websocket: true }, async () => {
    await gate('plain').promise
    return 'p'
  }),
  now: m.query({ websocket: true }, () => 'now'),
  // A stream that ends before its first value.
  empty: m.query({ websocket: true }, async function* () {}),
  change: m.mutation({ affects: ['tokens'], input: z.object({ id: z.string() }) }, async function* ({ input, invalidate }) {
    yield 1
    invalidate('plain', { id: input.id })
    yield 2
    return 'changed'
  }),
  broken: m.query({ websocket: true }, async function* () {
    yield 1
    throw new Error('boom at /work/secret.ts:1')
  }),
  declared: m.query({ errors: { NOT_FOUND: z.object({ id: z.string() }) } }, async function* ({ fail }) {
    yield 1
    fail('NOT_FOUND', { id: 'x' })
  }),
  badValue: m.query({ output: z.number() }, async function* () {
    yield 1
    yield 'two' as unknown as number
    yield 3
  }),
  secret: m.query({ auth: true }, async function* () {
    yield 'hidden'
  }),
  flood: m.query({ input: z.object({ count: z.number(), size: z.number() }) }, async function* ({ input }) {
    live.count++
    try {
      const chunk = 'x'.repeat(input.size)
      for (let i = 0; i < input.count; i++) {
        flood.pulls++
        if (flood.waiting) flood.pullsWhileWaiting++
        yield chunk
      }
    } finally {
      live.count--
    }
  }),
  unsendable: m.query({ websocket: true }, async function* () {
    yield 1
    yield (() => 2) as unknown as number
  }),
})

export type StreamRouter = typeof router

/** The context: `authorization: Bearer <id>` signs in. */
export function userOf(header: string | null | undefined): Ctx {
  return { user: header?.startsWith('Bearer ') ? { id: header.slice(7) } : null }
}

export { MizanError }

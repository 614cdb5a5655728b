import { createMizanServer, initMizan, type Procedure } from '@mizan/server'
import { expectType } from 'tsd'
import { z } from 'zod'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()
const j = initMizan<Ctx>({ transformer: 'json' })

/** The client Output of a procedure. */
type OutputOf<P> = P extends Procedure<any, any, infer O, any, any, any, any> ? O : never

// An async generator without an output schema: its yielded type, its return value.
const words = m.query({ input: z.object({ prompt: z.string() }) }, async function* ({ input }) {
  for (const word of input.prompt.split(' ')) yield word
  return { count: 1, at: new Date() }
})
expectType<AsyncGenerator<string, { count: number; at: Date }, undefined>>({} as OutputOf<typeof words>)

// With an output schema: it describes one yielded value, its output type is what the client sees.
const parsed = m.query({ output: z.object({ n: z.string().transform((s) => s.length) }) }, async function* () {
  yield { n: 'abc' }
})
expectType<AsyncGenerator<{ n: number }, void, undefined>>({} as OutputOf<typeof parsed>)

// With no return value, the return type is void; without options too.
const bare = m.query(async function* () {
  yield 1
})
expectType<AsyncGenerator<number, void, undefined>>({} as OutputOf<typeof bare>)

// A mutation streams the same way.
const writes = m.mutation({ affects: [] }, async function* () {
  yield 'step'
  return true
})
expectType<AsyncGenerator<string, boolean, undefined>>({} as OutputOf<typeof writes>)

// With transformer 'json', each value and the return value are what JSON makes of them.
const dates = j.query(async function* () {
  yield { at: new Date() }
  return new Date()
})
expectType<AsyncGenerator<{ at: string }, string, undefined>>({} as OutputOf<typeof dates>)

// A plain function returning an AsyncIterable streams too (no return value known).
const iterable = m.query(() => ({ async *[Symbol.asyncIterator]() { yield 1 } }))
expectType<AsyncGenerator<number, void, undefined>>({} as OutputOf<typeof iterable>)

// A ReadableStream stays bytes.
const bytes = m.query(() => new ReadableStream<Uint8Array>())
expectType<Blob>({} as OutputOf<typeof bytes>)

// A yielded value must match the output schema.
// @ts-expect-error: 'x' is not a number
m.query({ output: z.number() }, async function* () {
  yield 'x'
})

// A stream is never cached.
// @ts-expect-error: cache on a streaming query
m.query({ cache: { ttl: 10, scope: 'public' } }, async function* () {
  yield 1
})
// A plain query may still be cached.
m.query({ cache: { ttl: 10, scope: 'public' } }, () => 1)

// The in-process caller resolves to the same generator.
const router = m.router({ words, parsed })
const caller = createMizanServer({ router, createContext: () => ({ user: null }) }).createCaller({ user: null })
expectType<Promise<AsyncGenerator<string, { count: number; at: Date }, undefined>>>(caller.words({ prompt: 'a b' }))
expectType<Promise<AsyncGenerator<{ n: number }, void, undefined>>>(caller.parsed())

import { initMizan } from '@mizan/server'
import { z } from 'zod'

/**
 * Routers with streamed outputs, made by the real builder: a streaming handler's client Output is
 * `AsyncGenerator<Yield, Return, undefined>`, each through the transformer. `JsonStreamsRouter` is
 * the same under `transformer: 'json'`, where a Date is a string.
 */
export type Tick = { at: Date; n: number }

const m = initMizan()
declare const later: () => Promise<void>

const streamsRouter = m.router({
  tokens: m.query({ input: z.object({ prompt: z.string() }), output: z.string() }, async function* ({ input }) {
    for (const word of input.prompt.split(' ')) yield word
    return { words: input.prompt.split(' ').length }
  }),
  ticks: m.query({ input: z.object({ from: z.number() }).optional() }, async function* ({ input }): AsyncGenerator<Tick, void> {
    yield { at: new Date(), n: input?.from ?? 0 }
  }),
  guarded: m.query({ input: z.object({ id: z.string() }), errors: { GONE: z.object({ deletedAt: z.date() }) } }, async function* ({ input, fail }): AsyncGenerator<number, undefined> {
    if (input.id === '') fail('GONE', { deletedAt: new Date() })
    yield 1
    return undefined
  }),
  plain: m.query({ input: z.object({ n: z.number() }) }, ({ input }) => input.n),
  progress: m.mutation({ input: z.object({ id: z.string() }) }, async function* ({ input }): AsyncGenerator<number, string> {
    yield 50
    await later()
    yield 100
    return `done ${input.id}`
  }),
  fails: m.query((): never => {
    throw new Error('never answers')
  }),
  untyped: m.query((): any => undefined),
  nested: m.router({
    feed: m.query(async function* (): AsyncGenerator<{ id: string }, void> {
      yield { id: '1' }
    }),
  }),
})
export type StreamsRouter = typeof streamsRouter

const json = initMizan({ transformer: 'json' })
const jsonStreamsRouter = json.router({
  ticks: json.query(async function* () {
    yield { at: new Date(), n: 1 }
    return { last: new Date() }
  }),
})
export type JsonStreamsRouter = typeof jsonStreamsRouter

import type { Procedure, Router } from '@mizan/server'

/**
 * A router's type with streamed outputs, declared by hand as the server builder gives them: a
 * streaming handler's client Output is `AsyncGenerator<Yield, Return, undefined>`, each through the
 * transformer. `JsonStreamsRouter` is the same under `transformer: 'json'`, where a Date is a string.
 */
export type Tick = { at: Date; n: number }

export type StreamsRouter = Router<{
  tokens: Procedure<'query', { prompt: string }, AsyncGenerator<string, { words: number }, undefined>>
  ticks: Procedure<'query', { from: number } | undefined, AsyncGenerator<Tick, void, undefined>>
  guarded: Procedure<'query', { id: string }, AsyncGenerator<number, undefined, undefined>, never, undefined, { GONE: { deletedAt: Date } }>
  plain: Procedure<'query', { n: number }, number>
  progress: Procedure<'mutation', { id: string }, AsyncGenerator<number, string, undefined>>
  fails: Procedure<'query', undefined, never>
  untyped: Procedure<'query', undefined, any>
  nested: { feed: Procedure<'query', undefined, AsyncGenerator<{ id: string }, void, undefined>> }
}>

export type JsonStreamsRouter = Router<{
  ticks: Procedure<'query', undefined, AsyncGenerator<{ at: string; n: number }, { last: string }, undefined>>
}>

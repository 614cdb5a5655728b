import type { CallEnv, Dispatcher } from './dispatch.js'
import type { AnyChannel } from './channel.js'
import type { Procedure, ShapesOfProcedure } from './procedure.js'
import type { RecordOf } from './router.js'
import type { ExactSelection, Projected, ShapeSpec } from './shapes/types.js'

/** Options of one in-process call. */
export interface CallerCallOptions {
  signal?: AbortSignal
}

/** Calls a procedure in process; rejects with what the procedure threw. */
export type CallerProcedure<Input, Output, Shapes = never> = [Shapes] extends [never]
  ? PlainCall<Input, Output>
  : Shapes extends ShapeSpec<infer Named, infer Free, infer Selection>
    ? ShapedCall<Input, Output, Named, Free, Selection>
    : PlainCall<Input, Output>

type PlainCall<Input, Output> = undefined extends Input
  ? (input?: Input, options?: CallerCallOptions) => Promise<Output>
  : (input: Input, options?: CallerCallOptions) => Promise<Output>

/**
 * A query that takes shapes: `caller.posts.list(input, { shape })` resolves to the output cut to
 * the shape (a name of a declared shape, or, unless the query is `shape: 'named'`, a selection of
 * its own), typed as the client types it.
 */
export interface ShapedCall<Input, Output, Named, Free extends boolean, Selection = never> {
  <const N extends keyof Named & string>(input: Input, options: CallerCallOptions & { shape: N }): Promise<Projected<Output, Named[N]>>
  <const S extends Selection>(input: Input, options: CallerCallOptions & { shape: Free extends true ? S & ExactSelection<Selection, S> : never }): Promise<Projected<Output, S>>
  (...args: undefined extends Input ? [input?: Input, options?: CallerCallOptions & { shape?: undefined }] : [input: Input, options?: CallerCallOptions & { shape?: undefined }]): Promise<Output>
}

/** The in-process caller of a router: `caller.posts.list({ page: 1 })`, typed like the client. */
export type Caller<R> = {
  [K in keyof R]: R[K] extends Procedure<any, infer I, infer O, any, any> ? CallerProcedure<I, O, ShapesOfProcedure<R[K]>> : R[K] extends AnyChannel ? never : Caller<RecordOf<R[K]>>
}

/**
 * Options of `server.createCaller(ctx, options)`. The in-process caller is trusted server code:
 * declared rate limits do not apply to it unless `rateLimit` asks (say, for a server-side render
 * acting for a visitor).
 */
export interface CallerOptions {
  /** Apply declared rate limits, counted like calls from the network. Default `false`. */
  rateLimit?: boolean
  /** The address the calls count under for limits by address (the visitor's, when acting for one). */
  clientAddress?: string
}

/**
 * Builds a caller that runs procedures through the same dispatch as HTTP (auth, validation,
 * output checks, shapes, invalidations and cache purges included), with no network and no
 * serialization. Inputs may hold `File`s as they are; a result that is a stream of bytes is read into a
 * `Blob`; a handler that streams values resolves to an `AsyncGenerator` of them, each checked (its
 * `return()` aborts the handler's signal and runs its `finally`).
 */
export function createCallerProxy(dispatcher: Dispatcher, ctx: unknown, options: CallerOptions = {}, path: readonly string[] = []): unknown {
  return new Proxy(() => {}, {
    get: (_target, key) => (typeof key === 'string' && key !== 'then' ? createCallerProxy(dispatcher, ctx, options, [...path, key]) : undefined),
    apply: async (_target, _this, args: unknown[]) => {
      const dotted = path.join('.')
      const proc = dispatcher.resolve(dotted)
      if (proc === undefined) throw new TypeError(`Mizan: no procedure at "${dotted}"`)
      const call = args[1] as { signal?: AbortSignal; shape?: unknown } | undefined
      const signal = call?.signal
      const env: CallEnv = {
        signal: signal === undefined ? () => new AbortController().signal : () => signal,
        unlimited: options.rateLimit !== true,
        clientAddress: () => options.clientAddress,
      }
      const result = await dispatcher.call(proc, ctx, args[0], env, call?.shape)
      if (!result.ok) throw result.error
      // A stream arrives as a Blob, as it does for a client (a Blob or File stays itself).
      return result.data instanceof ReadableStream ? new Response(result.data).blob() : result.data
    },
  })
}

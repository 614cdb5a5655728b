import type { Dispatcher } from './dispatch.js'
import type { AnyChannel } from './channel.js'
import type { Procedure } from './procedure.js'
import type { RecordOf } from './router.js'

/** Calls a procedure in process; rejects with what the procedure threw. */
export type CallerProcedure<Input, Output> = undefined extends Input
  ? (input?: Input, options?: { signal?: AbortSignal }) => Promise<Output>
  : (input: Input, options?: { signal?: AbortSignal }) => Promise<Output>

/** The in-process caller of a router: `caller.posts.list({ page: 1 })`, typed like the client. */
export type Caller<R> = {
  [K in keyof R]: R[K] extends Procedure<any, infer I, infer O, any, any> ? CallerProcedure<I, O> : R[K] extends AnyChannel ? never : Caller<RecordOf<R[K]>>
}

/**
 * Builds a caller that runs procedures through the same dispatch as HTTP (auth, validation,
 * output checks, invalidations and cache purges included), with no network and no serialization.
 */
export function createCallerProxy(dispatcher: Dispatcher, ctx: unknown, path: readonly string[] = []): unknown {
  return new Proxy(() => {}, {
    get: (_target, key) => (typeof key === 'string' && key !== 'then' ? createCallerProxy(dispatcher, ctx, [...path, key]) : undefined),
    apply: async (_target, _this, args: unknown[]) => {
      const dotted = path.join('.')
      const proc = dispatcher.resolve(dotted)
      if (proc === undefined) throw new TypeError(`Mizan: no procedure at "${dotted}"`)
      const signal = (args[1] as { signal?: AbortSignal } | undefined)?.signal
      const result = await dispatcher.call(proc, ctx, args[0], signal === undefined ? undefined : { signal: () => signal })
      if (!result.ok) throw result.error
      return result.data
    },
  })
}

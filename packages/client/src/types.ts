import type { AffectsCheck, AnyRouter, Procedure, RecordOf } from '@mizan/server'

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call; it leaves its batch, and the request is cancelled once no call is left in it. */
  signal?: AbortSignal
}

/** A query on the client: `client.posts.list.query(input)`. */
export interface QueryProcedure<Input, Output> {
  query: undefined extends Input ? (input?: Input, options?: CallOptions) => Promise<Output> : (input: Input, options?: CallOptions) => Promise<Output>
}

/** A mutation on the client: `client.posts.create.mutate(input)`. */
export interface MutationProcedure<Input, Output> {
  mutate: undefined extends Input ? (input?: Input, options?: CallOptions) => Promise<Output> : (input: Input, options?: CallOptions) => Promise<Output>
}

/**
 * The client's shape for a router record. A plain mapped type, resolved lazily per property, so a
 * router of thousands of procedures costs the compiler only what a file actually touches.
 */
export type DecorateRecord<R> = {
  [K in keyof R]: R[K] extends Procedure<infer Kind, infer Input, infer Output, any, any>
    ? Kind extends 'query'
      ? QueryProcedure<Input, Output>
      : MutationProcedure<Input, Output>
    : DecorateRecord<RecordOf<R[K]>>
}

/** Compile-time check of a router's `affects` paths, applied to `createClient`'s options. */
export type RouterCheck<R extends AnyRouter> = AffectsCheck<R>

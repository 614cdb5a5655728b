import type { AffectsCheck, AnyRouter, Channel, Procedure, RecordOf } from '@mizan/server'
import type { Subscription, SubscriptionHandlers } from './ws-link.js'

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
    : R[K] extends Channel<infer Params, infer Message, infer Receive, any>
      ? ChannelClient<Params, Message, Receive>
      : DecorateRecord<RecordOf<R[K]>>
}

/** A channel on the client: `client.chat.subscribe(params, { onMessage })`. */
export interface ChannelClient<Params, Message, Receive> {
  subscribe(params: Params, handlers: SubscriptionHandlers<Message>): Subscription<Receive>
}

/** Compile-time check of a router's `affects` paths, applied to `createClient`'s options. */
export type RouterCheck<R extends AnyRouter> = AffectsCheck<R>

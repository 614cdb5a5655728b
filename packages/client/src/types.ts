import type { AffectsCheck, AnyRouter, Channel, DeclaredErrorOf, Procedure, RecordOf, Route, ShapeSpec } from '@mizan/server'
import type { DeclaredClientError, ProcedureErrors } from './errors.js'
import type { RouteClient } from './route-url.js'
import type { ShapedQueryProcedure } from './shapes.js'
import type { Subscription, SubscriptionHandlers } from './ws-link.js'

/** How far an upload has gone: bytes of the request body sent, of `total`. */
export interface UploadProgress {
  loaded: number
  total: number
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call; it leaves its batch, and the request is cancelled once no call is left in it. An upload is cancelled. */
  signal?: AbortSignal
  /**
   * Hears the progress of an upload (a mutation whose input holds files). Where `XMLHttpRequest`
   * exists (browsers) the upload goes through it and this is called as the bytes leave; elsewhere
   * fetch sends it, and this is called once, when the answer arrives, with `loaded === total`.
   * Not called for calls without files.
   */
  onUploadProgress?: (progress: UploadProgress) => void
}

/**
 * What the client accepts for a mutation's input: the input type, with `File | Blob` wherever it
 * has a `File` (an upload takes any Blob; the server receives a File named `blob`). Lazy and
 * shallow per level: Dates, Maps, Sets, RegExps, Blobs, binary arrays and functions are left as
 * they are.
 */
export type UploadInput<T> = T extends File
  ? T | Blob
  : T extends Blob | Date | RegExp | ReadonlyMap<any, any> | ReadonlySet<any> | ArrayBuffer | ArrayBufferView | ((...args: any[]) => any)
    ? T
    : T extends object
      ? { [K in keyof T]: UploadInput<T[K]> }
      : T

/** What a call resolves to: the output, with a stream the handler returned read into a `Blob`. */
export type ClientOutput<T> = T extends ReadableStream<any> ? Blob : T

/** A query on the client: `client.posts.list.query(input)`; `Declared` its declared errors. */
export interface QueryProcedure<Input, Output, Declared extends DeclaredClientError = never> extends ProcedureErrors<Declared> {
  query: undefined extends Input ? (input?: Input, options?: CallOptions) => Promise<Output> : (input: Input, options?: CallOptions) => Promise<Output>
}

/** A mutation on the client: `client.posts.create.mutate(input)`; files go where the input has `File`s. */
export interface MutationProcedure<Input, Output, Declared extends DeclaredClientError = never> extends ProcedureErrors<Declared> {
  mutate: undefined extends Input
    ? (input?: UploadInput<Input>, options?: CallOptions) => Promise<Output>
    : (input: UploadInput<Input>, options?: CallOptions) => Promise<Output>
}

/**
 * The client's shape for a router record. A plain mapped type, resolved lazily per property, so a
 * router of thousands of procedures costs the compiler only what a file actually touches. A query
 * that takes shapes is a {@link ShapedQueryProcedure}; one that takes none (`Shapes` is `never`)
 * keeps the plain {@link QueryProcedure}, and costs nothing for shapes.
 */
export type DecorateRecord<R> = {
  [K in keyof R]: R[K] extends Procedure<infer Kind, infer Input, infer Output, any, any, any, infer Shapes extends ShapeSpec<any, boolean, any>>
    ? Kind extends 'query'
      ? [Shapes] extends [never]
        ? QueryProcedure<Input, ClientOutput<Output>, DeclaredErrorOf<R[K]>>
        : ShapedQueryProcedure<Input, ClientOutput<Output>, Shapes, DeclaredErrorOf<R[K]>>
      : MutationProcedure<Input, ClientOutput<Output>, DeclaredErrorOf<R[K]>>
    : R[K] extends Channel<infer Params, infer Message, infer Receive, any>
      ? ChannelClient<Params, Message, Receive>
      : R[K] extends Route<any, infer Params, infer Query, any, any>
        ? RouteClient<Params, Query>
        : DecorateRecord<RecordOf<R[K]>>
}

/** A channel on the client: `client.chat.subscribe(params, { onMessage })`. */
export interface ChannelClient<Params, Message, Receive> {
  subscribe(params: Params, handlers: SubscriptionHandlers<Message>): Subscription<Receive>
}

/** Compile-time check of a router's `affects` paths, applied to `createClient`'s options. */
export type RouterCheck<R extends AnyRouter> = AffectsCheck<R>

import type { ClientOutput, MizanClientError, ProcedureErrors, UploadInput, UploadProgress } from '@mizan/client'
import type { AnyRouter, Channel, DeclaredErrorOf, Procedure, RecordOf, ShapeSpec } from '@mizan/server'
import type {
  DataTag,
  InfiniteData,
  SkipToken,
  UseInfiniteQueryOptions,
  UseInfiniteQueryResult,
  UseMutationOptions,
  UseMutationResult,
  UseQueryOptions,
  UseQueryResult,
  UseSuspenseQueryOptions,
  UseSuspenseQueryResult,
} from '@tanstack/react-query'
import type { ComponentType, ReactNode } from 'react'
import type { MizanPathKey, MizanQueryKey } from './keys.js'
import type { ShapedDecoratedQuery } from './shaped-query.js'
import type { UseStreamOptions, UseStreamResult } from './stream.js'

/** A query key tagged with its data and error types, so `getQueryData`/`setQueryData` are typed. */
export type TypedQueryKey<Output, Err = MizanClientError> = DataTag<MizanQueryKey, Output, Err>

/** Query options a caller may add to Mizan's (everything but the key and the function). */
export type QueryExtras<Output, Data, Err = MizanClientError> = Omit<UseQueryOptions<Output, Err, Data, MizanQueryKey>, 'queryKey' | 'queryFn'>

/** What `queryOptions` returns: ready for `useQuery`, `prefetchQuery`, `ensureQueryData`, `fetchQuery`. */
export type MizanQueryOptions<Output, Data = Output, Err = MizanClientError> = UseQueryOptions<Output, Err, Data, MizanQueryKey> & {
  queryKey: TypedQueryKey<Output, Err>
}

/** A query's arguments: its input (optional when it may be `undefined`; `skipToken` disables the query), then `Rest`. */
export type InputArgs<Input, Rest extends unknown[]> = undefined extends Input ? [input?: Input | SkipToken, ...Rest] : [input: Input | SkipToken, ...Rest]
/** A query's arguments where `skipToken` has no place (keys, suspense). */
export type RequiredInputArgs<Input, Rest extends unknown[]> = undefined extends Input ? [input?: Input, ...Rest] : [input: Input, ...Rest]

/** The cursor type of an input (`input.cursor`), for infinite queries. */
export type CursorOf<Input> = Input extends { cursor?: infer C } ? C : never

/** Options of `infiniteQueryOptions`: how to find the next page's cursor from a page. */
export type InfiniteExtras<Output, Input> = Omit<
  UseInfiniteQueryOptions<Output, MizanClientError, InfiniteData<Output, CursorOf<Input> | null>, MizanQueryKey, CursorOf<Input> | null>,
  'queryKey' | 'queryFn' | 'initialPageParam'
> & { initialPageParam?: CursorOf<Input> | null }

/** A query, decorated for TanStack Query. */
export interface DecoratedQuery<Input, Output, Err = MizanClientError> {
  /** Options for `useQuery` and the QueryClient's methods. Pass `skipToken` to disable it. */
  queryOptions<Data = Output>(...args: InputArgs<Input, [options?: QueryExtras<Output, Data, Err>]>): MizanQueryOptions<Output, Data, Err>
  /** The key of one input: `[pathSegments, { input, type: 'query' }]`, typed with the data it holds. */
  queryKey(...args: RequiredInputArgs<Input, []>): TypedQueryKey<Output, Err>
  /** The key of every input of this query. */
  pathKey(): MizanPathKey
  /** `useQuery(api.x.queryOptions(input, options))`. */
  useQuery<Data = Output>(...args: InputArgs<Input, [options?: QueryExtras<Output, Data, Err>]>): UseQueryResult<Data, Err>
  /** `useSuspenseQuery` over the same options: data is never undefined. */
  useSuspenseQuery<Data = Output>(
    ...args: RequiredInputArgs<Input, [options?: Omit<UseSuspenseQueryOptions<Output, Err, Data, MizanQueryKey>, 'queryKey' | 'queryFn'>]>
  ): UseSuspenseQueryResult<Data, Err>
  /** Options for `useInfiniteQuery`: the page's cursor goes into `input.cursor`. */
  infiniteQueryOptions(
    input: Omit<Input, 'cursor'>,
    options: InfiniteExtras<Output, Input>,
  ): UseInfiniteQueryOptions<Output, MizanClientError, InfiniteData<Output, CursorOf<Input> | null>, MizanQueryKey, CursorOf<Input> | null> & {
    queryKey: DataTag<MizanQueryKey, InfiniteData<Output, CursorOf<Input> | null>, MizanClientError>
  }
  /** `useInfiniteQuery(api.x.infiniteQueryOptions(input, options))`. */
  useInfiniteQuery(
    input: Omit<Input, 'cursor'>,
    options: InfiniteExtras<Output, Input>,
  ): UseInfiniteQueryResult<InfiniteData<Output, CursorOf<Input> | null>, MizanClientError>
}

/** Options of `streamOptions`: a query's options (its data is the array of values so far), and how a refetch treats them. */
export type StreamExtras<Value, Data = Value[], Err = MizanClientError> = Omit<UseQueryOptions<Value[], Err, Data, MizanQueryKey>, 'queryKey' | 'queryFn'> & {
  /**
   * What a refetch (an invalidation, say) does with the values: `'reset'` (default) clears them and
   * the query is pending again, `'append'` adds the new stream's values to them, `'replace'` keeps
   * them until the new stream ends, then replaces them.
   */
  refetchMode?: 'append' | 'reset' | 'replace'
}

/** What `streamOptions` returns: ready for `useQuery` and the QueryClient's methods; the data is the values so far. */
export type MizanStreamOptions<Value, Data = Value[], Err = MizanClientError> = UseQueryOptions<Value[], Err, Data, MizanQueryKey> & {
  queryKey: DataTag<MizanQueryKey, Value[], Err>
}

/**
 * A query whose handler streams (its Output is an `AsyncGenerator`), decorated for React: a query
 * in the cache whose data grows as values arrive, or one live stream outside it. It has no
 * `queryOptions`/`useQuery`: their data would be a generator no cache can hold.
 */
export interface DecoratedStream<Input, Value, Return, Err = MizanClientError> {
  /**
   * Query options over TanStack's `experimental_streamedQuery`: data is the array of values so far
   * (pending until the first); key `[pathSegments, { input, type: 'stream' }]`, so an invalidation of
   * the path refetches it. Pass `skipToken` to disable it.
   */
  streamOptions<Data = Value[]>(...args: InputArgs<Input, [options?: StreamExtras<Value, Data, Err>]>): MizanStreamOptions<Value, Data, Err>
  /**
   * One live stream outside the cache: `{ values, latest, status, error, result, stop }`. A new
   * input (by value) stops the old stream and starts a new one; unmounting stops it.
   */
  useStream(...args: InputArgs<Input, [options?: UseStreamOptions<Value>]>): UseStreamResult<Value, Return, Err>
  /** The key of every input of this query. */
  pathKey(): MizanPathKey
}

/** `[Value, Return]` of an Output that is an `AsyncGenerator`; `false` for any other (`any` and `never` included). */
export type StreamOutput<Output> = 0 extends 1 & Output
  ? false
  : [Output] extends [never]
    ? false
    : [Output] extends [AsyncGenerator<infer Value, infer Return, any>]
      ? [Value, Return]
      : false

/** The provider of a `context: 'local'` query: fetches it with `input` for the tree below. */
export interface LocalContextProvider<Input, Output> {
  /** `fallback` shows until the first answer; `options` go to the query (`placeholderData`, say). */
  Provider: ComponentType<{ input: Input; children?: ReactNode; fallback?: ReactNode; options?: QueryExtras<Output, Output> }>
}

/** Options of `mutationOptions`. */
export type MutationExtras<Input, Output, OnMutateResult, Err = MizanClientError> = Omit<UseMutationOptions<Output, Err, Input, OnMutateResult>, 'mutationFn' | 'mutationKey'> & {
  /** Resolve the mutation only once the active queries it affects have refetched. Default `false`. */
  awaitInvalidation?: boolean
  /**
   * Hears the progress of an upload (an input holding files), as the client's call option of that
   * name: as the bytes leave in browsers, once at the end elsewhere.
   */
  onUploadProgress?: (progress: UploadProgress) => void
}

/** A mutation, decorated for TanStack Query. */
export interface DecoratedMutation<Input, Output, Err = MizanClientError> {
  /** Options for `useMutation`. What the mutation affects refreshes by itself after success. */
  mutationOptions<OnMutateResult = unknown>(options?: MutationExtras<Input, Output, OnMutateResult, Err>): UseMutationOptions<Output, Err, Input, OnMutateResult>
  /** `useMutation(api.x.mutationOptions(options))`. */
  useMutation<OnMutateResult = unknown>(options?: MutationExtras<Input, Output, OnMutateResult, Err>): UseMutationResult<Output, Err, Input, OnMutateResult>
  /** The mutation key prefix, for `useIsMutating` and `useMutationState`. */
  pathKey(): MizanPathKey
}

/** Marks a decorated procedure with what `useMizanContext` reads at run time. */
export interface ContextTag<Output> {
  readonly '~context'?: Output
}

/** Marks a decorated channel with its types, for `useChannel`. */
export interface ChannelTag<Params, Message, Send> {
  readonly '~channel'?: { params: Params; message: Message; send: Send }
}

/**
 * The React decoration of a router record: a lazy mapped type, resolved per property. A query that
 * takes shapes is a {@link ShapedDecoratedQuery}; any other keeps the plain {@link DecoratedQuery}.
 */
export type DecorateReactRecord<R> = {
  [K in keyof R]: R[K] extends Procedure<infer Kind, infer Input, infer Output, any, infer Context, any, infer Shapes extends ShapeSpec<any, boolean, any>>
    ? Kind extends 'query'
      ? StreamOutput<Output> extends [infer Value, infer Return]
        ? DecoratedStream<Input, Value, Return, MizanClientError<DeclaredErrorOf<R[K]>>> & ProcedureErrors<DeclaredErrorOf<R[K]>>
        : ([Shapes] extends [never]
          ? DecoratedQuery<Input, ClientOutput<Output>, MizanClientError<DeclaredErrorOf<R[K]>>>
          : ShapedDecoratedQuery<Input, ClientOutput<Output>, Shapes, MizanClientError<DeclaredErrorOf<R[K]>>>) &
          ProcedureErrors<DeclaredErrorOf<R[K]>> &
          (Context extends 'global' | 'local' ? ContextTag<ClientOutput<Output>> : unknown) &
          (Context extends 'local' ? LocalContextProvider<Input, ClientOutput<Output>> : unknown)
      : DecoratedMutation<UploadInput<Input>, ClientOutput<Output>, MizanClientError<DeclaredErrorOf<R[K]>>> & ProcedureErrors<DeclaredErrorOf<R[K]>>
    : R[K] extends Channel<infer Params, infer Message, infer Send, any>
      ? ChannelTag<Params, Message, Send>
      : DecorateReactRecord<RecordOf<R[K]>> & { pathKey(): MizanPathKey }
}

/** What `createMizanReact` returns for a router. */
export type MizanReact<R extends AnyRouter> = DecorateReactRecord<RecordOf<R>>

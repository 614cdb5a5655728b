import type { MizanClientError, ShapeChoice, ShapedOutput, ShapeParam } from '@mizan/client'
import type { ShapeSpec } from '@mizan/server'
import type { DataTag, InfiniteData, UseInfiniteQueryOptions, UseInfiniteQueryResult, UseQueryResult, UseSuspenseQueryOptions, UseSuspenseQueryResult } from '@tanstack/react-query'
import type { MizanPathKey, MizanQueryKey } from './keys.js'
import type { CursorOf, InfiniteExtras, InputArgs, MizanQueryOptions, QueryExtras, RequiredInputArgs, TypedQueryKey } from './types.js'

// The React side of shapes: a query that takes them accepts `shape` beside TanStack's options, and
// its data is the projection. Reached only for such queries; every other query keeps the plain
// `DecoratedQuery`, so shapes cost a router that does not use them nothing.

/** `shape` beside other options: a named shape, or a selection (of type `Selection`) of the output's fields. */
export interface ShapeOption<Selection, S> {
  /**
   * The fields to fetch: the name of one of the query's shapes, or a selection (`{ id: true,
   * author: { name: true } }`). Part of the query key: each shape is cached apart.
   */
  shape?: ShapeParam<Selection, S>
}

/** `queryOptions`' options for a query that takes shapes: TanStack's, and `shape`. */
export type ShapedQueryExtras<Output, Spec extends ShapeSpec<any, boolean, any>, S, Data, Err = MizanClientError> = QueryExtras<ShapedOutput<Output, Spec, S>, Data, Err> & ShapeOption<Spec['selection'], S>

/** The pages of an infinite query, each the projection of its shape. */
type Pages<Output, Input> = InfiniteData<Output, CursorOf<Input> | null>

/**
 * A query that takes shapes, decorated for TanStack Query: {@link DecoratedQuery}'s methods, each
 * taking `shape` beside its options, and typed with the projection. Without `shape`, the data is
 * the whole output.
 *
 * ```ts
 * const cards = api.posts.list.useQuery({ page: 1 }, { shape: 'card' })
 * const titles = useQuery(api.posts.list.queryOptions({ page: 1 }, { shape: { id: true, title: true } }))
 * ```
 */
export interface ShapedDecoratedQuery<Input, Output, Spec extends ShapeSpec<any, boolean, any>, Err = MizanClientError> {
  /** Options for `useQuery` and the QueryClient's methods; `shape` picks the fields. Pass `skipToken` to disable it. */
  queryOptions<const S extends ShapeChoice<Spec> = never, Data = ShapedOutput<Output, Spec, S>>(
    ...args: InputArgs<Input, [options?: ShapedQueryExtras<Output, Spec, S, Data, Err>]>
  ): MizanQueryOptions<ShapedOutput<Output, Spec, S>, Data, Err>
  /** The key of one input and shape: `[pathSegments, { input, shape, type: 'query' }]`, typed with the data it holds. */
  queryKey<const S extends ShapeChoice<Spec> = never>(...args: RequiredInputArgs<Input, [options?: ShapeOption<Spec['selection'], S>]>): TypedQueryKey<ShapedOutput<Output, Spec, S>, Err>
  /** The key of every input and shape of this query. */
  pathKey(): MizanPathKey
  /** `useQuery(api.x.queryOptions(input, options))`. */
  useQuery<const S extends ShapeChoice<Spec> = never, Data = ShapedOutput<Output, Spec, S>>(
    ...args: InputArgs<Input, [options?: ShapedQueryExtras<Output, Spec, S, Data, Err>]>
  ): UseQueryResult<Data, Err>
  /** `useSuspenseQuery` over the same options: data is never undefined. */
  useSuspenseQuery<const S extends ShapeChoice<Spec> = never, Data = ShapedOutput<Output, Spec, S>>(
    ...args: RequiredInputArgs<Input, [options?: Omit<UseSuspenseQueryOptions<ShapedOutput<Output, Spec, S>, Err, Data, MizanQueryKey>, 'queryKey' | 'queryFn'> & ShapeOption<Spec['selection'], S>]>
  ): UseSuspenseQueryResult<Data, Err>
  /** Options for `useInfiniteQuery`: the page's cursor goes into `input.cursor`; `shape` goes beside `getNextPageParam`. */
  infiniteQueryOptions<const S extends ShapeChoice<Spec> = never>(
    input: Omit<Input, 'cursor'>,
    options: InfiniteExtras<ShapedOutput<Output, Spec, S>, Input> & ShapeOption<Spec['selection'], S>,
  ): UseInfiniteQueryOptions<ShapedOutput<Output, Spec, S>, MizanClientError, Pages<ShapedOutput<Output, Spec, S>, Input>, MizanQueryKey, CursorOf<Input> | null> & {
    queryKey: DataTag<MizanQueryKey, Pages<ShapedOutput<Output, Spec, S>, Input>, MizanClientError>
  }
  /** `useInfiniteQuery(api.x.infiniteQueryOptions(input, options))`. */
  useInfiniteQuery<const S extends ShapeChoice<Spec> = never>(
    input: Omit<Input, 'cursor'>,
    options: InfiniteExtras<ShapedOutput<Output, Spec, S>, Input> & ShapeOption<Spec['selection'], S>,
  ): UseInfiniteQueryResult<Pages<ShapedOutput<Output, Spec, S>, Input>, MizanClientError>
}

import { createClient, type MizanClientError } from '@mizan/client'
import { createMizanReact, type MizanQueryKey } from '@mizan/react'
import { QueryClient, skipToken, useInfiniteQuery, useQuery, type InfiniteData, type UseQueryResult, type UseSuspenseQueryResult } from '@tanstack/react-query'
import { expectAssignable, expectError, expectType } from 'tsd'
import type { Author, Post, ShapesRouter } from './shapes-fixtures.js'

const client = createClient<ShapesRouter>({ url: 'http://localhost/api/mizan' })
const api = createMizanReact<ShapesRouter>(client)
const queryClient = new QueryClient()

type Card = { id: string; title: string; author: { name: string } }

// Without a shape, the data is the whole output, as for any query.
expectType<UseQueryResult<Post[], MizanClientError>>(useQuery(api.posts.list.queryOptions({ page: 1 })))
expectType<UseQueryResult<Post[], MizanClientError>>(api.posts.list.useQuery({ page: 1 }))
expectType<UseQueryResult<Post, MizanClientError>>(api.posts.plain.useQuery({ id: '1' }))
expectType<Post[] | undefined>(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 })))

// queryOptions and useQuery: the data is the projection of a named shape or of a selection.
expectType<UseQueryResult<Card[], MizanClientError>>(useQuery(api.posts.list.queryOptions({ page: 1 }, { shape: 'card' })))
expectType<UseQueryResult<Card[], MizanClientError>>(api.posts.list.useQuery({ page: 1 }, { shape: 'card' }))
expectType<UseQueryResult<Card[], MizanClientError>>(api.posts.cards.useQuery(undefined, { shape: 'card' }))
expectType<UseQueryResult<{ id: string; editor: { name: string } | null }[], MizanClientError>>(api.posts.list.useQuery({ page: 1 }, { shape: { id: true, editor: { name: true } } }))
expectType<UseQueryResult<{ title: string; comments: { by: Author }[] } | null, MizanClientError>>(api.posts.byId.useQuery({ id: '1' }, { shape: { title: true, comments: { by: true } } }))
// TanStack's options beside the shape: `select` gets the projection.
expectType<UseQueryResult<string[], MizanClientError>>(api.posts.list.useQuery({ page: 1 }, { shape: 'card', select: (cards) => cards.map((card) => card.author.name) }))
expectType<UseQueryResult<number, MizanClientError>>(
  useQuery(api.posts.list.queryOptions({ page: 1 }, { shape: { id: true }, select: (rows) => rows.length, staleTime: 1000 })),
)
api.posts.list.useQuery(skipToken, { shape: 'card' })

// useSuspenseQuery: the projection, never undefined.
expectType<UseSuspenseQueryResult<Card[], MizanClientError>>(api.posts.list.useSuspenseQuery({ page: 1 }, { shape: 'card' }))
expectType<UseSuspenseQueryResult<Post[], MizanClientError>>(api.posts.list.useSuspenseQuery({ page: 1 }))

// Keys: typed with the projection their shape holds.
expectType<Card[] | undefined>(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }, { shape: 'card' })))
expectType<{ id: string }[] | undefined>(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }, { shape: { id: true } })))
expectAssignable<MizanQueryKey>(api.posts.list.queryKey({ page: 1 }, { shape: 'full' }))
queryClient.setQueryData(api.posts.list.queryKey({ page: 1 }, { shape: { id: true } }), [{ id: '1' }])
expectError(queryClient.setQueryData(api.posts.list.queryKey({ page: 1 }, { shape: { id: true } }), [{ title: 'x' }]))

// Infinite queries: `shape` beside getNextPageParam; each page is the projection.
type Titles = { items: { id: string; title: string }[]; next: string | null }
expectType<InfiniteData<Titles, string | null> | undefined>(
  useInfiniteQuery(api.posts.feed.infiniteQueryOptions({ limit: 10 }, { shape: 'titles', getNextPageParam: (last) => last.next })).data,
)
expectType<InfiniteData<{ next: string | null; items: { author: { name: string } }[] }, string | null> | undefined>(
  api.posts.feed.useInfiniteQuery({ limit: 10 }, { shape: { next: true, items: { author: { name: true } } }, getNextPageParam: (last) => last.next }).data,
)
expectType<InfiniteData<{ items: Post[]; next: string | null }, string | null> | undefined>(
  api.posts.feed.useInfiniteQuery({ limit: 10 }, { getNextPageParam: (last) => last.next }).data,
)
// The page given to getNextPageParam is the projection: a field left out is not there.
expectError(api.posts.feed.useInfiniteQuery({ limit: 10 }, { shape: { items: { id: true } }, getNextPageParam: (last) => last.next }))

// A shape on a query that takes none is a compile error.
expectError(api.posts.plain.queryOptions({ id: '1' }, { shape: { id: true } }))
expectError(api.posts.plain.useQuery({ id: '1' }, { shape: 'card' }))
expectError(api.posts.plain.queryKey({ id: '1' }, { shape: { id: true } }))
// A field the output does not have, at any depth, is a compile error.
expectError(api.posts.list.queryOptions({ page: 1 }, { shape: { id: true, nope: true } }))
expectError(api.posts.list.useQuery({ page: 1 }, { shape: { author: { name: true, nope: true } } }))
expectError(api.posts.list.useSuspenseQuery({ page: 1 }, { shape: { comments: { by: { nope: true } } } }))
expectError(api.posts.list.queryKey({ page: 1 }, { shape: { nope: true } }))
expectError(api.posts.feed.useInfiniteQuery({ limit: 10 }, { shape: { next: true, items: { nope: true } }, getNextPageParam: () => null }))
// A free selection on a query that takes named shapes only is a compile error.
expectError(api.posts.cards.useQuery(undefined, { shape: { id: true } }))
expectError(api.posts.cards.queryKey(undefined, { shape: { id: true } }))
// An unknown name is a compile error.
expectError(api.posts.list.queryOptions({ page: 1 }, { shape: 'cart' }))
expectError(api.posts.byId.useQuery({ id: '1' }, { shape: 'card' }))
expectError(api.posts.feed.infiniteQueryOptions({ limit: 10 }, { shape: 'title', getNextPageParam: () => null }))

import { createClient, type MizanClientError } from '@mizan/client'
import { createMizanReact, type MizanQueryKey, type StreamStatus } from '@mizan/react'
import { QueryClient, skipToken, useQuery, type UseQueryResult } from '@tanstack/react-query'
import { expectAssignable, expectError, expectType } from 'tsd'
import type { StreamsRouter, Tick } from './streams-fixtures.js'

const client = createClient<StreamsRouter>({ url: 'http://localhost/api/mizan' })
const api = createMizanReact<StreamsRouter>(client)
const queryClient = new QueryClient()

// streamOptions: the data is the array of values so far.
expectType<UseQueryResult<string[], MizanClientError>>(useQuery(api.tokens.streamOptions({ prompt: 'a' })))
expectType<UseQueryResult<number, MizanClientError>>(useQuery(api.tokens.streamOptions({ prompt: 'a' }, { select: (words) => words.length })))
expectType<Tick[] | undefined>(useQuery(api.ticks.streamOptions()).data)
useQuery(api.tokens.streamOptions({ prompt: 'a' }, { refetchMode: 'append', staleTime: 1000 }))
useQuery(api.tokens.streamOptions(skipToken))
expectType<string[] | undefined>(queryClient.getQueryData(api.tokens.streamOptions({ prompt: 'a' }).queryKey))
expectAssignable<MizanQueryKey>(api.tokens.streamOptions({ prompt: 'a' }).queryKey)
expectError(api.tokens.streamOptions({ prompt: 'a' }, { refetchMode: 'later' }))
expectError(api.tokens.streamOptions({ prompt: 1 }))
expectError(queryClient.setQueryData(api.tokens.streamOptions({ prompt: 'a' }).queryKey, [1]))

// useStream: one live stream, typed values and return value.
const stream = api.tokens.useStream({ prompt: 'a' }, { enabled: true, onValue: (word) => expectType<string>(word) })
expectType<string[]>(stream.values)
expectType<string | undefined>(stream.latest)
expectType<StreamStatus>(stream.status)
expectType<'idle' | 'streaming' | 'done' | 'error'>(stream.status)
expectType<{ words: number } | undefined>(stream.result)
expectType<MizanClientError | null>(stream.error)
expectType<() => void>(stream.stop)
expectType<Date | undefined>(api.ticks.useStream().latest?.at)
expectType<{ id: string }[]>(api.nested.feed.useStream(undefined).values)
api.tokens.useStream(skipToken)
expectError(api.tokens.useStream({ prompt: 'a' }, { onValue: (word: number) => word }))
expectError(api.tokens.useStream())

// A declared error narrows on its code, as for any query.
const guarded = api.guarded.useStream({ id: '1' })
if (guarded.error?.code === 'GONE') expectType<Date>(guarded.error.data.deletedAt)

// Only streamed queries have them: a plain query, a mutation, a router do not.
expectError(api.plain.streamOptions({ n: 1 }))
expectError(api.plain.useStream({ n: 1 }))
expectError(api.progress.useStream({ id: '1' }))
expectError(api.nested.streamOptions())

// A streamed query has no queryOptions/useQuery: their data would be a generator no cache can hold.
expectError(api.tokens.queryOptions({ prompt: 'a' }))
expectError(api.tokens.useQuery({ prompt: 'a' }))
expectError(api.tokens.useSuspenseQuery({ prompt: 'a' }))
expectError(api.tokens.queryKey({ prompt: 'a' }))
// Its path key is there, for invalidating every input.
expectType<[path: string[]]>(api.tokens.pathKey())
// A plain query keeps its whole decoration.
expectType<UseQueryResult<number, MizanClientError>>(api.plain.useQuery({ n: 1 }))
// An Output of `never` (a handler that always throws) or `any` is no stream: the query keeps useQuery.
api.fails.useQuery()
api.untyped.useQuery()
expectError(api.fails.useStream())

import { createClient, type MizanClientError } from '@mizan/client'
import { createMizanReact, useMizanContext, type MizanQueryKey } from '@mizan/react'
import { QueryClient, skipToken, useMutation, useQuery, type UseQueryResult } from '@tanstack/react-query'
import { expectAssignable, expectError, expectType } from 'tsd'
import type { AppRouter, User } from './fixtures.js'

const client = createClient<AppRouter>({ url: 'http://localhost/api/mizan' })
const api = createMizanReact<AppRouter>(client)
const queryClient = new QueryClient()

// Query options carry the output and error types into TanStack's hooks.
expectType<UseQueryResult<string, MizanClientError>>(useQuery(api.greeting.queryOptions({ name: 'a' })))
expectType<UseQueryResult<string, MizanClientError>>(api.greeting.useQuery({ name: 'a' }))
expectType<UseQueryResult<number, MizanClientError>>(api.greeting.useQuery({ name: 'a' }, { select: (s) => s.length }))
api.greeting.useQuery(skipToken)
expectType<User | null | undefined>(api.currentUser.useQuery().data)

// Keys are typed with their data, so the QueryClient's reads and writes are too.
expectType<string | undefined>(queryClient.getQueryData(api.greeting.queryKey({ name: 'a' })))
queryClient.setQueryData(api.posts.byId.queryKey({ id: '1' }), { id: '1', title: 'x' })
expectError(queryClient.setQueryData(api.posts.byId.queryKey({ id: '1' }), { id: 1 }))
expectAssignable<MizanQueryKey>(api.posts.list.queryKey({}))

// Mutations: variables and results typed from the router.
const create = useMutation(api.posts.create.mutationOptions())
create.mutate({ title: 'x' })
expectType<{ id: string; title: string; author: string } | undefined>(create.data)
expectError(create.mutate({ title: 1 }))
api.posts.create.useMutation({ awaitInvalidation: true, onSuccess: (post) => expectType<string>(post.id) })

// Contexts.
expectType<User | null>(useMizanContext(api.currentUser))
expectType<string>(useMizanContext(api.greeting))

// Misuse is a compile error: a wrong input, a query used as a mutation and the reverse, a wrong path.
expectError(api.greeting.queryOptions({ name: 1 }))
expectError(api.greeting.queryOptions())
expectError(api.greeting.mutationOptions())
expectError(api.posts.create.queryOptions({ title: 'x' }))
expectError(api.posts.lits.queryOptions({}))
// Only local contexts have a Provider.
expectError(api.currentUser.Provider)
api.posts.pathKey()
expectAssignable<import('react').ComponentType<{ input: { name: string }; children?: import('react').ReactNode; fallback?: import('react').ReactNode }>>(api.greeting.Provider)
type GreetingProviderProps = import('react').ComponentProps<typeof api.greeting.Provider>
expectType<{ name: string }>({} as GreetingProviderProps['input'])
expectType<((data: string) => string) | undefined>(undefined as unknown as Extract<NonNullable<GreetingProviderProps['options']>['select'], Function> | undefined)
expectError(api.posts.list.Provider)

// Only contexts are read with useMizanContext.
expectError(useMizanContext(api.posts.list))

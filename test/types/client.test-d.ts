import { createClient, isMizanError, type MizanClientError } from '@mizan/client'
import { createMizanServer, type DeclaredAffects, type InvalidAffects, type RouterPaths } from '@mizan/server'
import { expectAssignable, expectError, expectType } from 'tsd'
import { appRouter, badRouter, channelBadRouter, nestedBadRouter, type AppRouter, type BadRouter, type User } from './fixtures.js'

const client = createClient<AppRouter>({ url: 'http://localhost/api/mizan' })

// Inputs and outputs are inferred through the client.
expectType<Promise<string>>(client.greeting.query({ name: 'a' }))
expectType<Promise<User | null>>(client.currentUser.query())
expectType<Promise<{ page: number; items: { id: string; title: string }[] }>>(client.posts.list.query({}))
expectType<Promise<{ page: number; items: { id: string; title: string }[] }>>(client.posts.list.query({ page: 2 }))
expectType<Promise<{ id: string; title: string }>>(client.posts.byId.query({ id: '1' }))
expectType<Promise<{ id: string; title: string; author: string }>>(client.posts.create.mutate({ title: 'x' }))
expectType<Promise<{ users: number }>>(client.admin.stats.query())

// superjson types survive: Date stays Date, bigint stays bigint, Set stays Set.
expectType<Promise<{ now: Date; big: bigint; tags: Set<string> }>>(client.clock.query())

// A call takes an abort signal.
client.greeting.query({ name: 'a' }, { signal: new AbortController().signal })

// websocketCalls is a boolean: opening the socket by itself for websocket procedures, or not.
createClient<AppRouter>({ url: 'http://localhost/api/mizan', websocketCalls: false })
expectError(createClient<AppRouter>({ url: 'http://localhost/api/mizan', websocketCalls: 'never' }))

// A wrong path is a compile error.
expectError(client.posts.lits.query({}))
expectError(client.nope.query())
// A wrong input is a compile error.
expectError(client.greeting.query({ name: 1 }))
expectError(client.greeting.query())
expectError(client.posts.create.mutate({ title: 1 }))
// A mutation used as a query, or a query as a mutation, is a compile error.
expectError(client.posts.create.query({ title: 'x' }))
expectError(client.greeting.mutate({ name: 'a' }))

// An affects path that names nothing is a compile error where the router is served or given to a client.
expectError(createClient<BadRouter>({ url: 'http://localhost/api/mizan' }))
expectError(createMizanServer({ router: badRouter, createContext: () => ({ user: null, requestId: 'r' }) }))
createMizanServer({ router: appRouter, createContext: () => ({ user: null, requestId: 'r' }) })
expectError(createClient<typeof nestedBadRouter>({ url: 'http://localhost/api/mizan' }))
expectError(createClient<typeof channelBadRouter>({ url: 'http://localhost/api/mizan' }))
expectError(createMizanServer({ router: channelBadRouter, createContext: () => ({ user: null, requestId: 'r' }) }))
// `m.router` computes what the check reads once: the paths `affects` may name, and those it names.
expectType<'currentUser' | 'greeting' | 'clock' | 'posts' | 'posts.list' | 'posts.byId' | 'posts.create' | 'posts.remove' | 'admin' | 'admin.stats'>(
  {} as RouterPaths<AppRouter>,
)
expectType<'posts.list' | 'posts'>({} as DeclaredAffects<AppRouter>)
expectType<'posts.lits'>({} as InvalidAffects<typeof nestedBadRouter>)
expectType<'lsit'>({} as InvalidAffects<typeof channelBadRouter>)
// The context createContext builds must match the router's.
expectError(createMizanServer({ router: appRouter, createContext: () => ({ user: null }) }))
expectError(createMizanServer({ router: appRouter }))

// Events and errors.
client.$on('invalidate', (targets, source) => {
  expectType<string>(targets[0]!.path)
  expectType<string>(source.path)
})
declare const error: unknown
if (isMizanError(error, 'UNAUTHORIZED')) {
  expectType<'UNAUTHORIZED'>(error.code)
  expectAssignable<MizanClientError>(error)
}

// Channels: params, messages and what may be sent are typed; a wrong one is a compile error.
const sub = client.chat.subscribe({ room: 'general' }, { onMessage: (message) => expectType<{ text: string; user: string }>(message) })
sub.send({ text: 'hi' })
expectError(sub.send({ body: 'hi' }))
expectError(client.chat.subscribe({ room: 1 }, { onMessage: () => {} }))
expectError(client.chat.query())
const served = createMizanServer({ router: appRouter, createContext: () => ({ user: null, requestId: 'r' }) })
served.publish('chat', { room: 'general' }, { text: 'hi', user: 'bot' })
expectError(served.publish('chat', { room: 'general' }, { text: 1, user: 'bot' }))
expectError(served.publish('chta', { room: 'general' }, { text: 'hi', user: 'bot' }))
expectError(served.publish('posts.list', { page: 1 }, {}))

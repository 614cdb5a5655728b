import { createMizanServer, initMizan, MizanError } from '@mizan/server'
import { expectError, expectType } from 'tsd'
import { z } from 'zod'
import { appRouter, m, type User } from './fixtures.js'

// auth narrows ctx.user to non-null in the handler.
m.mutation({ auth: true }, ({ ctx }) => {
  expectType<User>(ctx.user)
})
m.query({ auth: ['staff', 'editor'] }, ({ ctx }) => {
  expectType<User>(ctx.user)
})
// A predicate may let a signed-out caller through, so it narrows nothing.
m.query({ auth: (ctx) => ctx.requestId !== '' }, ({ ctx }) => {
  expectType<User | null>(ctx.user)
})
m.query({ auth: 'staff' }, ({ ctx }) => {
  expectType<User>(ctx.user)
})
// Without auth, ctx.user may be null.
m.query(({ ctx }) => {
  expectType<User | null>(ctx.user)
})
m.query({ auth: false }, ({ ctx }) => {
  expectType<User | null>(ctx.user)
})

// The handler receives the parsed input (defaults applied).
m.query({ input: z.object({ page: z.number().default(1) }) }, ({ input }) => {
  expectType<{ page: number }>(input)
})
// An output schema constrains what the handler returns.
expectError(m.query({ output: z.object({ id: z.string() }) }, () => ({ id: 1 })))
// Queries do not affect; mutations have no cache or context.
expectError(m.query({ affects: ['posts'] }, () => 1))
expectError(m.mutation({ cache: { ttl: 1, scope: 'public' } }, () => 1))
expectError(m.mutation({ context: 'global' }, () => 1))

// Middleware extends the context the procedures of the new builder see.
const withOrg = m.use(async ({ ctx, next }) => next({ ctx: { ...ctx, org: { id: 'o1' } } }))
withOrg.query(({ ctx }) => {
  expectType<{ id: string }>(ctx.org)
  expectType<string>(ctx.requestId)
})
const same = m.use(async ({ next }) => next())
same.query(({ ctx }) => {
  expectType<string>(ctx.requestId)
})

// The in-process caller is typed like the client.
const server = createMizanServer({ router: appRouter, createContext: () => ({ user: null, requestId: 'r' }) })
const caller = server.createCaller({ user: null, requestId: 'r' })
expectType<Promise<string>>(caller.greeting({ name: 'a' }))
expectError(caller.greeting({ name: 2 }))

// The json transformer types what JSON does to values.
const j = initMizan<{ user: null }>({ transformer: 'json' })
const jr = j.router({ when: j.query(() => ({ at: new Date() })) })
import { createClient } from '@mizan/client'
expectType<Promise<{ at: string }>>(createClient<typeof jr>({ url: '' }).when.query())

new MizanError('NOT_FOUND', 'missing', { data: { id: 1 } })
expectError(new MizanError('NOPE'))

import { createMizanServer, initMizan, memoryRateLimit, type RateLimitRule } from '@mizan/server'
import { expectType } from 'tsd'
import { z } from 'zod'
import { appRouter, m, type Ctx, type User } from './fixtures.js'

const login = z.object({ email: z.string(), password: z.string() })

// A custom `by` receives the parsed input and the typed context.
m.mutation(
  {
    input: login,
    rateLimit: {
      max: 5,
      window: '15m',
      by: (ctx, input) => {
        expectType<{ email: string; password: string }>(input)
        expectType<User | null>(ctx.user)
        return input.email
      },
    },
  },
  ({ input }) => input.email,
)
// Input defaults are applied before `by` runs: it sees the schema's output.
m.query({ input: z.object({ page: z.number().default(1) }), rateLimit: { max: 1, window: 1000, by: (_ctx, input) => String(input.page) } }, ({ input }) => {
  expectType<{ page: number }>(input)
})
// No input: `by` receives undefined.
m.query({ rateLimit: { max: 1, window: '1s', by: (_ctx, input) => (expectType<undefined>(input), 'k') } }, () => 1)
// `auth: true` narrows the context `by` sees, as it does the handler's.
m.mutation({ auth: true, rateLimit: { max: 10, window: '1h', by: (ctx) => ctx.user.id } }, ({ ctx }) => ctx.user.id)
m.query({ auth: 'staff', rateLimit: { max: 10, window: '1h', by: (ctx) => ctx.user.id } }, () => 1)
// A predicate may let a signed-out caller in, so it narrows nothing; it is still typed.
m.query({ auth: (ctx) => ctx.requestId !== '', rateLimit: { max: 1, window: '1m', by: (ctx) => ctx.requestId } }, ({ ctx }) => {
  expectType<User | null>(ctx.user)
})
m.query({ rateLimit: { max: 1, window: '1m', by: 'ip' } }, () => 1)
m.query({ rateLimit: { max: 1, window: '1d', by: 'principal' } }, () => 1)
m.query({ rateLimit: false }, () => 1)

// @ts-expect-error `by` is 'principal', 'ip' or a function
m.query({ rateLimit: { max: 1, window: '1m', by: 'host' } }, () => 1)
// @ts-expect-error a custom key is a string
m.query({ rateLimit: { max: 1, window: '1m', by: () => 1 } }, () => 1)
// @ts-expect-error `by` reads only what the input schema declares
m.mutation({ input: login, rateLimit: { max: 1, window: '1m', by: (_ctx, input) => input.phone } }, () => 1)
// @ts-expect-error without auth, ctx.user may be null
m.query({ rateLimit: { max: 1, window: '1m', by: (ctx) => ctx.user.id } }, () => 1)
// @ts-expect-error a window's unit is ms, s, m, h or d
m.query({ rateLimit: { max: 1, window: '1w' } }, () => 1)
// @ts-expect-error a limit needs a window
m.query({ rateLimit: { max: 1 } }, () => 1)
// @ts-expect-error `true` is not a limit
m.query({ rateLimit: true }, () => 1)

// A router-wide default; `by` sees the root context and unknown input.
initMizan<Ctx>({
  rateLimit: {
    max: 100,
    window: '1m',
    by: (ctx, input) => {
      expectType<Ctx>(ctx)
      expectType<unknown>(input)
      return ctx.requestId
    },
  },
})
// @ts-expect-error a router-wide default is a rule, never `false`
initMizan<Ctx>({ rateLimit: false })

// The rule type on its own, for limits kept in a constant.
const perUser: RateLimitRule<Ctx, { email: string }> = { max: 3, window: '1m', by: (_ctx, input) => input.email }
m.mutation({ input: z.object({ email: z.string() }), rateLimit: perUser }, () => 1)

// The server takes a store, `false`, a client address reader and a ticket limit.
createMizanServer({
  router: appRouter,
  createContext: () => ({ user: null, requestId: 'r' }),
  rateLimit: memoryRateLimit({ maxKeys: 10 }),
  clientAddress: ({ headers, remoteAddress }) => headers.get('cf-connecting-ip') ?? remoteAddress,
  websocket: { ticketRateLimit: { max: 5, window: '1m', by: 'ip' } },
})
// @ts-expect-error the ticket endpoint has no input, so no custom key
createMizanServer({ router: appRouter, createContext: () => ({ user: null, requestId: 'r' }), websocket: { ticketRateLimit: { max: 5, window: '1m', by: () => 'k' } } })
const server = createMizanServer({ router: appRouter, createContext: () => ({ user: null, requestId: 'r' }), rateLimit: false })
server.createCaller({ user: null, requestId: 'r' }, { rateLimit: true, clientAddress: '203.0.113.9' })

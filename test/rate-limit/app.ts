import { createMizanServer, initMizan, memoryRateLimit, type MizanServerOptions, type RateLimitStore } from '@mizan/server'
import { z } from 'zod'

type Ctx = { user: { id: string } | null }

// Procedures without their own limit get this one; `open` opts out.
const m = initMizan<Ctx>({ rateLimit: { max: 3, window: '1m' } })

export const limitedRouter = m.router({
  ping: m.query({ websocket: true, rateLimit: { max: 2, window: '1m' } }, () => 'pong'),
  byIp: m.query({ rateLimit: { max: 2, window: '1m', by: 'ip' } }, () => 'ok'),
  login: m.mutation(
    { input: z.object({ email: z.string().email() }), rateLimit: { max: 2, window: '15m', by: (_ctx, input) => input.email.toLowerCase() } },
    ({ input }) => input.email,
  ),
  guarded: m.query({ auth: true, rateLimit: { max: 1, window: '1m' } }, ({ ctx }) => ctx.user.id),
  counted: m.query({ input: z.object({ n: z.number() }), cache: { ttl: 60, scope: 'public' }, rateLimit: { max: 2, window: '1m' } }, ({ input }) => input.n),
  defaulted: m.query(() => 'default'),
  open: m.query({ rateLimit: false }, () => 'open'),
})

export type LimitedRouter = typeof limitedRouter

/** The user named by `authorization: Bearer <id>`, or by `?as=<id>` on a socket's URL. */
const userOf = (req: { url: string; headers: { get(name: string): string | null } }) => {
  const id = req.headers.get('authorization')?.slice(7) ?? new URL(req.url, 'http://x').searchParams.get('as')
  return id ? { id } : null
}

/** A server over {@link limitedRouter} whose memory store runs on a clock the test moves. */
export function limitedServer(extra: Partial<MizanServerOptions<LimitedRouter>> & { store?: RateLimitStore } = {}) {
  const clock = { now: 1_700_000_000_000 }
  const errors: unknown[] = []
  const { store, ...rest } = extra
  const server = createMizanServer({
    router: limitedRouter,
    createContext: ({ req, ticket }) => ({ user: ticket?.sub ? { id: ticket.sub } : userOf(req) }),
    rateLimit: store ?? memoryRateLimit({ now: () => clock.now }),
    onError: ({ error }) => errors.push(error),
    ...rest,
  })
  return { server, clock, errors }
}

/** Answers of a fetch, read as the protocol has them. */
export async function read(res: Response) {
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { data?: unknown; error?: { code: string; status: number; data?: { retryAfter?: number } } } }
}

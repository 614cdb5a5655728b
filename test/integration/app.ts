import { createMizanServer, initMizan, MizanError, type ContextOptions } from '@mizan/server'
import { createClient, type ClientOptions } from '@mizan/client'
import { z } from 'zod'

export type User = { id: string; name: string; roles: string[] }
export type Ctx = { user: User | null; db: Db }

/** A tiny in-memory store standing in for a database. */
export class Db {
  posts: { id: string; title: string; authorId: string; at: Date }[] = [{ id: '1', title: 'First', authorId: 'u1', at: new Date('2026-01-01T00:00:00Z') }]
  nextId = 2
}

const USERS: Record<string, User> = {
  alice: { id: 'u1', name: 'Alice', roles: [] },
  sam: { id: 'u2', name: 'Sam', roles: ['staff'] },
  root: { id: 'u3', name: 'Root', roles: ['superuser'] },
}

export const m = initMizan<Ctx>({ roles: (user) => user.roles })

/** Released by a test to let `slow` finish: lets tests hold a request in flight without sleeping. */
export const gates = { slow: deferred(), slowEntered: deferred(), slowAborted: deferred(), snapshot: deferred() }

/** A promise with its resolve function outside. */
export function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

const withTrace = m.use(async ({ ctx, next, path }) => next({ ctx: { ...ctx, trace: `trace:${path}` } }))

export const appRouter = m.router({
  currentUser: m.query({ context: 'global' }, ({ ctx }) => ctx.user),
  greeting: m.query({ context: 'local', input: z.object({ name: z.string() }) }, ({ input }) => `hi ${input.name}`),
  echo: m.query({ input: z.unknown() }, ({ input }) => input),
  nothing: m.mutation(() => undefined),
  traced: withTrace.query(({ ctx }) => ctx.trace),
  slow: m.query(async ({ signal }) => {
    gates.slowEntered.resolve()
    signal.addEventListener('abort', () => gates.slowAborted.resolve())
    await gates.slow.promise
    return signal.aborted ? 'aborted' : 'done'
  }),
  posts: m.router({
    list: m.query({ input: z.object({ page: z.number().int().min(1).default(1) }) }, ({ input, ctx }) => ({ page: input.page, items: ctx.db.posts })),
    byId: m.query({ input: z.object({ id: z.string() }) }, ({ input, ctx }) => {
      const post = ctx.db.posts.find((p) => p.id === input.id)
      if (!post) throw new MizanError('NOT_FOUND', `No post ${input.id}`)
      return post
    }),
    create: m.mutation({ auth: true, input: z.object({ title: z.string().min(1) }), affects: ['posts.list'] }, ({ input, ctx, invalidate }) => {
      const post = { id: String(ctx.db.nextId++), title: input.title, authorId: ctx.user.id, at: new Date() }
      ctx.db.posts.push(post)
      invalidate('posts.byId', { id: post.id })
      return post
    }),
    remove: m.mutation({ auth: 'staff', input: z.object({ id: z.string() }), affects: ['posts'] }, ({ input, ctx }) => {
      ctx.db.posts = ctx.db.posts.filter((p) => p.id !== input.id)
      return true
    }),
    /** Reads the posts, then waits for a test's gate: an answer that can be stale when it arrives. */
    snapshot: m.query(async ({ ctx }) => {
      const titles = ctx.db.posts.map((p) => p.title)
      await gates.snapshot.promise
      return titles
    }),
    failAfterInvalidate: m.mutation({ affects: ['posts.list'] }, ({ invalidate }) => {
      invalidate('posts.byId', { id: '1' })
      throw new MizanError('CONFLICT', 'Changed meanwhile')
    }),
  }),
  admin: {
    stats: m.query({ auth: (ctx) => ctx.user?.name === 'Root' }, () => ({ users: 3 })),
  },
  broken: {
    throws: m.query(() => {
      throw new Error('db password is hunter2')
    }),
    badOutput: m.query({ output: z.object({ id: z.string() }) }, () => ({ id: 42 }) as unknown as { id: string }),
  },
})

export type AppRouter = typeof appRouter

/** Who the request is: `authorization: Bearer <name>`. */
export function userFrom(options: ContextOptions): User | null {
  const header = options.req.headers.get('authorization')
  return header?.startsWith('Bearer ') ? (USERS[header.slice(7)] ?? null) : null
}

/** Starts the app on a free port and returns a client factory bound to it. */
export async function startApp(options: { isDev?: boolean; cors?: Parameters<typeof createMizanServer>[0]['cors']; limits?: Parameters<typeof createMizanServer>[0]['limits'] } = {}) {
  const db = new Db()
  const server = createMizanServer({
    router: appRouter,
    createContext: (opts) => ({ user: userFrom(opts), db }),
    isDev: options.isDev ?? false,
    cors: options.cors,
    limits: options.limits,
    onError: () => {},
  })
  const { url } = await server.listen(0, '127.0.0.1')
  const requests: { method: string; url: string }[] = []
  const countingFetch: typeof fetch = (input, init) => {
    requests.push({ method: init?.method ?? 'GET', url: String(input) })
    return fetch(input, init)
  }
  const client = (as?: string, extra: Partial<ClientOptions> = {}) =>
    createClient<AppRouter>({ url, fetch: countingFetch, headers: as ? { authorization: `Bearer ${as}` } : undefined, ...extra })
  return { server, url, db, client, requests }
}

import { createMizanServer, initMizan, type PubSub } from '@mizan/server'
import { WebSocket } from 'ws'
import { z } from 'zod'
import { until } from './app.js'

type User = { id: string; roles: string[] }
type Ctx = { user: User | null }

/** Who is who in these tests: the roles of each user name the socket URL carries. */
const ROLES: Record<string, string[]> = { alice: [], bob: [], sam: ['staff'], root: ['superuser', 'auditor'], ann: ['auditor'] }

const m = initMizan<Ctx>({ roles: (user) => user.roles })

// An async predicate, as one reading a database would be.
const isAuditor = async (ctx: Ctx) => ctx.user?.roles.includes('auditor') === true

export const audienceRouter = m.router({
  /** Anyone signed in may read any peer's thread: an input-scoped invalidation names a private peer. */
  inbox: m.query({ auth: true, input: z.object({ peer: z.string() }) }, () => []),
  /** Each user's own mail, cached per user. */
  mail: m.router({ list: m.query({ auth: true, cache: { ttl: 60, scope: 'user' } }, () => []) }),
  admin: m.router({
    audit: m.query({ auth: 'staff' }, () => []),
    reports: m.query({ auth: isAuditor }, () => []),
  }),
  posts: m.router({
    list: m.query(() => []),
    drafts: m.query({ auth: true }, () => []),
  }),
  ticks: m.query({ input: z.object({ n: z.number() }) }, () => 0),

  send: m.mutation({ auth: true, websocket: true, input: z.object({ peer: z.string() }) }, ({ input, invalidate }) => {
    invalidate('inbox', { peer: input.peer })
  }),
  touchMail: m.mutation({ auth: true, websocket: true, affects: ['mail.list'] }, () => {}),
  moderate: m.mutation({ auth: 'staff', websocket: true, affects: ['admin.audit'] }, () => {}),
  audit: m.mutation({ auth: isAuditor, websocket: true, affects: ['admin.reports'] }, () => {}),
  touchAdmin: m.mutation({ auth: 'staff', websocket: true, affects: ['admin'] }, () => {}),
  touchPosts: m.mutation({ websocket: true, affects: ['posts'] }, () => {}),
  /** A public marker: everyone hears it, after whatever was pushed before it. */
  tick: m.mutation({ websocket: true, input: z.object({ n: z.number() }) }, ({ input, invalidate }) => {
    invalidate('ticks', input)
  }),
})

/** Serves the router; the socket's user is named by `?as=` on the socket URL. */
export async function startAudienceApp(options: { pubsub?: PubSub } = {}) {
  const errors: unknown[] = []
  const server = createMizanServer({
    router: audienceRouter,
    createContext: ({ req }) => {
      const name = new URL(req.url, 'http://x').searchParams.get('as')
      return { user: name ? { id: name, roles: ROLES[name] ?? [] } : null }
    },
    pubsub: options.pubsub,
    onError: ({ error }) => errors.push(error),
  })
  const { port } = await server.listen(0, '127.0.0.1')
  return { server, port, errors }
}

/** One invalidation entry as a socket heard it. */
export type Heard = { path: string; input?: unknown }

/** A raw socket signed in as `as` (or anonymous), recording every pushed invalidation, frame by frame. */
export async function openSocket(port: number, as?: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws${as ? `?as=${as}` : ''}`)
  const pushes: Heard[][] = []
  const results = new Map<string, { data?: unknown; error?: { code: string } }>()
  let connection: string | undefined
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; id?: string; connection?: string; invalidate?: Heard[]; result?: { data?: unknown } }
    if (frame.type === 'hello') connection = frame.connection
    if (frame.type === 'invalidate') pushes.push(frame.invalidate!)
    if (frame.type === 'result') results.set(frame.id!, frame.result!)
  })
  await until(() => connection !== undefined)
  let ids = 0
  const heard = () => pushes.flat()
  return {
    ws,
    pushes,
    heard,
    /** Calls a `websocket: true` procedure over this socket and waits for its answer. */
    async call(path: string, input?: unknown) {
      const id = String(++ids)
      ws.send(JSON.stringify({ type: 'call', id, path, input }))
      await until(() => results.has(id))
      return results.get(id)!
    },
    /** Resolves once the public marker `n` has arrived: every push made before it has arrived too. */
    untilTick: (n: number) => until(() => heard().some((entry) => entry.path === 'ticks' && (entry.input as { n: number }).n === n)),
    /** What was heard, markers left out. */
    heardBesidesTicks: () => heard().filter((entry) => entry.path !== 'ticks'),
    close: () => ws.close(),
  }
}

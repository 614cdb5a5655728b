import { createMizanServer, initMizan, MizanError, type PubSub } from '@mizan/server'
import { createClient, type ClientOptions } from '@mizan/client'
import { WebSocket } from 'ws'
import { z } from 'zod'

type User = { id: string; name: string }
type Ctx = { user: User | null }

const m = initMizan<Ctx>()

export const realtimeRouter = m.router({
  chat: m.channel({
    params: z.object({ room: z.string().min(1) }),
    message: z.object({ text: z.string(), user: z.string(), at: z.date() }),
    authorize: ({ ctx }) => ctx.user !== null,
    group: ({ params }) => `room:${params.room}`,
    receive: {
      message: z.object({ text: z.string().min(1).max(500) }),
      handle: ({ ctx, message, publish }) => publish({ text: message.text, user: ctx.user!.name, at: new Date(0) }),
    },
  }),
  ticker: m.channel({ params: z.object({}), message: z.number(), affects: ['posts.list'] }),
  posts: m.router({
    list: m.query(() => ['a']),
    mine: m.query({ cache: { ttl: 60, scope: 'user' } }, ({ ctx }) => ctx.user?.name ?? null),
    create: m.mutation({ affects: ['posts.list'] }, () => 'created'),
    touchMine: m.mutation({ affects: ['posts.mine'] }, () => 'touched'),
  }),
  announce: m.mutation({ input: z.object({ room: z.string(), text: z.string() }) }, async ({ input, publish }) => {
    await publish('chat', { room: input.room }, { text: input.text, user: 'system', at: new Date(0) })
  }),
  badPublish: m.mutation(async ({ publish }) => publish('chat', { room: 'x' }, { nope: true })),
  live: m.query({ websocket: true, input: z.object({ n: z.number() }) }, ({ input }) => input.n * 2),
  fails: m.query({ websocket: true }, () => {
    throw new MizanError('CONFLICT', 'no')
  }),
})

export type RealtimeRouter = typeof realtimeRouter

/** A served realtime app and a factory of clients signed in as someone. */
export async function startRealtime(options: { pubsub?: PubSub; websocket?: Parameters<typeof createMizanServer>[0]['websocket']; port?: number } = {}) {
  const server = createMizanServer({
    router: realtimeRouter,
    createContext: ({ req }) => {
      const name = req.headers.get('authorization')?.slice(7) ?? new URL(req.url, 'http://x').searchParams.get('as')
      return { user: name ? { id: name, name } : null }
    },
    pubsub: options.pubsub,
    websocket: options.websocket,
    onError: () => {},
  })
  const { url, port } = await server.listen(options.port ?? 0, '127.0.0.1')
  const requests: string[] = []
  const client = (as?: string, extra: Partial<ClientOptions> = {}) =>
    createClient<RealtimeRouter>({
      url,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      // Browsers send cookies on the upgrade; these tests name the user in the socket URL instead.
      wsUrl: `ws://127.0.0.1:${port}/api/mizan/_ws${as ? `?as=${as}` : ''}`,
      headers: as ? { authorization: `Bearer ${as}` } : undefined,
      fetch: (input, init) => {
        requests.push(String(input))
        return fetch(input, init)
      },
      ...extra,
    })
  return { server, url, port, client, requests }
}

/** Resolves when `condition` holds, checking after each turn of the event loop. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2))
}

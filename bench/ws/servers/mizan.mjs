// Mizan as an app loads it (`@mizan/server`: this repository's build), default transformer (superjson; plain
// JSON values go as they are). One server for both measures:
//  - `echo`: a `websocket: true` query, zod input { n: number }, returns { n };
//  - `feed`: a channel, params { room }, group = room, zod-checked message { p, seq, t }, published
//    with `server.publish` (see publisher.mjs);
//  - `touch`: an `auth: true` mutation, zod input { p, seq, t }, that invalidates `inbox` (an
//    `auth: true` query) with that input: its push goes only to signed-in connections, so every
//    push passes the audience check. The fan-out load signs each socket in (`authorization:
//    Bearer u<i>` on the upgrade); the publisher calls it in process as a signed-in user.
// The socket's per-connection rate limit (default 50 messages/s, bursts of 100) would stop the RPC
// benchmark after a fraction of a second, so it is raised to 1e9. Every other socket limit keeps
// its default, maxBufferedBytes (1 MiB) included: the fan-out load reports any connection dropped.
import { createMizanServer, initMizan } from '@mizan/server'
import { z } from 'zod'
import { servePublishes } from './publisher.mjs'

const m = initMizan()
const message = z.object({ p: z.string(), seq: z.number(), t: z.number() })
const router = m.router({
  inbox: m.query({ auth: true, input: message }, () => []),
  touch: m.mutation({ auth: true, input: message }, ({ input, invalidate }) => invalidate('inbox', input)),
  echo: m.query({ websocket: true, input: z.object({ n: z.number() }) }, ({ input }) => ({ n: input.n })),
  feed: m.channel({
    params: z.object({ room: z.string() }),
    message,
    group: ({ params }) => params.room,
  }),
})

const server = createMizanServer({
  router,
  basePath: '',
  createContext: ({ req }) => {
    const id = req.headers.get('authorization')?.slice('Bearer '.length)
    return { user: id ? { id } : null }
  },
  websocket: { messagesPerSecond: 1e9 },
})
const publisher = server.createCaller({ user: { id: 'publisher' } })
servePublishes((payload, kind) => (kind === 'invalidate' ? publisher.touch(payload) : server.publish('feed', { room: 'bench' }, payload)))
const { port } = await server.listen(0, '127.0.0.1')
console.log(port)

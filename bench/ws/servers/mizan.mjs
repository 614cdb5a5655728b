// Mizan from this repository's build (packages/server/dist), default transformer (superjson; plain
// JSON values go as they are). One server for both measures:
//  - `echo`: a `websocket: true` query, zod input { n: number }, returns { n };
//  - `feed`: a channel, params { room }, group = room, zod-checked message { p, seq, t }, published
//    with `server.publish` (see publisher.mjs).
// The socket's per-connection rate limit (default 50 messages/s, bursts of 100) would stop the RPC
// benchmark after a fraction of a second, so it is raised to 1e9. Every other socket limit keeps
// its default, maxBufferedBytes (1 MiB) included: the fan-out load reports any connection dropped.
import { createMizanServer, initMizan } from '../../../packages/server/dist/index.js'
import { z } from 'zod'
import { servePublishes } from './publisher.mjs'

const m = initMizan()
const router = m.router({
  echo: m.query({ websocket: true, input: z.object({ n: z.number() }) }, ({ input }) => ({ n: input.n })),
  feed: m.channel({
    params: z.object({ room: z.string() }),
    message: z.object({ p: z.string(), seq: z.number(), t: z.number() }),
    group: ({ params }) => params.room,
  }),
})

const server = createMizanServer({ router, basePath: '', websocket: { messagesPerSecond: 1e9 } })
servePublishes((message) => server.publish('feed', { room: 'bench' }, message))
const { port } = await server.listen(0, '127.0.0.1')
console.log(port)

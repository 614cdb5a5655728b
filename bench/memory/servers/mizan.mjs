// Mizan as an app loads it (`@mizan/server`: this repository's build), default options: the
// WebSocket transport at `/_ws`, the memory pub/sub, the default heartbeat. The router has one
// query and one channel (`room`, grouped by its `room` param), which the joined row subscribes to.
import { createMizanServer, initMizan } from '@mizan/server'
import { z } from 'zod'
import { serveMemoryReadings } from './report.mjs'

const m = initMizan()
const router = m.router({
  greet: m.query({ websocket: true, input: z.object({ name: z.string() }) }, ({ input }) => ({ message: `hello ${input.name}` })),
  room: m.channel({
    params: z.object({ room: z.string() }),
    message: z.object({ text: z.string() }),
    group: ({ params }) => params.room,
  }),
})

const server = createMizanServer({ router, basePath: '', createContext: () => ({}) })
const { port } = await server.listen(0, '127.0.0.1')
// Open TCP connections of the HTTP server: upgraded sockets stay counted there.
serveMemoryReadings(() => new Promise((resolve) => server.httpServer.getConnections((error, count) => resolve(error ? null : count))))
console.log(port)

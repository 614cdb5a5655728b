// Mizan streaming `count` values from an async generator handler: each value checked by the output
// schema, written as a line of the streamed reply, paced by the socket.
import { createMizanServer, initMizan } from '@mizan/server'
import { z } from 'zod'

const m = initMizan()
const router = m.router({
  numbers: m.query({ input: z.object({ count: z.number().int().min(0) }), output: z.number() }, async function* ({ input }) {
    for (let n = 0; n < input.count; n++) yield n
  }),
})
const server = createMizanServer({ router, basePath: '' })
const { port } = await server.listen(0, '127.0.0.1')
console.log(port)

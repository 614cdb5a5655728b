// oRPC 1.x with the RPC protocol's node:http handler. Its RPCHandler turns on StrictGetMethodPlugin,
// which refuses GET for procedures not declared GET, so the procedure says `route({ method: 'GET' })`.
// The RPC protocol's GET call is `?data=<JSON of { json: input }>`.
import { createServer } from 'node:http'
import { os } from '@orpc/server'
import { RPCHandler } from '@orpc/server/node'
import { z } from 'zod'

const router = {
  greet: os
    .route({ method: 'GET' })
    .input(z.object({ name: z.string() }))
    .output(z.object({ message: z.string() }))
    .handler(({ input }) => ({ message: `hello ${input.name}` })),
}

const handler = new RPCHandler(router)
const server = createServer(async (req, res) => {
  const { matched } = await handler.handle(req, res, { context: {} })
  if (!matched) {
    res.statusCode = 404
    res.end()
  }
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))

// tRPC 11 with its standalone node:http adapter, no transformer.
import { initTRPC } from '@trpc/server'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import { z } from 'zod'

const t = initTRPC.create()
const router = t.router({
  greet: t.procedure
    .input(z.object({ name: z.string() }))
    .output(z.object({ message: z.string() }))
    .query(({ input }) => ({ message: `hello ${input.name}` })),
})

const server = createHTTPServer({ router })
server.listen(0, '127.0.0.1', () => console.log(server.address().port))

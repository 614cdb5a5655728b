// The shared part of the cache servers: the greet query with a 1 ms handler and a public cache.
import { createMizanServer, initMizan } from '@mizan/server'
import { z } from 'zod'

export async function cachedGreetServer(cache) {
  const m = initMizan()
  const router = m.router({
    greet: m.query(
      { input: z.object({ name: z.string() }), output: z.object({ message: z.string() }), cache: { ttl: 3600, scope: 'public' } },
      async ({ input }) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        return { message: `hello ${input.name}` }
      },
    ),
  })
  const server = createMizanServer({ router, basePath: '', cache })
  const { port } = await server.listen(0, '127.0.0.1')
  console.log(port)
}

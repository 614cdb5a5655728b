// Mizan from this repository's own build (packages/server/dist, made by `npm run build` at the root).
// Default transformer (superjson); a plain-JSON value goes as it is, so the wire is plain JSON.
import { initMizan, createMizanServer } from '../../packages/server/dist/index.js'
import { z } from 'zod'

const m = initMizan()
const router = m.router({
  greet: m.query(
    { input: z.object({ name: z.string() }), output: z.object({ message: z.string() }) },
    ({ input }) => ({ message: `hello ${input.name}` }),
  ),
})

const server = createMizanServer({ router, basePath: '' })
const { port } = await server.listen(0, '127.0.0.1')
console.log(port)

// Mizan as an app loads it: `@mizan/server` through its package exports (this repository's build,
// made by `npm run build` at the root, resolved from the root workspace).
// Default transformer (superjson); a plain-JSON value goes as it is, so the wire is plain JSON.
import { initMizan, createMizanServer } from '@mizan/server'
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

// Shapes: `posts.list` answers 100 posts of 20 fields each (an output schema of 20 fields per post),
// asked for in full or with a 3-field shape. The handler returns every field either way (it ignores
// `shape`): the server's projection is what is measured, the case where it has the most to do.
import { createMizanServer, initMizan } from '@mizan/server'
import { z } from 'zod'

const FIELDS = 20
const post = z.object(Object.fromEntries(Array.from({ length: FIELDS }, (_, i) => [`field${i}`, i % 4 === 0 ? z.number() : z.string()])))
const posts = Array.from({ length: 100 }, (_, n) =>
  Object.fromEntries(Array.from({ length: FIELDS }, (_, i) => [`field${i}`, i % 4 === 0 ? n * FIELDS + i : `post ${n}, field ${i}: some text of a typical length`])),
)

const m = initMizan()
const router = m.router({
  posts: m.router({
    list: m.query({ output: z.array(post) }, () => posts),
  }),
})

const server = createMizanServer({ router, basePath: '' })
const { port } = await server.listen(0, '127.0.0.1')
console.log(port)

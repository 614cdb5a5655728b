import { initMizan } from '@mizan/server'
import { z } from 'zod'

// Procedures that take shapes, made by the builder with `output` and `shapes`: the client and
// React type tests read them through the router's type.

export interface Author {
  id: string
  name: string
  email: string
}
export interface Comment {
  id: string
  text: string
  by: Author
}
export interface Post {
  id: string
  title: string
  body: string
  tags: string[]
  published?: Date
  author: Author
  editor: Author | null
  comments: Comment[]
}

/** The named shapes of `posts.list` and `posts.cards`. */
export interface PostShapes {
  card: { id: true; title: true; author: { name: true } }
  full: { id: true; title: true; body: true; author: true }
}

const author = z.object({ id: z.string(), name: z.string(), email: z.string() })
const post = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  published: z.date().optional(),
  author,
  editor: author.nullable(),
  comments: z.array(z.object({ id: z.string(), text: z.string(), by: author })),
})
const card = { id: true, title: true, author: { name: true } } as const
const full = { id: true, title: true, body: true, author: true } as const

const m = initMizan()
declare const posts: Post[]

/** The router the client and React shape tests type against, made by the real builder. */
export const shapesRouter = m.router({
  posts: m.router({
    /** Named and free shapes of an array output. */
    list: m.query({ input: z.object({ page: z.number() }), output: z.array(post), shapes: { card, full } }, () => posts),
    /** Free shapes only, of a nullable object output. */
    byId: m.query({ input: z.object({ id: z.string() }), output: post.nullable() }, () => null),
    /** Named shapes only (`shape: 'named'`), no input. */
    cards: m.query({ output: z.array(post), shapes: { card, full }, shape: 'named' }, () => posts),
    /** A page of an infinite list: an object holding an array of objects. */
    feed: m.query(
      {
        input: z.object({ limit: z.number(), cursor: z.string().nullish() }),
        output: z.object({ items: z.array(post), next: z.string().nullable() }),
        shapes: { titles: { items: { id: true, title: true }, next: true } },
      },
      () => ({ items: posts, next: null }),
    ),
    /** A query that takes no shape: no output schema. */
    plain: m.query({ input: z.object({ id: z.string() }) }, () => posts[0]!),
    create: m.mutation({ input: z.object({ title: z.string() }), output: post, affects: ['posts.list'] }, () => posts[0]!),
  }),
})

export type ShapesRouter = typeof shapesRouter

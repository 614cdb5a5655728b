import { createCaller, createMizanServer, initMizan, type ShapeOf, type ShapesOfProcedure, type ShapeSpec } from '@mizan/server'
import { expectError, expectType } from 'tsd'
import { z } from 'zod'

const m = initMizan<{ user: { id: string } | null }>()

const Author = z.object({ id: z.string(), name: z.string(), email: z.string() })
const Post = z.object({ id: z.string(), title: z.string(), body: z.string(), author: Author, tags: z.array(z.object({ label: z.string(), weight: z.number() })), draft: z.boolean().optional() })
type PostOut = z.output<typeof Post>

const posts: PostOut[] = []

// A query with an object output schema takes shapes; its handler gets `shape`, a selection or undefined.
const list = m.query(
  {
    input: z.object({ page: z.number() }),
    output: z.array(Post),
    shapes: { card: { id: true, title: true, author: { name: true } }, full: { id: true, title: true, body: true, author: true } },
  },
  ({ shape }) => {
    expectType<ShapeOf<PostOut[]> | undefined>(shape)
    return posts
  },
)
expectType<ShapeSpec<{ readonly card: { readonly id: true; readonly title: true; readonly author: { readonly name: true } }; readonly full: { readonly id: true; readonly title: true; readonly body: true; readonly author: true } }, true, ShapeOf<PostOut[]>>>(
  {} as ShapesOfProcedure<typeof list>,
)

// Named only: free selections are refused.
const named = m.query({ output: Post.nullable(), shapes: { teaser: { id: true, title: true } }, shape: 'named' }, ({ shape }) => {
  expectType<ShapeOf<PostOut | null> | undefined>(shape)
  return null
})
expectType<ShapeSpec<{ readonly teaser: { readonly id: true; readonly title: true } }, false, ShapeOf<PostOut>>>({} as ShapesOfProcedure<typeof named>)

// An object output without declared shapes still takes free selections.
const one = m.query({ output: Post }, () => posts[0]!)
expectType<ShapeSpec<{}, true, ShapeOf<PostOut>>>({} as ShapesOfProcedure<typeof one>)

// No shape is possible: `shape` is undefined, and the procedure's shapes are never.
const plain = m.query({ output: z.string() }, ({ shape }) => {
  expectType<undefined>(shape)
  return 's'
})
expectType<never>({} as ShapesOfProcedure<typeof plain>)
m.query(({ shape }) => {
  expectType<undefined>(shape)
  return 1
})
const save = m.mutation({ input: z.object({ title: z.string() }), output: Post }, ({ shape }) => {
  expectType<undefined>(shape)
  return posts[0]!
})
expectType<never>({} as ShapesOfProcedure<typeof save>)

// A named shape must select fields the output has, at every level.
// @ts-expect-error: `nope` is no field of a post
m.query({ output: z.array(Post), shapes: { card: { id: true, nope: true } } }, () => posts)
// @ts-expect-error: `author.nope` is no field of an author
m.query({ output: z.array(Post), shapes: { card: { author: { nope: true } } } }, () => posts)
// @ts-expect-error: `title` holds no object to select fields of
m.query({ output: z.array(Post), shapes: { card: { title: { length: true } } } }, () => posts)
// Shapes on a mutation are refused.
expectError(m.mutation({ output: Post, shapes: { card: { id: true } } }, () => posts[0]!))
expectError(m.mutation({ output: Post, shape: 'named' }, () => posts[0]!))
// Shapes on a query without an output schema of objects are refused.
expectError(m.query({ shapes: { card: { id: true } } }, () => posts))
expectError(m.query({ shape: 'named' }, () => posts))
expectError(m.query({ output: z.string(), shapes: { card: { id: true } } }, () => 's'))

// The in-process caller takes a shape and returns the projection.
const router = m.router({ posts: { list, named, one, plain, save } })
const caller = createCaller(router, { user: null })
type Card = { id: string; title: string; author: { name: string } }
expectType<Promise<Card[]>>(caller.posts.list({ page: 1 }, { shape: 'card' }))
expectType<Promise<{ id: string; author: { name: string; email: string } }[]>>(caller.posts.list({ page: 1 }, { shape: { id: true, author: { name: true, email: true } } }))
expectType<Promise<{ tags: { label: string }[] }[]>>(caller.posts.list({ page: 1 }, { shape: { tags: { label: true } } }))
expectType<Promise<{ id: string; title: string } | null>>(caller.posts.named(undefined, { shape: 'teaser' }))
expectType<Promise<{ draft?: boolean }>>(caller.posts.one(undefined, { shape: { draft: true } }))
expectType<Promise<PostOut[]>>(caller.posts.list({ page: 1 }))
expectType<Promise<string>>(caller.posts.plain())
// @ts-expect-error: an unknown shape name
caller.posts.list({ page: 1 }, { shape: 'cards' })
// @ts-expect-error: an unknown field in a free selection
caller.posts.list({ page: 1 }, { shape: { id: true, nope: true } })
// @ts-expect-error: a free selection on a `shape: 'named'` query
caller.posts.named(undefined, { shape: { id: true } })
// @ts-expect-error: no shape on a query whose output holds no object
caller.posts.plain(undefined, { shape: { id: true } })
// @ts-expect-error: no shape on a mutation
caller.posts.save({ title: 'a' }, { shape: { id: true } })

const server = createMizanServer({ router, createContext: () => ({ user: null }) })
expectType<Promise<Card[]>>(server.createCaller({ user: null }).posts.list({ page: 1 }, { shape: 'card' }))

// What compiles is what the server accepts: a shape is typed from the output schema, as the server
// reads it. An output that is a union, a record or a transform's result takes no shape (though its
// type is an object), and a field holding one is selected whole.
const Image = z.object({ kind: z.literal('image'), url: z.string() })
const Video = z.object({ kind: z.literal('video'), url: z.string(), seconds: z.number() })
const media = m.query({ output: z.union([Image, Video]) }, () => ({ kind: 'image' as const, url: '' }))
expectType<never>({} as ShapesOfProcedure<typeof media>)
expectError(m.query({ output: z.union([Image, Video]), shapes: { urls: { url: true } } }, () => ({ kind: 'image' as const, url: '' })))
const counts = m.query({ output: z.record(z.string(), z.object({ n: z.number() })) }, () => ({}))
expectType<never>({} as ShapesOfProcedure<typeof counts>)
const renamed = m.query({ output: Post.transform((post) => ({ heading: post.title })) }, () => posts[0]!)
expectType<never>({} as ShapesOfProcedure<typeof renamed>)
const gallery = m.query(
  { output: z.array(z.object({ id: z.string(), item: z.union([Image, Video]), meta: z.record(z.string(), z.object({ v: z.string() })), at: z.date() })) },
  () => [],
)
const galleryCaller = createCaller(m.router({ media, counts, renamed, gallery }), { user: null })
expectType<Promise<{ id: string; item: { kind: 'image'; url: string } | { kind: 'video'; url: string; seconds: number } }[]>>(
  galleryCaller.gallery(undefined, { shape: { id: true, item: true } }),
)
// @ts-expect-error: a union field is selected whole, as the server reads it
galleryCaller.gallery(undefined, { shape: { item: { url: true } } })
// @ts-expect-error: a record field is selected whole
galleryCaller.gallery(undefined, { shape: { meta: { x: true } } })
// @ts-expect-error: a Date is selected whole
galleryCaller.gallery(undefined, { shape: { at: { getTime: true } } })
// @ts-expect-error: no shape on a union output
galleryCaller.media(undefined, { shape: { url: true } })

import type { Procedure, Router, ShapeSpec } from '@mizan/server'

// Procedures that take shapes, declared by their types: what the builder gives a query with
// `output` and `shapes`. The client and React type tests read them through a router type.

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

export type ShapesRouter = Router<
  {
    posts: {
      /** Named and free shapes of an array output. */
      list: Procedure<'query', { page: number }, Post[], never, undefined, {}, ShapeSpec<PostShapes, true>>
      /** Free shapes only, of a nullable object output. */
      byId: Procedure<'query', { id: string }, Post | null, never, undefined, {}, ShapeSpec<{}, true>>
      /** Named shapes only (`shape: 'named'`), no input. */
      cards: Procedure<'query', undefined, Post[], never, undefined, {}, ShapeSpec<PostShapes, false>>
      /** A page of an infinite list: an object holding an array of objects. */
      feed: Procedure<'query', { limit: number; cursor?: string | null }, { items: Post[]; next: string | null }, never, undefined, {}, ShapeSpec<{ titles: { items: { id: true; title: true }; next: true } }, true>>
      /** A query that takes no shape. */
      plain: Procedure<'query', { id: string }, Post, never, undefined, {}, never>
      create: Procedure<'mutation', { title: string }, Post, 'posts.list', undefined, {}, never>
    }
  },
  any,
  'json',
  'posts' | 'posts.list' | 'posts.byId' | 'posts.cards' | 'posts.feed' | 'posts.plain' | 'posts.create',
  'posts.list'
>

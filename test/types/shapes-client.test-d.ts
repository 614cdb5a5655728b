import { createClient } from '@mizan/client'
import { expectError, expectType } from 'tsd'
import type { Author, Post, ShapesRouter } from './shapes-fixtures.js'

const client = createClient<ShapesRouter>({ url: 'http://localhost/api/mizan' })

// Without a shape, a query resolves to its whole output, as any query.
expectType<Promise<Post[]>>(client.posts.list.query({ page: 1 }))
expectType<Promise<Post[]>>(client.posts.list.query({ page: 1 }, { signal: new AbortController().signal }))
expectType<Promise<Post | null>>(client.posts.byId.query({ id: '1' }))
expectType<Promise<Post[]>>(client.posts.cards.query())
expectType<Promise<Post>>(client.posts.plain.query({ id: '1' }))

// A named shape: the output cut to its selection, at every level.
expectType<Promise<{ id: string; title: string; author: { name: string } }[]>>(client.posts.list.query({ page: 1 }, { shape: 'card' }))
expectType<Promise<{ id: string; title: string; body: string; author: Author }[]>>(client.posts.list.query({ page: 1 }, { shape: 'full' }))
expectType<Promise<{ id: string; title: string; author: { name: string } }[]>>(client.posts.cards.query(undefined, { shape: 'card' }))

// A free selection: nested objects, arrays of objects, nullable fields and optional ones.
expectType<Promise<{ id: string; comments: { text: string; by: { name: string } }[] }[]>>(
  client.posts.list.query({ page: 1 }, { shape: { id: true, comments: { text: true, by: { name: true } } } }),
)
expectType<Promise<{ editor: { email: string } | null; published?: Date }[]>>(client.posts.list.query({ page: 1 }, { shape: { editor: { email: true }, published: true } }))
expectType<Promise<{ title: string; tags: string[] } | null>>(client.posts.byId.query({ id: '1' }, { shape: { title: true, tags: true } }))

// A signal and a shape go together.
expectType<Promise<{ id: string }[]>>(client.posts.list.query({ page: 1 }, { signal: new AbortController().signal, shape: { id: true } }))
// A union of names resolves to the union of their projections.
declare const either: 'card' | 'full'
expectType<Promise<{ id: string; title: string; author: { name: string } }[] | { id: string; title: string; body: string; author: Author }[]>>(
  client.posts.list.query({ page: 1 }, { shape: either }),
)

// A shape on a query that takes none, or on a mutation, is a compile error.
expectError(client.posts.plain.query({ id: '1' }, { shape: { id: true } }))
expectError(client.posts.create.mutate({ title: 'x' }, { shape: { id: true } }))
// A field the output does not have, at any depth, is a compile error.
expectError(client.posts.list.query({ page: 1 }, { shape: { id: true, nope: true } }))
expectError(client.posts.list.query({ page: 1 }, { shape: { nope: true } }))
expectError(client.posts.list.query({ page: 1 }, { shape: { author: { nope: true } } }))
expectError(client.posts.list.query({ page: 1 }, { shape: { id: true, author: { name: true, nope: true } } }))
expectError(client.posts.list.query({ page: 1 }, { shape: { comments: { by: { name: true, nope: true } } } }))
expectError(client.posts.byId.query({ id: '1' }, { shape: { editor: { nope: true } } }))
// A nested selection of a field that holds no object, or a value other than `true`, is a compile error.
expectError(client.posts.list.query({ page: 1 }, { shape: { title: { length: true } } }))
expectError(client.posts.list.query({ page: 1 }, { shape: { id: false } }))
// A free selection on a query that takes named shapes only is a compile error.
expectError(client.posts.cards.query(undefined, { shape: { id: true } }))
// An unknown name is a compile error; so is a name on a query that has none.
expectError(client.posts.list.query({ page: 1 }, { shape: 'cart' }))
expectError(client.posts.cards.query(undefined, { shape: 'nope' }))
expectError(client.posts.byId.query({ id: '1' }, { shape: 'card' }))
// The input is checked as ever beside a shape.
expectError(client.posts.list.query({ page: 'x' }, { shape: 'card' }))

import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { initMizan } from '../init.js'

const m = initMizan()
const Post = z.object({ id: z.string(), title: z.string(), author: z.object({ name: z.string() }) })
// Plain JavaScript callers (or casts) reach what the types refuse: each is a TypeError at definition.
const query = m.query as (options: unknown, handler: () => unknown) => unknown
const mutation = m.mutation as (options: unknown, handler: () => unknown) => unknown

describe('shape options at definition', () => {
  it('accept named shapes that select the output\'s fields', () => {
    expect(() => query({ output: z.array(Post), shapes: { card: { id: true, author: { name: true } } }, shape: 'named' }, () => [])).not.toThrow()
  })

  it('refuse shapes on mutations, on queries without an output of objects, and on non-zod schemas', () => {
    expect(() => mutation({ output: Post, shapes: { card: { id: true } } }, () => null)).toThrow('Mizan: m.mutation(): shapes and shape are for queries (a mutation takes no shape)')
    expect(() => mutation({ shape: 'named' }, () => null)).toThrow(TypeError)
    expect(() => query({ shapes: { card: { id: true } } }, () => null)).toThrow(/shapes need an output schema of objects/)
    expect(() => query({ output: z.string(), shape: 'named' }, () => null)).toThrow(/shapes need an output schema of objects/)
    const other = { '~standard': { version: 1, vendor: 'other', validate: (value: unknown) => ({ value }) } }
    expect(() => query({ output: other, shapes: { card: { id: true } } }, () => null)).toThrow(/shapes need an output schema of objects \(zod 4\)/)
  })

  it('refuse a bad shape option, a bad named shape, and named-only without names', () => {
    expect(() => query({ output: Post, shape: 'free' }, () => null)).toThrow(/shape must be "named"/)
    expect(() => query({ output: Post, shape: 'named' }, () => null)).toThrow(/shape: "named" needs named shapes/)
    expect(() => query({ output: Post, shapes: [] }, () => null)).toThrow(/shapes must be an object/)
    expect(() => query({ output: Post, shapes: { card: { id: true, nope: true } } }, () => null)).toThrow('Mizan: m.query(): shapes.card: The shape names "nope", which is not a field of the output')
    expect(() => query({ output: Post, shapes: { card: { title: { x: true } } } }, () => null)).toThrow(/shapes.card: The shape's "title" holds no object/)
    expect(() => query({ output: Post, shapes: { card: {} } }, () => null)).toThrow(/shapes.card: The shape selects no field/)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { MizanError } from '../errors.js'
import { MAX_FREE_SHAPES, ShapeTable } from './table.js'
import type { Selection } from './selection.js'

const Author = z.object({ id: z.string(), name: z.string(), email: z.string() })
const Post = z
  .object({
    id: z.string(),
    title: z.string(),
    author: Author.nullable(),
    tags: z.array(z.object({ label: z.string(), weight: z.number() })).default([]),
    draft: z.boolean().optional(),
  })
  // An object-level refinement reads unselected fields: a projection drops it.
  .refine((post) => post.title !== post.id, 'title and id differ')
const Output = z.array(Post)
type PostValue = z.input<typeof Post>

const table = (declaration: ConstructorParameters<typeof ShapeTable>[2] = {}, siteOf?: (canonical: string) => string) => new ShapeTable('posts.list', Output, declaration, siteOf)
const badRequest = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MizanError)
    expect((error as MizanError).status).toBe(400)
    return (error as MizanError).message
  }
  throw new Error('accepted')
}

const post: PostValue = { id: '1', title: 'One', author: { id: 'a', name: 'Ann', email: 'ann@x' }, tags: [{ label: 'x', weight: 1 }], draft: true }

describe('a procedure\'s shape table', () => {
  it('resolves named and free shapes to a projection checked by the projected schema', () => {
    const shapes = table({ shapes: { card: { title: true, id: true, author: { name: true } } } })
    const card = shapes.resolve('card')
    expect(card.selection).toEqual({ author: { name: true }, id: true, title: true })
    expect(Object.isFrozen(card.selection) && Object.isFrozen(card.selection.author)).toBe(true)
    expect(card.checkOutput(card.project([post]))).toEqual([{ id: '1', title: 'One', author: { name: 'Ann' } }])
    // The same selection sent free shares the named shape's compiled form.
    expect(shapes.resolve({ id: true, author: { name: true }, title: true })).toBe(card)
    const free = shapes.resolve({ tags: { label: true } })
    expect(free.checkOutput(free.project([post, { ...post, tags: undefined }]))).toEqual([{ tags: [{ label: 'x' }] }, { tags: [] }])
    expect(shapes.resolve({ tags: { label: true } })).toBe(free)
  })

  it('drops the object refinement a projection cannot honour, and keeps field checks', () => {
    const shape = table().resolve({ id: true, title: true })
    expect(shape.checkOutput([{ id: 'same', title: 'same' }])).toEqual([{ id: 'same', title: 'same' }])
    expect(() => shape.checkOutput([{ id: 1, title: 'x' }])).toThrow(expect.objectContaining({ status: 500, message: 'Output validation failed' }))
  })

  it('refuses unknown names listing the declared ones, and free selections on a named-only query', () => {
    const shapes = table({ shapes: { card: { id: true }, full: { id: true, title: true } }, shape: 'named' })
    expect(badRequest(() => shapes.resolve('cards'))).toBe('"posts.list" has no shape named "cards" (named shapes: "card", "full")')
    expect(badRequest(() => table().resolve('card'))).toBe('"posts.list" has no shape named "card" (it declares none)')
    expect(badRequest(() => shapes.resolve({ id: true }))).toBe('"posts.list" takes only its named shapes ("card", "full"), not a selection of fields')
    expect(badRequest(() => shapes.resolve('toString'))).toMatch(/no shape named "toString"/)
  })

  it('gives each shape its own cache site, from its canonical text', () => {
    const shapes = table({}, (canonical) => `site:${canonical}`)
    expect(shapes.resolve({ title: true, id: true }).cacheSite).toBe('site:{"id":true,"title":true}')
  })

  it('keeps at most a bounded number of free shapes, dropping the oldest', () => {
    const wide = z.object(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, z.string()])))
    const shapes = new ShapeTable('wide', wide, {}, undefined)
    const selections = Array.from({ length: MAX_FREE_SHAPES + 1 }, (_, n) => Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, true as const]).filter((_, i) => ((n + 1) >> i) & 1)))
    const first = shapes.resolve(selections[0])
    expect(shapes.resolve(selections[0])).toBe(first)
    for (const selection of selections.slice(1)) shapes.resolve(selection)
    expect(shapes.resolve(selections[0])).not.toBe(first)
  })

  it('never lets a bad shape or a bad value escape as anything but a 400 or a 500, nor an unselected field', () => {
    const shapes = table({ shapes: { card: { id: true } } })
    const fieldsArb: fc.Arbitrary<unknown> = fc.dictionary(
      fc.constantFrom('id', 'title', 'author', 'tags', 'draft', 'nope', 'name', 'label', '__proto__', 'constructor'),
      fc.oneof(fc.constant(true), fc.constant(false), fc.constant({}), fc.dictionary(fc.constantFrom('id', 'name', 'email', 'label', 'weight', 'x'), fc.oneof(fc.constant(true), fc.jsonValue({ maxDepth: 2 })), { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 })),
      { maxKeys: 5 },
    )
    const shapeArb = fc.oneof(fieldsArb, fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('card', 'nope', ''))
    const postArb = fc.record({
      id: fc.string(),
      title: fc.string(),
      author: fc.option(fc.record({ id: fc.string(), name: fc.string(), email: fc.string(), extra: fc.string() }), { nil: null }),
      tags: fc.option(fc.array(fc.record({ label: fc.string(), weight: fc.double({ noNaN: true }), hidden: fc.string() }), { maxLength: 3 }), { nil: undefined }),
      draft: fc.option(fc.boolean(), { nil: undefined }),
      secret: fc.string(),
    }, { requiredKeys: ['id', 'title', 'author', 'secret'] })
    const valueArb = fc.oneof(fc.array(postArb, { maxLength: 3 }), fc.anything({ maxDepth: 3 }))
    const within = (value: unknown, selection: Selection): void => {
      if (Array.isArray(value)) return value.forEach((item) => within(item, selection))
      if (typeof value !== 'object' || value === null) return
      for (const [key, inner] of Object.entries(value)) {
        expect(Object.keys(selection)).toContain(key)
        const nested = selection[key]!
        if (nested !== true) within(inner, nested)
      }
    }
    fc.assert(
      fc.property(shapeArb, valueArb, (raw, value) => {
        let shape
        try {
          shape = shapes.resolve(raw)
        } catch (error) {
          expect(error).toBeInstanceOf(MizanError)
          expect((error as MizanError).status).toBe(400)
          return
        }
        let checked: unknown
        try {
          checked = shape.checkOutput(shape.project(value))
        } catch (error) {
          // A handler's value that fails the output is the server's fault: a 500, never a TypeError.
          expect(error).toBeInstanceOf(MizanError)
          expect((error as MizanError).status).toBe(500)
          return
        }
        within(checked, shape.selection)
      }),
      { numRuns: 1000 },
    )
  })
})

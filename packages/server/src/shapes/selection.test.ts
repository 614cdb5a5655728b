import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { MizanError } from '../errors.js'
import { fieldsOf } from './fields.js'
import { checkSelection, MAX_SHAPE_DEPTH } from './selection.js'

const Author = z.object({ id: z.string(), name: z.string() })
const Post = z.object({ id: z.string(), title: z.string(), author: Author.nullable(), tags: z.array(z.object({ label: z.string() })).default([]), at: z.date() })

const refuse = (message: string) => new MizanError('BAD_REQUEST', message)
const check = (raw: unknown, schema: unknown = z.array(Post)) => checkSelection(raw, schema, refuse)
const messageOf = (raw: unknown, schema?: unknown) => {
  try {
    check(raw, schema)
  } catch (error) {
    expect(error).toBeInstanceOf(MizanError)
    return (error as MizanError).message
  }
  throw new Error('accepted')
}

describe('the fields of an output schema', () => {
  it('are found through arrays, wrappers, lazy schemas and a pipe\'s output side', () => {
    expect(Object.keys(fieldsOf(z.array(Post.optional()).nullable())!)).toEqual(['id', 'title', 'author', 'tags', 'at'])
    expect(Object.keys(fieldsOf(z.lazy(() => Author).readonly())!)).toEqual(['id', 'name'])
    expect(Object.keys(fieldsOf(z.string().pipe(z.transform(() => 1)).pipe(Author))!)).toEqual(['id', 'name'])
    expect(Object.keys(fieldsOf(Author.catch({ id: '', name: '' }).default({ id: '', name: '' }))!)).toEqual(['id', 'name'])
  })

  it('are none for values that hold no object, and for schemas that are not zod 4', () => {
    for (const schema of [z.string(), z.date(), z.union([Author, z.string()]), z.record(z.string(), Author), Author.transform((a) => a), z.lazy(() => { throw new Error('broken') })]) {
      expect(fieldsOf(schema)).toBeUndefined()
    }
    expect(fieldsOf({ '~standard': { version: 1, vendor: 'x', validate: () => ({ value: 1 }) } })).toBeUndefined()
  })
})

describe('checking a selection', () => {
  it('rebuilds it sorted, with a canonical text equal for equal selections', () => {
    const a = check({ title: true, author: { name: true, id: true }, id: true })
    const b = check({ id: true, author: { id: true, name: true }, title: true })
    expect(a.canonical).toBe('{"author":{"id":true,"name":true},"id":true,"title":true}')
    expect(b.canonical).toBe(a.canonical)
    expect(Object.keys(a.selection)).toEqual(['author', 'id', 'title'])
  })

  it('opens nested objects and arrays of objects, even nullable or defaulted', () => {
    expect(check({ author: { name: true }, tags: { label: true } }).canonical).toBe('{"author":{"name":true},"tags":{"label":true}}')
  })

  it('refuses, naming the field path: unknown fields, non-objects opened, empty selections, bad values', () => {
    expect(messageOf({ id: true, nope: true })).toBe('The shape names "nope", which is not a field of the output')
    expect(messageOf({ author: { nope: true } })).toBe('The shape names "author.nope", which is not a field of the output')
    expect(messageOf({ title: { length: true } })).toBe('The shape\'s "title" holds no object to select fields of: select it with true')
    expect(messageOf({ at: { getTime: true } })).toMatch(/"at" holds no object/)
    expect(messageOf({})).toBe('The shape selects no field ({} is not a selection)')
    expect(messageOf({ author: {} })).toMatch(/selects no field of "author"/)
    for (const value of [false, 1, 'yes', null, [], ['id']]) expect(messageOf({ id: value })).toBe('The shape\'s "id" must be true or a selection of its fields')
    for (const raw of [1, true, null, [], ['id'], false]) expect(messageOf(raw)).toMatch(/A shape is an object selecting fields/)
    expect(messageOf({ toString: true })).toMatch(/"toString", which is not a field/)
    expect(messageOf(JSON.parse('{"__proto__":true}'))).toMatch(/"__proto__", which is not a field/)
  })

  it('refuses a shape for an output that holds no object', () => {
    expect(messageOf({ id: true }, z.string())).toMatch(/takes no shape/)
  })

  it('bounds nesting: a recursive schema takes shapes up to the depth limit, no deeper', () => {
    type Node = { name: string; child?: Node }
    const Tree: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), child: Tree.optional() }))
    const nest = (levels: number): Record<string, unknown> => (levels === 1 ? { name: true } : { child: nest(levels - 1) })
    expect(check(nest(MAX_SHAPE_DEPTH), Tree).canonical).toContain('"name":true')
    expect(messageOf(nest(MAX_SHAPE_DEPTH + 1), Tree)).toMatch(/nests deeper than 16 levels/)
    expect(messageOf(nest(10_000), Tree)).toMatch(/nests deeper than 16 levels/)
  })

  it('never throws anything but its refusal, whatever it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (raw) => {
        try {
          const { selection, canonical } = check(raw)
          expect(JSON.parse(canonical)).toEqual(selection)
        } catch (error) {
          expect(error).toBeInstanceOf(MizanError)
          expect((error as MizanError).status).toBe(400)
        }
      }),
      { numRuns: 500 },
    )
  })
})

import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { projectSchema } from './projected-schema.js'

describe('an output schema projected to a selection', () => {
  it('keeps only the selected fields, nested through wrappers, arrays and lazy schemas', () => {
    const Author = z.object({ id: z.string(), name: z.string() })
    const schema = z.array(z.object({ id: z.string(), author: z.lazy(() => Author).nullable().readonly(), title: z.string() })).optional()
    const projected = projectSchema(schema, { author: { name: true } }) as z.ZodType
    expect(projected.parse([{ author: { name: 'a', id: 'x' } }, { author: null }])).toEqual([{ author: { name: 'a' } }, { author: null }])
    expect(projected.parse(undefined)).toBeUndefined()
    expect(() => projected.parse([{ author: { id: 'x' } }])).toThrow()
    // The original schema is untouched.
    expect(() => schema.parse([{ author: { name: 'a' } }])).toThrow()
  })

  it('projects default and catch values too, so they cannot bring back an unselected field', () => {
    const Author = z.object({ id: z.string(), name: z.string() })
    const schema = z.object({ author: Author.default({ id: 'd', name: 'Default' }), editor: Author.catch({ id: 'c', name: 'Caught' }) })
    const projected = projectSchema(schema, { author: { name: true }, editor: { name: true } }) as z.ZodType
    expect(projected.parse({ editor: 5 })).toEqual({ author: { name: 'Default' }, editor: { name: 'Caught' } })
  })

  it('projects both sides of a pipe, and leaves a schema that is not zod as it is', () => {
    const schema = z.object({ id: z.string(), n: z.number() }).pipe(z.object({ id: z.string(), n: z.number() }))
    expect((projectSchema(schema, { id: true }) as z.ZodType).parse({ id: 'a', n: 'no' })).toEqual({ id: 'a' })
    const other = { '~standard': { version: 1, vendor: 'x', validate: (value: unknown) => ({ value }) } }
    expect(projectSchema(other, { id: true })).toBe(other)
  })
})

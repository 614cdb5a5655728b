import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fieldsOf } from './fields.js'
import { jsonSchemaOf } from './json-schema.js'

// The round trip the browser makes: the server sends z.toJSONSchema of the input, the browser
// rebuilds it with z.fromJSONSchema. For every type a form accepts, the rebuilt schema must accept
// and refuse the same values as the original (refinements and transforms aside: server only).

/** Values worth trying on a field: near its bounds and formats, and anything JSON. */
const samples = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'a', 'abc', 'abcdefghijk', 'aaa', 'ada@example.com', 'not an email', 'https://example.com/x', 'example.com', 'ftp://x.y'),
  fc.constantFrom('2024-02-29', '2023-02-29', '2024-13-01', '2024-01-01T10:00:00Z', '2024-01-01T10:00:00+02:00', '2024-01-01T10:00:00.123Z', '2024-01-01'),
  fc.uuid(),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'F47AC10B-58CC-4372-A567-0E02B2C3D479'),
  fc.integer({ min: -20, max: 20 }),
  fc.double({ min: -20, max: 20, noNaN: true }),
  fc.constantFrom(0, 1, 2, 3, 4, 6, 1.5, true, false, null, 'sales', 'support', 'x', 1, 2, 'yes'),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom('a', 'b')), { maxLength: 5 }),
  fc.record({ city: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), zip: fc.oneof(fc.constant('1234'), fc.string({ maxLength: 5 })) }, { requiredKeys: [] }),
)

const TYPES: Record<string, z.ZodType> = {
  string: z.string(),
  min: z.string().min(2),
  max: z.string().max(5),
  length: z.string().length(3),
  regex: z.string().regex(/^a+$/),
  email: z.email(),
  url: z.url(),
  uuid: z.uuid(),
  date: z.iso.date(),
  datetime: z.iso.datetime(),
  datetimeOffset: z.iso.datetime({ offset: true }),
  number: z.number(),
  int: z.number().int(),
  bounds: z.number().min(1).max(10),
  exclusive: z.number().gt(0).lt(5),
  multipleOf: z.number().multipleOf(2),
  boolean: z.boolean(),
  enum: z.enum(['sales', 'support']),
  literal: z.literal('x'),
  literalTrue: z.literal(true),
  literalUnion: z.union([z.literal(1), z.literal(2)]),
  optional: z.string().min(1).optional(),
  default: z.number().int().default(3),
  nullable: z.string().nullable(),
  nullableOptional: z.enum(['sales', 'support']).nullable().optional(),
  nested: z.object({ city: z.string().min(2), zip: z.string().regex(/^\d{4}$/).optional() }),
  nestedOptional: z.object({ city: z.string() }).optional(),
  array: z.array(z.string()).min(1).max(3),
  arrayOfEnum: z.array(z.enum(['a', 'b'])).max(2),
  arrayOfInt: z.array(z.number().int().min(0)),
}

describe('the JSON Schema of a form input', () => {
  for (const [name, type] of Object.entries(TYPES)) {
    it(`${name}: the rebuilt schema accepts and refuses what the original does`, async () => {
      const input = z.object({ field: type })
      expect(() => fieldsOf('Round trip', input, undefined)).not.toThrow()
      const rebuilt = z.fromJSONSchema(await jsonSchemaOf(input))
      fc.assert(
        fc.property(fc.option(samples, { nil: undefined }), (value) => {
          const values = value === undefined ? {} : { field: value }
          expect(rebuilt.safeParse(values).success).toBe(input.safeParse(values).success)
        }),
        { seed: 42, numRuns: 400 },
      )
    })
  }

  it('describes file fields as binary strings with their media type', async () => {
    const input = z.object({ one: z.file().max(100).mime(['image/png']), some: z.array(z.file().mime(['image/png', 'image/jpeg'])).optional(), any: z.file().optional() })
    const schema = (await jsonSchemaOf(input)) as { properties: Record<string, unknown>; required: string[] }
    expect(schema.properties).toEqual({
      one: { type: 'string', format: 'binary', contentMediaType: 'image/png' },
      some: { type: 'array', items: { type: 'string', format: 'binary', anyOf: [{ contentMediaType: 'image/png' }, { contentMediaType: 'image/jpeg' }] } },
      any: { type: 'string', format: 'binary' },
    })
    expect(schema.required).toEqual(['one'])
  })

  it('leaves refinements and transforms to the server: the input side is described', async () => {
    const input = z.object({ code: z.string().min(2).refine((code) => code !== 'no'), age: z.string().transform(Number) })
    const rebuilt = z.fromJSONSchema(await jsonSchemaOf(input))
    expect(rebuilt.safeParse({ code: 'no', age: '12' }).success).toBe(true)
    expect(input.safeParse({ code: 'no', age: '12' }).success).toBe(false)
    expect(rebuilt.safeParse({ code: 'n', age: '12' }).success).toBe(false)
  })

  it('carries .meta() titles and .describe() descriptions', async () => {
    const schema = (await jsonSchemaOf(z.object({ email: z.email().meta({ title: 'Mail' }).describe('Where we answer') }))) as { properties: { email: Record<string, unknown> } }
    expect(schema.properties.email).toMatchObject({ title: 'Mail', description: 'Where we answer' })
  })
})

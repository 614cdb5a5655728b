import type { AnySchema } from '../schema.js'

/** A JSON Schema object (draft 2020-12, what OpenAPI 3.1 uses). */
export type JsonSchema = Record<string, unknown>

interface StandardJsonSchema {
  input(options: { target: string; libraryOptions?: Record<string, unknown> }): JsonSchema
  output(options: { target: string; libraryOptions?: Record<string, unknown> }): JsonSchema
}

// Types JSON cannot carry: said in the schema, never passed off as something they are not.
const NOT_JSON: Record<string, string> = {
  date: 'A Date. It travels as an ISO 8601 string; with the superjson transformer the envelope\'s `meta` marks it as a Date.',
  bigint: 'A BigInt. JSON cannot carry it: with the superjson transformer it travels as a string that `meta` marks; with json it cannot be sent.',
  map: 'A Map. JSON cannot carry it: with the superjson transformer it travels as an array of [key, value] pairs that `meta` marks; with json it becomes {}.',
  set: 'A Set. JSON cannot carry it: with the superjson transformer it travels as an array that `meta` marks; with json it becomes {}.',
  undefined: 'undefined. JSON drops it; with the superjson transformer `meta` keeps it.',
  file: 'A file, sent as a part of a multipart/form-data upload.',
}

/**
 * The JSON Schema of a schema, by the Standard JSON Schema interface zod 4 implements (no import
 * of zod: the schema itself converts). `io` picks what a client sends (`input`: defaults optional,
 * coercions' input) or receives (`output`). A schema that cannot describe itself gives `{}` with a
 * description that says so.
 */
export function jsonSchemaOf(schema: AnySchema, io: 'input' | 'output'): JsonSchema {
  const standard = (schema as { '~standard'?: { jsonSchema?: StandardJsonSchema } })['~standard']?.jsonSchema
  if (standard === undefined) return { description: 'A schema that does not describe itself as JSON Schema (it implements Standard Schema only).' }
  const override = (context: { zodSchema?: { _zod?: { def?: { type?: string } } }; jsonSchema: JsonSchema }) => {
    const type = context.zodSchema?._zod?.def?.type
    if (type === undefined || NOT_JSON[type] === undefined) return
    if (type === 'date') {
      context.jsonSchema.type = 'string'
      context.jsonSchema.format = 'date-time'
    }
    if (type === 'file') {
      context.jsonSchema.type = 'string'
      context.jsonSchema.contentMediaType = 'application/octet-stream'
    }
    context.jsonSchema.description ??= NOT_JSON[type]
  }
  try {
    const converted = standard[io]({ target: 'draft-2020-12', libraryOptions: { unrepresentable: 'any', override } })
    const { $schema: _ignored, ...rest } = converted
    return rest
  } catch (error) {
    return { description: `Not describable as JSON Schema: ${error instanceof Error ? error.message : String(error)}` }
  }
}

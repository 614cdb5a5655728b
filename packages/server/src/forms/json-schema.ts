// The JSON Schema of a form's input, made by zod's own z.toJSONSchema. zod is a peer the server
// imports only here, on the first `schema` call: a server starts without loading it.

interface ZodJson {
  toJSONSchema(schema: unknown, params: Record<string, unknown>): Record<string, unknown>
}

let zod: Promise<ZodJson> | undefined

/**
 * The JSON Schema (draft 2020-12) of what the client sends. File fields read
 * `{ type: 'string', format: 'binary', contentMediaType? }` (one accepted type; several as `anyOf`
 * of them): their sizes are in the form's field list (`maxSize`), not in string lengths.
 */
export async function jsonSchemaOf(input: unknown): Promise<Record<string, unknown>> {
  const { toJSONSchema } = await (zod ??= import('zod') as Promise<ZodJson>)
  return toJSONSchema(input, {
    io: 'input',
    target: 'draft-2020-12',
    // Each field's description, where the browser finds it; shared sub-schemas are written out
    // where they are used, so every field's node stands alone.
    reused: 'inline',
    override: ({ zodSchema, jsonSchema }: { zodSchema: { _zod: { def: { type: string } } }; jsonSchema: Record<string, unknown> }) => {
      if (zodSchema._zod.def.type !== 'file') return
      delete jsonSchema.contentEncoding
      delete jsonSchema.minLength
      delete jsonSchema.maxLength
      jsonSchema.type = 'string'
      jsonSchema.format = 'binary'
    },
  })
}

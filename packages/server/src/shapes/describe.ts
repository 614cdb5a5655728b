import type { ProcedureDef } from '../procedure.js'
import { fieldsOf } from './fields.js'

/** What a query says of shapes, for the manifest and the OpenAPI document. */
export interface ShapesDescription {
  /** Its named shapes, in declaration order. */
  names: string[]
  /** Whether a caller may send a selection of its own (`false` with `shape: 'named'`). */
  free: boolean
}

/**
 * The shapes a procedure takes: a query whose output schema (zod 4) holds objects takes a shape;
 * `undefined` for any other procedure.
 */
export function describeShapes(def: ProcedureDef): ShapesDescription | undefined {
  const { output, shapes, shape } = def.options
  if (def.kind !== 'query' || def.stream === true || output === undefined || fieldsOf(output) === undefined) return undefined
  return { names: Object.keys(shapes ?? {}), free: shape !== 'named' }
}

/** A JSON Schema of the `shape` a query takes (a name, or a selection of its top-level fields), for OpenAPI. */
export function shapeJsonSchema(def: ProcedureDef, described: ShapesDescription): Record<string, unknown> {
  const choices: Record<string, unknown>[] = []
  if (described.names.length > 0) choices.push({ type: 'string', enum: described.names, description: 'The name of a declared shape.' })
  if (described.free) {
    const fields = fieldsOf(def.options.output) ?? {}
    const properties: Record<string, unknown> = {}
    for (const [name, field] of Object.entries(fields)) {
      properties[name] = fieldsOf(field) === undefined ? { const: true } : { oneOf: [{ const: true }, { type: 'object', description: 'A selection of this field\'s fields.' }] }
    }
    choices.push({ type: 'object', description: 'A selection of the output\'s fields: `true` takes a field whole, an object selects its fields.', properties, additionalProperties: false, minProperties: 1 })
  }
  return choices.length === 1 ? choices[0]! : { oneOf: choices }
}

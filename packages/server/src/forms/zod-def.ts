// Reading zod 4 schemas by their definitions (`schema._zod.def`): what a form needs to know of its
// input at definition time, without importing zod (a peer the server loads only when asked).

/** The parts of a zod 4 definition forms read. */
export interface ZodDef {
  type: string
  shape?: Record<string, unknown>
  element?: unknown
  options?: unknown[]
  innerType?: unknown
  in?: unknown
  out?: unknown
  format?: string
  entries?: Record<string, string | number>
  values?: unknown[]
  checks?: { _zod?: { def?: ZodCheckDef } }[]
}

/** One check of a zod schema (`min_size`, `max_size`, `mime_type`, `string_format`, ...). */
export interface ZodCheckDef {
  check: string
  format?: string
  minimum?: number
  maximum?: number
  mime?: string[]
}

/** The definition of a zod 4 schema, or `undefined` for anything else. */
export function defOf(schema: unknown): ZodDef | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined
  const def = (schema as { _zod?: { def?: unknown } })._zod?.def
  return typeof def === 'object' && def !== null && typeof (def as ZodDef).type === 'string' ? (def as ZodDef) : undefined
}

/** The definitions of a schema's checks. */
export function checksOf(def: ZodDef): ZodCheckDef[] {
  return (def.checks ?? []).flatMap((check) => (check._zod?.def === undefined ? [] : [check._zod.def]))
}

/** What a field declares of itself beside its type: `.meta({ title })` and `.describe()`. */
export function metaOf(schema: unknown): { title?: string; description?: string } {
  const read = schema as { meta?: () => unknown; description?: unknown }
  const meta = typeof read.meta === 'function' ? (read.meta() as { title?: unknown } | undefined) : undefined
  const out: { title?: string; description?: string } = {}
  if (typeof meta?.title === 'string') out.title = meta.title
  if (typeof read.description === 'string') out.description = read.description
  return out
}

/** Wrappers a field's type is found inside, and what each says of the field. */
export interface Unwrapped {
  /** The innermost schema: the field's type. */
  schema: unknown
  def: ZodDef
  /** The client may leave it out (optional, default, prefault, catch: zod's own `optin`). */
  optional: boolean
  /** Schemas on the way, outermost first: where `.meta()` and `.describe()` may sit. */
  layers: unknown[]
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'catch', 'nullable', 'readonly', 'nonoptional'])

/**
 * Peels wrappers off a schema: optional, default, prefault, catch, nullable, readonly,
 * nonoptional, and a pipe to the side the client sends (its input, unless that is a transform,
 * as with `z.preprocess`: then what the transform hands on). Refinements stay on the schema.
 */
export function unwrap(schema: unknown): Unwrapped | undefined {
  let current = schema
  // zod knows whether an input may leave a key out, through any nesting of wrappers.
  const optin = (schema as { _zod?: { optin?: unknown } })._zod?.optin
  const optional = optin === 'optional' || optin === 'defaulted'
  const layers: unknown[] = []
  for (let depth = 0; depth < 64; depth++) {
    const def = defOf(current)
    if (def === undefined) return undefined
    layers.push(current)
    if (WRAPPERS.has(def.type)) {
      current = def.innerType
    } else if (def.type === 'pipe') {
      current = defOf(def.in)?.type === 'transform' ? def.out : def.in
    } else {
      return { schema: current, def, optional, layers }
    }
  }
  return undefined
}

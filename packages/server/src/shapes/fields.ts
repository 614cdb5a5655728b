// The fields a shape may select, read from a zod 4 output schema by its definition
// (`schema._zod.def`), as the files and forms code read input schemas: no import of zod.

/** The parts of a zod 4 definition a shape walk reads. */
interface ZodDef {
  readonly type: string
  readonly shape?: Record<string, unknown>
  readonly element?: unknown
  readonly innerType?: unknown
  readonly in?: unknown
  readonly out?: unknown
  readonly getter?: () => unknown
}

/** Wrappers whose value is their inner schema's, or null / undefined. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch'])

/** Steps an unwrap takes at most: a schema is never wrapped deeper, and a cycle of lazies ends here. */
const MAX_UNWRAP = 64

/** The zod 4 definition of a schema, or `undefined` for anything else (another Standard Schema). */
export function zodDefOf(schema: unknown): ZodDef | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined
  const def = (schema as { _zod?: { def?: unknown } })._zod?.def
  return typeof def === 'object' && def !== null && typeof (def as ZodDef).type === 'string' ? (def as ZodDef) : undefined
}

/** Memo of {@link fieldsOf}: a schema's fields are read once. `null` records "holds no object". */
const memo = new WeakMap<object, Readonly<Record<string, unknown>> | null>()

/**
 * The fields of the objects a schema's values hold, as field name → field schema: through
 * optional, nullable, default, prefault, catch, readonly and nonoptional, the elements of an
 * array, a lazy schema's target and a pipe's output side. `undefined` when the schema holds no
 * object (a string, a union, a record, a transform's result, or a schema that is not zod 4): such
 * a schema, or field, takes no nested shape.
 */
export function fieldsOf(schema: unknown): Readonly<Record<string, unknown>> | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined
  const known = memo.get(schema)
  if (known !== undefined) return known ?? undefined
  const found = walk(schema)
  memo.set(schema, found ?? null)
  return found
}

function walk(schema: unknown): Readonly<Record<string, unknown>> | undefined {
  let current = schema
  for (let step = 0; step < MAX_UNWRAP; step++) {
    const def = zodDefOf(current)
    if (def === undefined) return undefined
    if (def.type === 'object') return def.shape
    if (def.type === 'array') current = def.element
    else if (WRAPPERS.has(def.type)) current = def.innerType
    else if (def.type === 'pipe') current = def.out
    else if (def.type === 'lazy' && typeof def.getter === 'function') current = target(def.getter)
    else return undefined
  }
  return undefined
}

/** A lazy schema's target; a getter that throws holds no object (its schema fails elsewhere, not here). */
function target(getter: () => unknown): unknown {
  try {
    return getter()
  } catch {
    return undefined
  }
}

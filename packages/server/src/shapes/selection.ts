import { fieldsOf } from './fields.js'

/** How deep a selection may nest: a shape deeper than this is refused before any more work. */
export const MAX_SHAPE_DEPTH = 16

/**
 * A checked selection: each key a field of the output at its level, `true` or a nested selection.
 * Keys are in sorted order, so its JSON is its {@link canonical} text.
 */
export type Selection = { readonly [field: string]: true | Selection }

/** A selection checked against a schema, and its canonical text. */
export interface CheckedSelection {
  readonly selection: Selection
  /** The selection's JSON with keys sorted at every level: equal selections, equal text. */
  readonly canonical: string
}

/**
 * Checks a selection sent by a caller (or declared as a named shape) against the fields of an
 * output schema, and returns it rebuilt from its checked keys, sorted. Throws `refuse(message)` at
 * the first problem, with the field's dotted path: a key that is no field, a value that is neither
 * `true` nor a non-empty object, a nested selection of a field that holds no object, nesting deeper
 * than {@link MAX_SHAPE_DEPTH}. The walk reads each key once and stops at the first bad one, so its
 * work is bounded by the selection's size.
 */
export function checkSelection(raw: unknown, schema: unknown, refuse: (message: string) => Error): CheckedSelection {
  const fields = fieldsOf(schema)
  if (fields === undefined) throw refuse('This procedure takes no shape: its output schema holds no object')
  if (!isRecord(raw)) throw refuse('A shape is an object selecting fields ({ "id": true }) or the name of a declared shape')
  const selection = check(raw, fields, '', 1, refuse)
  return { selection, canonical: JSON.stringify(selection) }
}

function check(raw: Record<string, unknown>, fields: Readonly<Record<string, unknown>>, at: string, depth: number, refuse: (message: string) => Error): Selection {
  if (depth > MAX_SHAPE_DEPTH) throw refuse(`The shape nests deeper than ${MAX_SHAPE_DEPTH} levels${at === '' ? '' : ` at ${quoted(at)}`}`)
  const keys = Object.keys(raw)
  if (keys.length === 0) throw refuse(at === '' ? 'The shape selects no field ({} is not a selection)' : `The shape selects no field of ${quoted(at)} ({} is not a selection: use true for the whole field)`)
  // Checked in the caller's order (the first bad key ends the walk), then sorted: only checked
  // keys are sorted, and there are no more of them than the schema has fields.
  const checked: [string, true | Selection][] = []
  for (const key of keys) {
    const path = at === '' ? key : `${at}.${key}`
    // A field named like a prototype key would make `out[key] =` reach the prototype: none is a field.
    if (!Object.hasOwn(fields, key) || key === '__proto__') throw refuse(`The shape names ${quoted(path)}, which is not a field of the output`)
    const value = raw[key]
    if (value === true) {
      checked.push([key, true])
      continue
    }
    if (!isRecord(value)) throw refuse(`The shape's ${quoted(path)} must be true or a selection of its fields`)
    const inner = fieldsOf(fields[key])
    if (inner === undefined) throw refuse(`The shape's ${quoted(path)} holds no object to select fields of: select it with true`)
    checked.push([key, check(value, inner, path, depth + 1, refuse)])
  }
  checked.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const out: Record<string, true | Selection> = {}
  for (const [key, value] of checked) out[key] = value
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A field path for a message: JSON-quoted (a key is the caller's text) and cut short. */
function quoted(path: string): string {
  return JSON.stringify(path.length > 120 ? path.slice(0, 120) + '…' : path)
}

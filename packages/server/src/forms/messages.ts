// A field's custom messages, read from its zod definition at definition time so the browser can
// say what the server would. zod keeps a custom message as the `error` function of a schema's def
// or of a check's def (`z.string().min(10, 'At least 10 characters')`); a check without one falls
// back to its schema's. Each is called here, as zod calls it, with a representative issue.
import { checksOf, defOf, type ZodCheckDef, type ZodDef } from './zod-def.js'

/** One issue a rule raises, as far as a message function may read it. */
type Issue = { code: string } & Record<string, unknown>

/** zod's error customizer: a message, an object holding one, or nothing (the next map answers). */
type ErrorFn = (issue: Issue) => unknown

/** A candidate message: its key, and how tight its bound is (a tighter one replaces a looser one). */
interface Found {
  readonly key: string
  readonly message: string
  readonly rank: number
}

/**
 * The messages a field's schema gives instead of zod's defaults, keyed by the zod issue code they
 * answer (`too_small`, `invalid_format`, ...), a key refined by what the issue says when one code
 * answers two rules (`invalid_type:int`, `invalid_format:email`), and `item.` before the keys of an
 * array's items. `undefined` when the field has none.
 */
export function messagesOf(type: unknown, element?: unknown): Record<string, string> | undefined {
  const found: Found[] = [...rulesOf(type, '')]
  if (element !== undefined) found.push(...rulesOf(element, 'item.'))
  const messages: Record<string, string> = Object.create(null)
  const ranks = new Map<string, number>()
  for (const { key, message, rank } of found) {
    // The browser enforces one bound per kind, the tightest (as JSON Schema carries it): its message goes.
    if (messages[key] !== undefined && rank <= (ranks.get(key) ?? -Infinity)) continue
    messages[key] = message
    ranks.set(key, rank)
  }
  // A refined key saying what its code's key says is left out: the browser falls back to the code.
  for (const key of Object.keys(messages)) {
    const colon = key.indexOf(':')
    if (colon !== -1 && messages[key.slice(0, colon)] === messages[key]) delete messages[key]
  }
  return Object.keys(messages).length === 0 ? undefined : { ...messages }
}

/** The custom messages of one schema (the field's type, or an array's element) and of its checks. */
function rulesOf(schema: unknown, prefix: string): Found[] {
  const def = defOf(schema)
  if (def === undefined) return []
  const typeError = errorOf(def)
  const found: Found[] = []
  const add = (key: string, issue: Issue, own: ErrorFn | undefined, rank = 0) => {
    const message = call(own, issue) ?? call(typeError, issue)
    if (message !== undefined) found.push({ key: prefix + key, message, rank })
  }
  // The type's own issue: a value of another type, or none (a required field left empty).
  if (def.type === 'enum' || def.type === 'literal') {
    add('invalid_value', { code: 'invalid_value', values: valuesOf(def), input: undefined }, undefined)
  } else if (def.type === 'union') {
    // A union of choices: no option took the value.
    add('invalid_union', { code: 'invalid_union', errors: [], input: undefined }, undefined)
  } else {
    add('invalid_type', { code: 'invalid_type', expected: def.type, input: undefined }, undefined)
  }
  // A string format (`z.email()`) or `z.int()` is a schema and a check at once.
  const checks: { def: ZodCheckDef; error: ErrorFn | undefined }[] = []
  if (typeof (def as { check?: unknown }).check === 'string') checks.push({ def: def as unknown as ZodCheckDef, error: undefined })
  for (const check of checksOf(def)) checks.push({ def: check, error: errorOf(check) })
  for (const { def: check, error } of checks) {
    for (const rule of issuesOf(check, def.type)) add(rule.key, rule.issue, error, rule.rank)
  }
  return found
}

/** The issues a check raises, each with the key the browser finds its message by. */
function issuesOf(check: ZodCheckDef, origin: string): { key: string; issue: Issue; rank?: number }[] {
  const { minimum, maximum } = check as { minimum?: number; maximum?: number }
  const { value, inclusive, length } = check as { value?: number; inclusive?: boolean; length?: number }
  switch (check.check) {
    case 'min_length':
    case 'min_size':
      return [{ key: 'too_small', issue: { code: 'too_small', origin, minimum, inclusive: true, input: undefined }, rank: minimum ?? 0 }]
    case 'max_length':
    case 'max_size':
      return [{ key: 'too_big', issue: { code: 'too_big', origin, maximum, inclusive: true, input: undefined }, rank: -(maximum ?? 0) }]
    case 'length_equals':
    case 'size_equals': {
      const size = length ?? (check as { size?: number }).size
      return [
        { key: 'too_small', issue: { code: 'too_small', origin, minimum: size, inclusive: true, exact: true, input: undefined }, rank: size ?? 0 },
        { key: 'too_big', issue: { code: 'too_big', origin, maximum: size, inclusive: true, exact: true, input: undefined }, rank: -(size ?? 0) },
      ]
    }
    case 'greater_than':
      return [{ key: 'too_small', issue: { code: 'too_small', origin, minimum: value, inclusive, input: undefined }, rank: Number(value ?? 0) }]
    case 'less_than':
      return [{ key: 'too_big', issue: { code: 'too_big', origin, maximum: value, inclusive, input: undefined }, rank: -Number(value ?? 0) }]
    case 'multiple_of':
      return [{ key: 'not_multiple_of', issue: { code: 'not_multiple_of', origin, divisor: value, input: undefined } }]
    case 'number_format':
      // The browser's integer says `expected: 'int'`, as the server's does: the key tells it from a missing value.
      return [{ key: 'invalid_type:int', issue: { code: 'invalid_type', expected: 'int', format: check.format, input: undefined } }]
    case 'string_format': {
      const issue = { code: 'invalid_format', origin, format: check.format, input: undefined }
      return [{ key: `invalid_format:${check.format}`, issue }, { key: 'invalid_format', issue }]
    }
    case 'mime_type':
      return [{ key: 'invalid_value', issue: { code: 'invalid_value', values: check.mime, input: undefined } }]
    default:
      // Refinements (`custom`) run on the server only; overwrites (`trim`) raise nothing.
      return []
  }
}

function errorOf(def: object): ErrorFn | undefined {
  const error = (def as { error?: unknown }).error
  return typeof error === 'function' ? (error as ErrorFn) : undefined
}

function valuesOf(def: ZodDef): unknown[] {
  return def.type === 'enum' ? Object.values(def.entries ?? {}) : (def.values ?? [])
}

/**
 * What a message function answers for `issue`, as zod reads it (a string, or an object's `message`).
 * One that needs more of the issue than a representative one holds (it throws) is left out: the
 * browser shows zod's default there, and the server's answer still says the custom one.
 */
function call(error: ErrorFn | undefined, issue: Issue): string | undefined {
  if (error === undefined) return undefined
  try {
    const answer = error({ ...issue, path: [] })
    const message = typeof answer === 'string' ? answer : (answer as { message?: unknown } | undefined)?.message
    return typeof message === 'string' && message !== '' ? message : undefined
  } catch {
    return undefined
  }
}

import { resolveFileLimits, type FileLimits } from '../files/limits.js'
import type { FormWidget } from './wire.js'
import { messagesOf } from './messages.js'
import { checksOf, defOf, metaOf, unwrap, type Unwrapped, type ZodDef } from './zod-def.js'

/** A leaf of a form's input, as the definition-time walk finds it. */
export interface FieldShape {
  /** The dotted name (`'address.city'`) and its keys. */
  readonly name: string
  readonly path: readonly string[]
  /** The field's schema as its object declares it (wrappers included): what a field check runs. */
  readonly schema: unknown
  /** The widget its type suggests. */
  readonly widget: FormWidget
  readonly required: boolean
  /** The values of an enum or literal union. */
  readonly values?: readonly (string | number)[]
  readonly file?: { readonly accept?: string; readonly maxSize: number }
  readonly multiple?: boolean
  /** From `.meta({ title })` and `.describe()` of the field's schema. */
  readonly title?: string
  readonly description?: string
  /** The schema's custom messages by issue code (see `FormField.messages`). */
  readonly messages?: Readonly<Record<string, string>>
}

/** Where a walk is: the form (for messages) and the form's file limits. */
interface Walk {
  readonly form: string
  readonly files: FileLimits | undefined
  readonly out: FieldShape[]
}

/** Nesting of objects followed at most; a deeper form is refused rather than walked without end. */
const MAX_DEPTH = 16

/**
 * Every field of a form's input, in declaration order. Throws a TypeError naming the form and the
 * field for a type the browser cannot be told about (JSON Schema cannot carry it) or cannot show
 * as one field.
 */
export function fieldsOf(form: string, input: unknown, files: FileLimits | undefined): FieldShape[] {
  const def = defOf(input)
  if (def === undefined || def.type !== 'object') throw new TypeError(`Mizan: form "${form}": the input must be a zod 4 z.object()`)
  const walk: Walk = { form, files, out: [] }
  walkObject(walk, def, [], true, 0)
  if (walk.out.length === 0) throw new TypeError(`Mizan: form "${form}": the input has no fields`)
  return walk.out
}

function walkObject(walk: Walk, def: ZodDef, path: string[], required: boolean, depth: number): void {
  if (depth > MAX_DEPTH) throw refuse(walk, path, `objects nest deeper than ${MAX_DEPTH} levels`)
  for (const [key, schema] of Object.entries(def.shape ?? {})) {
    if (key.includes('.') || key === '') throw refuse(walk, [...path, key], 'a field key cannot be empty or hold a dot (field names are dotted paths)')
    const here = [...path, key]
    const inner = unwrap(schema)
    if (inner === undefined) throw refuse(walk, here, 'is not a zod 4 schema')
    if (inner.def.type === 'object') walkObject(walk, inner.def, here, required && !inner.optional, depth + 1)
    else walk.out.push(leaf(walk, here, schema, inner, required && !inner.optional))
  }
}

function leaf(walk: Walk, path: string[], schema: unknown, inner: Unwrapped, required: boolean): FieldShape {
  const { def } = inner
  const meta = metaFrom(inner.layers)
  const element = def.type === 'array' ? unwrap(def.element) : undefined
  const messages = messagesOf(inner.schema, element?.schema)
  const base = { name: path.join('.'), path, schema, required, ...meta, ...(messages === undefined ? {} : { messages }) }
  if (def.type === 'array') {
    if (element === undefined) throw refuse(walk, path, 'is not a zod 4 schema')
    // An array can be left empty unless it needs an item: only then must the user give one.
    const needsItem = required && checksOf(def).some((check) => check.check === 'min_length' && (check.minimum ?? 0) >= 1)
    if (element.def.type === 'file') return { ...base, widget: 'file', multiple: true, required: needsItem, file: fileOf(walk, element.def) }
    const scalar = element.def.type === 'object' || element.def.type === 'array' || element.def.type === 'boolean' ? undefined : scalarOf(walk, path, element.def)
    if (scalar === undefined || scalar.widget === 'checkbox') {
      throw refuse(walk, path, 'an array of objects, arrays or booleans cannot be one form field; use an array of strings, numbers, enums or files, or more fields')
    }
    return { ...base, ...scalar, multiple: true, required: needsItem }
  }
  if (def.type === 'file') return { ...base, widget: 'file', file: fileOf(walk, def) }
  const scalar = scalarOf(walk, path, def)
  // A checkbox left unticked is a value (false): it must be ticked only when nothing else passes.
  const mustTick = def.type === 'literal' && def.values?.length === 1 && def.values[0] === true
  return { ...base, ...scalar, required: scalar.widget === 'checkbox' ? required && mustTick : required }
}

/** The widget and values of a field of one value. */
function scalarOf(walk: Walk, path: string[], def: ZodDef): { widget: FormWidget; values?: (string | number)[] } {
  switch (def.type) {
    case 'string':
      return { widget: stringWidget(def) }
    case 'number':
      return { widget: 'number' }
    case 'boolean':
      return { widget: 'checkbox' }
    case 'template_literal':
      return { widget: 'text' }
    case 'enum':
      return { widget: 'select', values: Object.values(def.entries ?? {}) }
    case 'literal':
      return literalWidget(walk, path, def.values ?? [])
    case 'union': {
      const values: unknown[] = []
      for (const option of def.options ?? []) {
        const inner = unwrap(option)?.def
        if (inner?.type === 'literal') values.push(...(inner.values ?? []))
        else if (inner?.type === 'enum') values.push(...Object.values(inner.entries ?? {}))
        else throw refuse(walk, path, 'a union is a form field only when its members are literals or enums (a select); use z.enum()')
      }
      return literalWidget(walk, path, values)
    }
    case 'null':
    case 'any':
    case 'unknown':
      // Described to the browser (JSON Schema carries them), but nothing a user types in.
      return { widget: 'hidden' }
    default:
      throw refuse(walk, path, UNDESCRIBABLE[def.type] ?? `z.${def.type}() cannot be described to the browser`)
  }
}

function literalWidget(walk: Walk, path: string[], values: unknown[]): { widget: FormWidget; values?: (string | number)[] } {
  if (values.length === 1 && values[0] === true) return { widget: 'checkbox' }
  for (const value of values) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw refuse(walk, path, `the literal ${String(value)} cannot be a choice of a form field; choices are strings or numbers`)
    }
  }
  // One value: a constant the form sends as it is.
  return values.length === 1 ? { widget: 'hidden', values: values as (string | number)[] } : { widget: 'select', values: values as (string | number)[] }
}

function stringWidget(def: ZodDef): FormWidget {
  const formats = [def.format, ...checksOf(def).filter((check) => check.check === 'string_format').map((check) => check.format)]
  for (const format of formats) {
    if (format === 'email') return 'email'
    if (format === 'url') return 'url'
    if (format === 'date') return 'date'
    if (format === 'datetime') return 'datetime'
  }
  return 'text'
}

/** What the browser should allow of a file: the schema's own limits, within the form's `files`. */
function fileOf(walk: Walk, def: ZodDef): { accept?: string; maxSize: number } {
  const limits = resolveFileLimits(walk.files)
  let maxSize = limits.maxFileSize
  let mime: readonly string[] | undefined = limits.types
  for (const check of checksOf(def)) {
    if (check.check === 'max_size' && typeof check.maximum === 'number') maxSize = Math.min(maxSize, check.maximum)
    if (check.check === 'mime_type' && Array.isArray(check.mime)) mime = check.mime
  }
  return mime === undefined ? { maxSize } : { accept: mime.join(','), maxSize }
}

/** The outermost `.meta({ title })` and `.describe()` on the way to the field's type. */
function metaFrom(layers: unknown[]): { title?: string; description?: string } {
  const found: { title?: string; description?: string } = {}
  for (const layer of layers) {
    const meta = metaOf(layer)
    found.title ??= meta.title
    found.description ??= meta.description
  }
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined))
}

function refuse(walk: Walk, path: string[], why: string): TypeError {
  return new TypeError(`Mizan: form "${walk.form}", field "${path.join('.')}": ${why}`)
}

/** Why a type cannot reach the browser, and what to use instead. */
const UNDESCRIBABLE: Record<string, string> = {
  date: 'z.date() cannot be described to the browser; use z.iso.date() or z.iso.datetime()',
  bigint: 'z.bigint() cannot be described to the browser; use z.number().int() or a string',
  map: 'z.map() cannot be described to the browser; use an object or an array',
  set: 'z.set() cannot be described to the browser; use an array',
  custom: 'z.custom() and z.instanceof() cannot be described to the browser; check a describable type with .refine() or a field check',
  symbol: 'z.symbol() cannot be described to the browser',
  function: 'a function cannot be described to the browser',
  promise: 'z.promise() cannot be described to the browser',
  undefined: 'z.undefined() cannot be described to the browser; use .optional()',
  void: 'z.void() cannot be described to the browser; use .optional()',
  nan: 'z.nan() cannot be described to the browser',
  never: 'z.never() cannot be a form field',
  transform: 'a transform whose input is not described cannot be described to the browser; transform a described type (z.string().transform(...))',
  lazy: 'z.lazy() (a recursive schema) cannot be a form field',
  tuple: 'a tuple cannot be one form field; use an object',
  record: 'a record (z.record) cannot be a form field: its keys are not known in advance',
  intersection: 'an intersection cannot be a form field; merge the objects with .extend()',
  success: 'z.success() cannot be a form field',
}

import type { MaybePromise } from '../maybe-promise.js'
import type { FieldShape } from './fields.js'
import { humanize } from './humanize.js'
import type { FormField, FormWidget } from './wire.js'

/** What a field check receives beside the value. */
export interface FormCheckArgs<Ctx = unknown, Values = unknown> {
  /** The context of the call (`validate` or `submit`), narrowed by the form's `auth`. */
  ctx: Ctx
  /**
   * The other values: on submit the whole parsed input; on `validate`, every field that passed its
   * own schema (the others absent), so a check reads only values it can trust.
   */
  values: Values
  /** Aborted when the caller goes away, or when the browser asks again and drops this answer. */
  signal: AbortSignal
}

/**
 * A server-side check of one field, run once the field passed its schema: a message when the value
 * is refused, `undefined` when it passes. It must not change anything: `validate` runs it as the
 * user types. A check that throws gives the field "Could not be checked; try again" and its error
 * goes to `onError`.
 */
export type FormCheck<Value = any, Ctx = any, Values = any> = (value: Value, args: FormCheckArgs<Ctx, Values>) => MaybePromise<string | undefined>

/** How one field shows and what the server checks of it (`fields` of `m.form`, keyed by dotted name). */
export interface FormFieldOptions<Value = any, Ctx = any, Values = any> {
  /** Default: the schema's `.meta({ title })`, else the key humanized. */
  label?: string
  /** Default: the schema's `.describe()`. */
  description?: string
  placeholder?: string
  /** Default: chosen by type. `'file'` is for file fields, and file fields show as `'file'` only. */
  widget?: FormWidget
  /** Its place in the form; a field without one has its declaration index (0, 1, …); ties keep declaration order. */
  order?: number
  /** Labels of an enum's or literal union's values, by value: `{ sales: 'Sales' }`. */
  options?: Readonly<Record<string, string>>
  /** A server check, run by `validate` and `submit`; see {@link FormCheck}. */
  check?: FormCheck<Value, Ctx, Values>
}

/** A field of a defined form: its shape, its wire description and its check. */
export interface FormFieldDef {
  readonly shape: FieldShape
  readonly wire: FormField
  readonly check: FormCheck | undefined
}

const WIDGETS = new Set<FormWidget>(['text', 'email', 'url', 'password', 'number', 'textarea', 'select', 'checkbox', 'date', 'datetime', 'file', 'hidden'])
const KEYS = new Set(['label', 'description', 'placeholder', 'widget', 'order', 'options', 'check'])

/**
 * Joins the fields found in the input with the `fields` option, checking the option (a typo names
 * no field: a TypeError at definition time), and sorts them into display order.
 */
export function joinFields(form: string, shapes: readonly FieldShape[], options: unknown): FormFieldDef[] {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`Mizan: form "${form}": fields must be an object keyed by field name`)
  }
  const given = (options ?? {}) as Record<string, unknown>
  const names = new Set(shapes.map((shape) => shape.name))
  for (const key of Object.keys(given)) {
    if (!names.has(key)) throw new TypeError(`Mizan: form "${form}": fields names "${key}", which is no field of the input (fields: ${[...names].join(', ')})`)
  }
  const defs = shapes.map((shape, index) => ({ def: joinField(form, shape, given[shape.name]), order: orderOf(form, shape, given[shape.name], index), index }))
  defs.sort((a, b) => a.order - b.order || a.index - b.index)
  return defs.map((entry) => entry.def)
}

function orderOf(form: string, shape: FieldShape, options: unknown, index: number): number {
  const order = (options as { order?: unknown } | undefined)?.order
  if (order === undefined) return index
  if (typeof order !== 'number' || !Number.isFinite(order)) throw fieldError(form, shape, 'order must be a finite number')
  return order
}

function joinField(form: string, shape: FieldShape, raw: unknown): FormFieldDef {
  if (raw !== undefined && (typeof raw !== 'object' || raw === null)) throw fieldError(form, shape, 'its options must be an object')
  const options = (raw ?? {}) as Record<string, unknown>
  for (const key of Object.keys(options)) if (!KEYS.has(key)) throw fieldError(form, shape, `unknown option "${key}" (known: ${[...KEYS].join(', ')})`)
  for (const key of ['label', 'description', 'placeholder'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw fieldError(form, shape, `${key} must be a string`)
  }
  const check = options.check
  if (check !== undefined && typeof check !== 'function') throw fieldError(form, shape, 'check must be a function')
  const widget = options.widget ?? shape.widget
  if (!WIDGETS.has(widget as FormWidget)) throw fieldError(form, shape, `widget must be one of ${[...WIDGETS].join(', ')}`)
  if ((widget === 'file') !== (shape.file !== undefined)) throw fieldError(form, shape, shape.file ? 'a file field shows as widget "file"' : 'widget "file" is for z.file() fields')
  const wire: FormField = {
    name: shape.name,
    label: (options.label as string | undefined) ?? shape.title ?? humanize(shape.name),
    widget: widget as FormWidget,
    required: shape.required,
    check: check !== undefined,
  }
  const description = (options.description as string | undefined) ?? shape.description
  if (description !== undefined) wire.description = description
  if (options.placeholder !== undefined) wire.placeholder = options.placeholder as string
  const choices = choicesOf(form, shape, options.options)
  if (choices !== undefined) wire.options = choices
  if (shape.file?.accept !== undefined) wire.accept = shape.file.accept
  if (shape.file !== undefined) wire.maxSize = shape.file.maxSize
  if (shape.multiple === true) wire.multiple = true
  if (shape.messages !== undefined) wire.messages = { ...shape.messages }
  return { shape, wire, check: check as FormCheck | undefined }
}

function choicesOf(form: string, shape: FieldShape, labels: unknown): FormField['options'] {
  if (labels !== undefined) {
    if (shape.values === undefined) throw fieldError(form, shape, 'options label the values of an enum or a literal union, and this field has none')
    if (typeof labels !== 'object' || labels === null) throw fieldError(form, shape, 'options must be an object of labels by value')
    const known = new Set(shape.values.map(String))
    for (const [value, label] of Object.entries(labels)) {
      if (!known.has(value)) throw fieldError(form, shape, `options labels "${value}", which is not one of its values (${[...known].join(', ')})`)
      if (typeof label !== 'string') throw fieldError(form, shape, `the label of "${value}" must be a string`)
    }
  }
  if (shape.values === undefined) return undefined
  const given = (labels ?? {}) as Record<string, string>
  return shape.values.map((value) => ({ value, label: Object.hasOwn(given, String(value)) ? given[String(value)]! : humanize(String(value)) }))
}

function fieldError(form: string, shape: FieldShape, why: string): TypeError {
  return new TypeError(`Mizan: form "${form}", field "${shape.name}": ${why}`)
}

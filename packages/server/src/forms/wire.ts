import type { ValidationIssue } from '../errors.js'

/** How the browser shows a field. */
export type FormWidget =
  | 'text'
  | 'email'
  | 'url'
  | 'password'
  | 'number'
  | 'textarea'
  | 'select'
  | 'checkbox'
  | 'date'
  | 'datetime'
  | 'file'
  | 'hidden'

/** One field of a form as the browser receives it in {@link FormSchema}: a leaf of the input. */
export interface FormField {
  /** Its dotted path in the input: `'email'`, `'address.city'`; an array of primitives or files is one field (`'tags'`). */
  name: string
  /** From `fields[name].label`, else the schema's `.meta({ title })`, else the last key humanized (`'address.city'` → `'City'`). */
  label: string
  /** From `fields[name].description`, else the schema's `.describe()`. */
  description?: string
  placeholder?: string
  /** From `fields[name].widget`, else chosen by type (email, url, iso date/datetime, number, enum → select, boolean → checkbox, file). */
  widget: FormWidget
  /**
   * The user must fill it in: the field and every object above it are neither optional nor
   * defaulted. A checkbox is required only when it must be ticked (`z.literal(true)`).
   */
  required: boolean
  /** The values of an enum or literal union, with their labels (`fields[name].options`, else humanized). */
  options?: { value: string | number; label: string }[]
  /** File fields: the MIME types accepted, comma-separated (`z.file().mime()`, else the form's `files.types`). */
  accept?: string
  /** File fields: the largest file in bytes the server takes (`z.file().max()` and the form's `files.maxFileSize`, the smaller). */
  maxSize?: number
  /** An array: of files (one input taking several), or of primitives (several values). */
  multiple?: boolean
  /** It has a server `check`: the browser asks `validate` about it. */
  check: boolean
  /**
   * The custom messages of the field's schema, so the browser says what the server would:
   * `z.string().min(10, 'At least 10 characters')` gives `{ too_small: 'At least 10 characters' }`,
   * `z.email('Enter an email address')` gives it for `invalid_type` and `invalid_format`. Keyed by
   * the zod issue code they answer (`invalid_type`, `invalid_value`, `invalid_format`, `too_small`,
   * `too_big`, `not_multiple_of`); a key is refined when one code answers two rules of the field
   * (`invalid_type:int` for `.int()`, `invalid_format:email`), and a list's items have theirs
   * after `item.` (`item.too_small`). Of two bounds of one kind, the tighter one's message (the
   * bound the JSON Schema carries). Read at definition time by calling each message as zod does
   * with a representative issue; a message function that needs more of the issue is left out.
   * Absent when the schema has none (the browser shows zod's default text, as the server does).
   */
  messages?: Record<string, string>
}

/** What `<form>.schema` answers: everything the browser needs to show and validate a form. */
export interface FormSchema {
  title: string
  description?: string
  submitLabel: string
  /** JSON Schema (draft 2020-12) of the whole input as the client sends it; files as `{ type: 'string', format: 'binary' }`. */
  jsonSchema: Record<string, unknown>
  /** The fields in display order: by `order`, then declaration order. */
  fields: FormField[]
}

/** What `<form>.validate` answers; it never fails for invalid values, it says so. */
export interface FormValidation {
  /** No issue (for the field asked about, when one was). */
  ok: boolean
  /** Schema issues and check messages, each with its full path (`['address', 'city']`). */
  issues: ValidationIssue[]
  /** Messages by field name, the full dotted path (`'address.city'`); `''` for the input as a whole. */
  fieldErrors: Record<string, string[]>
}

/** The input of `<form>.validate`: the values as they stand, and optionally the one field to check. */
export interface FormValidateInput {
  /** The form's values (files absent: they are checked on submit and in the browser). */
  values: unknown
  /** Only this field's issues and check (a field name of {@link FormSchema.fields}); else every field. */
  field?: string
}

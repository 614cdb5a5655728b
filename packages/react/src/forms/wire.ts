// The shapes the server's three form procedures answer (`schema`, `validate`) and what a failed
// `submit` carries, as the browser reads them. They mirror the types `@mizan/server` exports for
// forms; this module is the single place the React side names them.
import type { ValidationIssue } from '@mizan/server'

/** What a form's field is drawn as. */
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

/** One field of a form: a leaf of its input (arrays of primitives and of files are one field). */
export interface FormField {
  /** Dotted path in the input: `'email'`, `'address.city'`, `'tags'`. */
  name: string
  /** What the user reads; by default the last key, humanized (`'address.city'` → `'City'`). */
  label: string
  description?: string
  placeholder?: string
  widget: FormWidget
  required: boolean
  /** The choices of an enum or a union of literals. */
  options?: { value: string | number; label: string }[]
  /** File fields: the accepted types (the `accept` attribute's syntax) and the largest size in bytes. */
  accept?: string
  maxSize?: number
  /** An array of files. */
  multiple?: boolean
  /** True when the server checks this field itself (`check`): the browser asks `validate`. */
  check: boolean
}

/** What `<form>.schema` answers: everything the browser needs to draw and check the form. */
export interface FormSchema {
  title: string
  description?: string
  submitLabel: string
  /** JSON Schema (draft 2020-12) of the whole input, as it is sent (`io: 'input'`). */
  jsonSchema: Record<string, unknown>
  /** The fields in display order. */
  fields: FormField[]
}

/** What `<form>.validate` answers. `fieldErrors` are keyed by full dotted path (`'address.city'`). */
export interface FormValidation {
  ok: boolean
  issues: ValidationIssue[]
  fieldErrors: Record<string, string[]>
}

/** The input of `<form>.validate`: the values, and the one field to check when given. */
export interface FormValidateInput {
  values: unknown
  field?: string
}

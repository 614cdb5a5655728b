import { MizanError } from '../errors.js'
import { REPORT_ERROR } from '../report-error.js'
import type { FileLimits } from '../files/limits.js'
import type { HandlerArgs } from '../procedure.js'
import type { AnySchema, StandardSchemaV1 } from '../schema.js'
import { validationData } from '../schema.js'
import { runChecks, type CheckTarget } from './checks.js'
import { joinFields, type FormFieldDef } from './field-options.js'
import { fieldsOf } from './fields.js'
import { jsonSchemaOf } from './json-schema.js'
import { valueAt } from './paths.js'
import { validateForm } from './validate.js'
import type { FormSchema, FormValidateInput, FormValidation } from './wire.js'

/** The run-time description of a form, on its router's `'~mizan'` slot (`form`). */
export interface FormDef {
  readonly title: string
  readonly description: string | undefined
  readonly submitLabel: string
  readonly input: AnySchema
  /** In display order. */
  readonly fields: readonly FormFieldDef[]
  readonly byName: ReadonlyMap<string, FormFieldDef>
  /** The answer of `schema`, made on its first call (the JSON Schema needs zod, loaded then). */
  schema(): Promise<FormSchema>
}

/** The three handlers of a form's procedures. */
export interface FormHandlers {
  schema: () => Promise<FormSchema>
  validate: (args: HandlerArgs<unknown, FormValidateInput>) => Promise<FormValidation>
  submit: (args: HandlerArgs<unknown, unknown>) => Promise<unknown>
}

/** What `m.form` reads of its options at run time (the types are in `FormOptions`). */
export interface RawFormOptions {
  title?: unknown
  description?: unknown
  submitLabel?: unknown
  input?: unknown
  fields?: unknown
  files?: FileLimits
  onSubmit?: unknown
}

/**
 * Checks a form's options and walks its input: every mistake and every field the browser could not
 * be told about is a TypeError here, at definition time, naming the form (by title) and the field.
 */
export function defineForm(options: RawFormOptions): { def: FormDef; handlers: FormHandlers } {
  if (typeof options !== 'object' || options === null) throw new TypeError('Mizan: m.form() options must be an object')
  const { title, description, submitLabel = 'Submit', input, onSubmit } = options
  if (typeof title !== 'string' || title.trim() === '') throw new TypeError('Mizan: m.form() needs a title')
  if (description !== undefined && typeof description !== 'string') throw new TypeError(`Mizan: form "${title}": description must be a string`)
  if (typeof submitLabel !== 'string' || submitLabel.trim() === '') throw new TypeError(`Mizan: form "${title}": submitLabel must be a non-empty string`)
  if (typeof onSubmit !== 'function') throw new TypeError(`Mizan: form "${title}": onSubmit must be a function`)
  const fields = joinFields(title, fieldsOf(title, input, options.files), options.fields)
  const byName = new Map(fields.map((entry) => [entry.wire.name, entry]))
  let built: Promise<FormSchema> | undefined
  const def: FormDef = {
    title,
    description,
    submitLabel,
    input: input as AnySchema,
    fields,
    byName,
    schema: () => {
      built ??= jsonSchemaOf(input).then((jsonSchema) => ({
        title,
        ...(description === undefined ? {} : { description }),
        submitLabel,
        jsonSchema,
        fields: fields.map((entry) => entry.wire),
      }))
      // A failure is not kept: the next call tries again.
      built.catch(() => (built = undefined))
      return built
    },
  }
  const checked = fields.filter((entry) => entry.check !== undefined)
  const handlers: FormHandlers = {
    schema: def.schema,
    validate: (args) => validateForm(def, args.input, { ctx: args.ctx, signal: args.signal, report: reporter(args) }),
    submit: async (args) => {
      const targets: CheckTarget[] = checked.flatMap((field) => {
        const value = valueAt(args.input, field.shape.path)
        return value === undefined ? [] : [{ field, value }]
      })
      if (targets.length > 0) {
        const issues = await runChecks(targets, { ctx: args.ctx, values: args.input, signal: args.signal, report: reporter(args) })
        if (issues.length > 0) throw new MizanError('BAD_REQUEST', 'Some fields need attention', { data: validationData(issues) as unknown as Record<string, unknown> })
      }
      return (onSubmit as (args: HandlerArgs<unknown, unknown>) => unknown)(args)
    },
  }
  return { def, handlers }
}

function reporter(args: HandlerArgs<unknown, unknown>): (error: unknown) => void {
  const report = (args as { [REPORT_ERROR]?: (error: unknown) => void })[REPORT_ERROR]
  return report === undefined ? () => {} : (error) => report.call(args, error)
}

const MAX_FIELD_NAME = 1000

/** The input schema of `validate`: `{ values, field? }`, checked without zod. */
export const validateInputSchema: StandardSchemaV1<FormValidateInput, FormValidateInput> = {
  '~standard': {
    version: 1,
    vendor: 'mizan',
    validate: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { issues: [{ message: 'Expected an object { values, field? }', path: [] }] }
      const { values, field } = value as Record<string, unknown>
      if (field !== undefined && (typeof field !== 'string' || field.length > MAX_FIELD_NAME)) {
        return { issues: [{ message: `field must be a field name (a string of at most ${MAX_FIELD_NAME} characters)`, path: ['field'] }] }
      }
      return { value: field === undefined ? { values } : { values, field } }
    },
  },
}

import { MizanError, type ValidationIssue } from '../errors.js'
import { validationData, type AnySchema, type StandardSchemaV1 } from '../schema.js'
import { runChecks, type CheckRun, type CheckTarget } from './checks.js'
import type { FormFieldDef } from './field-options.js'
import { isUnder, setAt, valueAt } from './paths.js'
import type { FormValidateInput, FormValidation } from './wire.js'

/** What `validate` needs of a form. */
export interface ValidatedForm {
  readonly input: AnySchema
  readonly fields: readonly FormFieldDef[]
  readonly byName: ReadonlyMap<string, FormFieldDef>
}

/**
 * The answer of `<form>.validate`: the input schema on `values` (file fields left out: files
 * cannot travel in a query), then the checks of fields that passed. Only `field`'s issues and check
 * when it is given (400 when it names no field). Runs nothing else: no `onSubmit`, no side effects.
 */
export async function validateForm(form: ValidatedForm, { values, field }: FormValidateInput, run: Omit<CheckRun, 'values'>): Promise<FormValidation> {
  const target = field === undefined ? undefined : form.byName.get(field)
  if (field !== undefined && target === undefined) throw new MizanError('BAD_REQUEST', `The form has no field ${JSON.stringify(field.slice(0, 200))}`)
  const files = form.fields.filter((entry) => entry.shape.file !== undefined).map((entry) => entry.shape.path)
  const all = issuesOf(await validateWith(form.input, values)).filter((issue) => !files.some((path) => isUnder(issue.path, path)))
  const issues = target === undefined ? all : all.filter((issue) => isUnder(issue.path, target.shape.path) || isAbove(issue.path, target.shape.path))
  const candidates = (target === undefined ? form.fields : [target]).filter(
    (entry) => entry.check !== undefined && entry.shape.file === undefined && !all.some((issue) => isUnder(issue.path, entry.shape.path)),
  )
  if (candidates.length > 0) {
    const passed = await passedFields(form, values)
    const targets: CheckTarget[] = candidates.flatMap((entry) => (passed.has(entry) ? [{ field: entry, value: passed.get(entry) }] : []))
    if (targets.length > 0) issues.push(...(await runChecks(targets, { ...run, values: valuesOf(passed) })))
  }
  return { ok: issues.length === 0, issues, fieldErrors: fieldErrorsOf(form, issues) }
}

/** An issue about an object above the field (`['address']` for `address.city`), the input itself excepted. */
function isAbove(path: readonly (string | number)[], field: readonly string[]): boolean {
  return path.length > 0 && path.length < field.length && isUnder(field, path.map(String))
}

/** Every field whose own schema passes on what was sent, with the value it made; absent values are left out. */
async function passedFields(form: ValidatedForm, values: unknown): Promise<Map<FormFieldDef, unknown>> {
  const passed = new Map<FormFieldDef, unknown>()
  await Promise.all(
    form.fields.map(async (entry) => {
      if (entry.shape.file !== undefined) return
      const raw = valueAt(values, entry.shape.path)
      if (raw === undefined) return
      const result = await validateWith(entry.shape.schema as AnySchema, raw)
      if (result.issues === undefined && result.value !== undefined) passed.set(entry, result.value)
    }),
  )
  return passed
}

function valuesOf(passed: ReadonlyMap<FormFieldDef, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [entry, value] of passed) setAt(values, entry.shape.path, value)
  return values
}

type Result = Awaited<ReturnType<StandardSchemaV1['~standard']['validate']>>

function validateWith(schema: AnySchema, value: unknown): Promise<Result> {
  return Promise.resolve(schema['~standard'].validate(value))
}

function issuesOf(result: Result): ValidationIssue[] {
  return result.issues === undefined ? [] : validationData(result.issues).issues
}

/** Messages by the field an issue is about (its full dotted name), else by the issue's own dotted path. */
function fieldErrorsOf(form: ValidatedForm, issues: readonly ValidationIssue[]): Record<string, string[]> {
  const errors: Record<string, string[]> = Object.create(null)
  for (const issue of issues) {
    const owner = form.fields.find((entry) => isUnder(issue.path, entry.shape.path))
    const key = owner === undefined ? issue.path.join('.') : owner.wire.name
    ;(errors[key] ??= []).push(issue.message)
  }
  return { ...errors }
}

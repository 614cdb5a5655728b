import type { ValidationIssue } from '../errors.js'
import type { FormFieldDef } from './field-options.js'

/** The message of a field whose check threw: the user may try again; the error goes to `onError`. */
export const CHECK_FAILED = 'Could not be checked; try again'

/** A field to check and the value its schema made of what was sent. */
export interface CheckTarget {
  readonly field: FormFieldDef
  readonly value: unknown
}

/** What every check of one call shares. */
export interface CheckRun {
  readonly ctx: unknown
  readonly values: unknown
  readonly signal: AbortSignal
  /** Hands an error to the server's `onError`. */
  readonly report: (error: unknown) => void
}

/** Runs the checks of `targets` together; one issue per refused field, at its full path. */
export async function runChecks(targets: readonly CheckTarget[], run: CheckRun): Promise<ValidationIssue[]> {
  const messages = await Promise.all(targets.map((target) => checkOne(target, run)))
  const issues: ValidationIssue[] = []
  targets.forEach((target, index) => {
    const message = messages[index]
    if (message !== undefined) issues.push({ path: [...target.field.shape.path], message })
  })
  return issues
}

async function checkOne({ field, value }: CheckTarget, run: CheckRun): Promise<string | undefined> {
  const { ctx, values, signal } = run
  try {
    const message: unknown = await field.check!(value, { ctx, values, signal })
    if (message === undefined || message === null) return undefined
    if (typeof message === 'string' && message !== '') return message
    throw new TypeError(`Mizan: the check of field "${field.wire.name}" returned ${typeof message === 'string' ? 'an empty string' : typeof message}; a check returns a message or undefined`)
  } catch (error) {
    // A check the caller abandoned (a newer validation replaced it) failed for no fault of its own.
    if (!signal.aborted) run.report(error)
    return CHECK_FAILED
  }
}

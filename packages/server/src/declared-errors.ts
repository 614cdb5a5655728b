import { MizanError, type MizanErrorCode } from './errors.js'
import type { ProcedureDef } from './procedure.js'
import { errorDataValidator, type Validator } from './schema.js'

/** The compiled `errors` declaration of a procedure: code → check of its data. */
export type ErrorChecks = ReadonlyMap<string, Validator>

/** Compiles a procedure's `errors` once, when the router is served; `undefined` without any. */
export function compileErrors(def: ProcedureDef): ErrorChecks | undefined {
  const errors = def.options.errors
  if (errors === undefined) return undefined
  const checks = new Map<string, Validator>()
  for (const [code, schema] of Object.entries(errors)) if (schema !== undefined) checks.set(code, errorDataValidator(schema))
  return checks
}

// Errors `fail` made whose data is still to be checked. Keyed by the error itself, not the call:
// a cache fill shared by several callers hands each of them the same error.
const pending = new WeakMap<MizanError, Validator | undefined>()

/**
 * What `fail(code, data, message)` throws: a `MizanError` of that code, its data checked later, on
 * the way out (see {@link settleDeclared}), so an async schema works and the handler still sees a
 * synchronous throw. A code the procedure does not declare is checked by nothing: a 500.
 */
export function failWith(checks: ErrorChecks | undefined, code: MizanErrorCode, data: unknown, message?: string): never {
  const error = new MizanError(code, typeof message === 'string' ? message : undefined, { data: data as Record<string, unknown> })
  pending.set(error, checks?.get(code))
  throw error
}

/**
 * The error a call ends with, once a `fail`'s data is checked: the same code with the schema's
 * parsed data, or, when the data does not match (or the code was never declared), a 500 whose
 * data is withheld and whose cause says why. Never throws.
 */
export function settleDeclared(error: unknown): unknown {
  if (!(error instanceof MizanError) || !pending.has(error)) return error
  const check = pending.get(error)
  pending.delete(error)
  if (check === undefined) return mismatch(error, `"${error.code}" is not a declared error of this procedure`)
  const rebuild = (data: unknown) =>
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? new MizanError(error.code, error.message, { data: data as Record<string, unknown>, cause: error.cause })
      : mismatch(error, 'the data of a declared error must be an object')
  try {
    const parsed = check(error.data)
    return parsed instanceof Promise ? parsed.then(rebuild, (cause: unknown) => mismatch(error, cause)) : rebuild(parsed)
  } catch (cause) {
    return mismatch(error, cause)
  }
}

function mismatch(error: MizanError, reason: unknown): MizanError {
  return new MizanError('INTERNAL_SERVER_ERROR', 'Internal server error', { cause: { reason, failed: error } })
}

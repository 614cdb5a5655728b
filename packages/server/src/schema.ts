import { MizanError, type ValidationErrorData, type ValidationIssue } from './errors.js'

/**
 * The Standard Schema v1 interface (standardschema.dev) that zod 4, Valibot and ArkType implement.
 * Mizan only needs this much of a schema, so any of them can describe an input or output.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> }

interface StandardIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** Any schema Mizan accepts. */
export type AnySchema = StandardSchemaV1<any, any>
/** What a schema accepts: the type a client sends. */
export type InferSchemaInput<S extends AnySchema> = NonNullable<S['~standard']['types']>['input']
/** What a schema returns: the type a handler receives. */
export type InferSchemaOutput<S extends AnySchema> = NonNullable<S['~standard']['types']>['output']

/** A compiled check: returns the parsed value (or a promise of it for async schemas), throws on failure. */
export type Validator = (value: unknown) => unknown

/** Compiles a schema into a validator that throws `BAD_REQUEST` with issues and field errors. */
export function inputValidator(schema: AnySchema): Validator {
  return compile(schema, (issues) => new MizanError('BAD_REQUEST', 'Input validation failed', { data: validationData(issues) as unknown as Record<string, unknown> }))
}

/** Compiles a schema for outputs: a failure is the server's fault and its details stay on the server. */
export function outputValidator(schema: AnySchema): Validator {
  return compile(schema, (issues) => new MizanError('INTERNAL_SERVER_ERROR', 'Output validation failed', { cause: issues }))
}

/**
 * Compiles the schema of a declared error's data: a mismatch is the server's fault (a 500), its
 * issues stay on the server and the data is never sent.
 */
export function errorDataValidator(schema: AnySchema): Validator {
  return compile(schema, (issues) => new MizanError('INTERNAL_SERVER_ERROR', 'Internal server error', { cause: issues }))
}

function compile(schema: AnySchema, fail: (issues: ReadonlyArray<StandardIssue>) => MizanError): Validator {
  // `in` does not run a getter: zod builds `~standard` on first read, which a server that starts
  // (and may never see this procedure called) need not pay for. It is read on the first call.
  if (typeof schema !== 'object' || schema === null || !('~standard' in schema)) throw notStandard()
  let validate: StandardSchemaV1['~standard']['validate'] | undefined
  const settle = (result: StandardResult<unknown>): unknown => {
    if (result.issues !== undefined) throw fail(result.issues)
    return result.value
  }
  return (value) => {
    validate ??= standardValidate(schema)
    const result = validate(value)
    return result instanceof Promise ? result.then(settle) : settle(result)
  }
}

function standardValidate(schema: AnySchema): StandardSchemaV1['~standard']['validate'] {
  const standard = schema['~standard']
  if (standard === undefined || typeof standard.validate !== 'function') throw notStandard()
  return standard.validate
}

function notStandard(): TypeError {
  return new TypeError('Mizan: a schema must implement Standard Schema v1 (zod 4, Valibot, ArkType do)')
}

/** Builds `data.issues` and `data.fieldErrors` from Standard Schema issues. */
export function validationData(issues: ReadonlyArray<StandardIssue>): ValidationErrorData {
  const list: ValidationIssue[] = []
  const fieldErrors: Record<string, string[]> = Object.create(null)
  for (const issue of issues) {
    const path = (issue.path ?? []).map((part) => {
      const key = typeof part === 'object' && part !== null ? part.key : part
      return typeof key === 'number' ? key : String(key)
    })
    list.push({ path, message: issue.message })
    const field = path.length === 0 ? '' : String(path[0])
    ;(fieldErrors[field] ??= []).push(issue.message)
  }
  return { issues: list, fieldErrors: { ...fieldErrors } }
}

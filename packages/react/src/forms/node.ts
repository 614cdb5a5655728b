// Which React-proxy nodes are forms, and the types read from them. A form is any node holding the
// three procedures `schema`, `validate` and `submit` with the shapes of the forms protocol.
import { handleOf } from '../context.js'
import type { DecoratedMutation, DecoratedQuery } from '../types.js'
import type { FormSchema, FormValidateInput, FormValidation } from './wire.js'

/** A form of the React proxy (`api.contact`): its schema query, its check query and its submit mutation. */
export interface FormNode<Input = any, Output = any> {
  schema: DecoratedQuery<any, FormSchema>
  validate: DecoratedQuery<any, FormValidation>
  submit: DecoratedMutation<Input, Output>
}

/** The values a form submits (its `submit` input, files as `File | Blob`). */
export type FormInputOf<F> = F extends { submit: DecoratedMutation<infer Input, any> } ? Input : never

/** What a successful submit answers. */
export type FormOutputOf<F> = F extends { submit: DecoratedMutation<any, infer Output> } ? Output : never

/** The client and path behind one of a form's procedures. */
function callerOf(procedure: unknown) {
  const handle = handleOf(procedure)
  return (kind: 'query' | 'mutation', input: unknown, signal?: AbortSignal) => handle.client.$call(kind, handle.path, input, signal === undefined ? undefined : { signal })
}

/** Calls a form's `validate` query directly: no cache, since every answer is about the values of its moment. */
export function validateCaller(form: FormNode): (input: FormValidateInput, signal?: AbortSignal) => Promise<FormValidation> {
  const call = callerOf(form.validate)
  return (input, signal) => call('query', input, signal) as Promise<FormValidation>
}

const schemas = new WeakMap<object, Promise<FormSchema>>()

/**
 * A form's schema outside React (resolvers and validators have no query client): fetched once per
 * form node, and fetched again after a failure.
 */
export function loadSchema(form: FormNode): Promise<FormSchema> {
  const key = handleOf(form.schema)
  let pending = schemas.get(key)
  if (pending === undefined) {
    pending = callerOf(form.schema)('query', undefined) as Promise<FormSchema>
    pending.catch(() => schemas.delete(key))
    schemas.set(key, pending)
  }
  return pending
}

import type { MizanClientError } from '@mizan/client'
import { useMutation, useQuery } from '@tanstack/react-query'
import { useCallback, useEffect, useId, useMemo, useState, useSyncExternalStore } from 'react'
import { fieldIds, shownValue, valueOfChange, type FieldProps } from './field-props.js'
import { validateCaller, type FormInputOf, type FormNode, type FormOutputOf } from './node.js'
import { getAt, type FieldPath, type FieldValue } from './paths.js'
import { FormStore, type FormMode } from './store.js'
import type { FormField, FormSchema } from './wire.js'

/** Every key optional, all the way down: what a form holds before the user filled it. */
export type DeepPartial<T> = T extends Blob | Date | ((...args: any[]) => unknown) ? T : T extends readonly (infer E)[] ? DeepPartial<E>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

/** Options of {@link useForm}. */
export interface UseFormOptions<Input, Output> {
  /** The values the form starts with (and `reset()` returns to). */
  defaultValues?: DeepPartial<Input>
  /** When fields are validated as the user works. Default `'blur'`. */
  mode?: FormMode
  /** Milliseconds a field's server check waits for the typing to stop. Default 400. */
  checkDelay?: number
  /** Called after a successful submit, once what it affects was announced. */
  onSuccess?: (result: Output, values: Input) => void
}

/** A field of the form's schema with its state, ready to draw. */
export interface FormFieldState extends FormField {
  /** The message to show, or `undefined`. */
  error: string | undefined
  touched: boolean
  /** A server check of this field is waiting or running. */
  checking: boolean
  /** The props for the field's element: `<input {...field.props} />`. */
  props: FieldProps
  /** The id of the description and of the error message, for `aria-describedby`. */
  descriptionId: string
  errorId: string
}

/** What {@link useForm} returns. */
export interface UseFormResult<Input, Output> {
  /** The form's schema; `undefined` while it loads. */
  schema: FormSchema | undefined
  /** Why the schema could not be loaded. */
  schemaError: MizanClientError | null
  /** The schema's fields in display order, with their errors and element props. */
  fields: FormFieldState[]
  values: DeepPartial<Input>
  /** Sets a value at a typed path; clears the server's issues about it. */
  setValue<P extends FieldPath<Input>>(name: P, value: FieldValue<Input, P>): void
  /** The props of a field's element: `<input {...form.register('email')} />`. */
  register(name: FieldPath<Input>): FieldProps
  /** The first message per path, the browser's and the server's merged. */
  errors: Partial<Record<FieldPath<Input>, string>>
  /** A problem with the whole input, or why the last submit failed when it was not about fields. */
  formError: string | undefined
  /** The last submit's failure when it was not about fields (network, auth, rate limit...). */
  submitError: MizanClientError | null
  /** Validates every field (browser, then server checks); true when all pass. */
  validate(): Promise<boolean>
  /** Validates, then submits; for `<form onSubmit={form.submit}>` (the event's default is prevented). */
  submit(event?: { preventDefault(): void }): Promise<void>
  isSubmitting: boolean
  /** True when the values pass the browser's schema and no server issue stands. */
  isValid: boolean
  /** A server check is waiting or running. */
  isChecking: boolean
  /** What the last successful submit answered. */
  result: Output | undefined
  /** Back to the default values (or `values`), with no errors. */
  reset(values?: DeepPartial<Input>): void
}

/**
 * Drives a server-declared form: its schema through TanStack Query (`api.contact.schema`), the
 * values, validation in the browser with the schema zod rebuilds, the server's checks
 * (`api.contact.validate`, debounced, the latest only) and the submit (`api.contact.submit`, whose
 * affected queries refetch as after any mutation). Nothing is sent while the browser sees a problem;
 * the focus then moves to the first invalid field.
 *
 * ```tsx
 * const form = useForm(api.contact, { mode: 'blur' })
 * <form onSubmit={form.submit}><input {...form.register('email')} /></form>
 * ```
 */
export function useForm<F extends FormNode>(form: F, options: UseFormOptions<FormInputOf<F>, FormOutputOf<F>> = {}): UseFormResult<FormInputOf<F>, FormOutputOf<F>> {
  type Input = FormInputOf<F>
  type Output = FormOutputOf<F>
  const schemaQuery = useQuery({ ...form.schema.queryOptions(undefined), staleTime: Infinity })
  const mutation = useMutation(form.submit.mutationOptions())
  const idPrefix = `${useId().replace(/[^\w-]/g, '')}-`
  const callers = {
    validate: validateCaller(form),
    submit: (values: unknown) => mutation.mutateAsync(values as Input),
  }
  const storeOptions = { mode: options.mode ?? 'blur', checkDelay: options.checkDelay ?? 400 }
  const [store] = useState(() => new FormStore(options.defaultValues ?? {}, storeOptions, callers))
  // The latest render's callbacks and options: a store lives as long as the component.
  store.callers = callers
  store.options = storeOptions
  useEffect(() => () => store.dispose(), [store])
  useEffect(() => store.setSchema(schemaQuery.data), [store, schemaQuery.data])
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
  const schema = state.schema ?? schemaQuery.data
  const fieldOf = (name: string) => schema?.fields.find((field) => field.name === name)
  const onSuccess = options.onSuccess

  const register = (name: string): FieldProps => {
    const field = fieldOf(name)
    const { id, descriptionId, errorId } = fieldIds(idPrefix, name)
    const error = state.fieldErrors[name] ?? state.errors[name]
    const describedBy = [field?.description !== undefined ? descriptionId : undefined, error !== undefined ? errorId : undefined].filter(Boolean).join(' ')
    const value = getAt(state.values, name)
    const props: FieldProps = {
      name,
      id,
      onChange: (eventOrValue: unknown) => store.setValue(name, valueOfChange(fieldOf(name), eventOrValue)),
      onBlur: () => store.blur(name),
      'aria-invalid': error !== undefined,
    }
    if (field?.widget === 'checkbox') props.checked = value === true
    else if (field?.widget !== 'file') props.value = shownValue(field, value)
    if (describedBy !== '') props['aria-describedby'] = describedBy
    if (field?.required === true) props['aria-required'] = true
    return props
  }

  const submit = useCallback(
    async (event?: { preventDefault(): void }) => {
      event?.preventDefault()
      const outcome = await store.submit()
      if (outcome.ok) onSuccess?.(store.getSnapshot().result as Output, store.getSnapshot().values as Input)
      else if (outcome.firstInvalid !== undefined && typeof document !== 'undefined') document.getElementById(fieldIds(idPrefix, outcome.firstInvalid).id)?.focus()
    },
    [store, onSuccess, idPrefix],
  )

  const isValid = useMemo(
    () => state.ready && store.passes(state.values) && state.server.size === 0 && state.checks.size === 0,
    [store, state.ready, state.values, state.server, state.checks],
  )

  const fields = (schema?.fields ?? []).map((field): FormFieldState => {
    const { descriptionId, errorId } = fieldIds(idPrefix, field.name)
    return {
      ...field,
      error: state.fieldErrors[field.name],
      touched: state.touched.has(field.name),
      checking: state.checking.has(field.name),
      props: register(field.name),
      descriptionId,
      errorId,
    }
  })

  const submitError = (state.submitError ?? null) as MizanClientError | null
  return {
    schema,
    schemaError: schemaQuery.error,
    fields,
    values: state.values as DeepPartial<Input>,
    setValue: (name, value) => store.setValue(name, value),
    register,
    errors: state.errors as UseFormResult<Input, Output>['errors'],
    formError: state.formError ?? submitError?.message,
    submitError,
    validate: () => store.validate(),
    submit,
    isSubmitting: state.isSubmitting,
    isValid,
    isChecking: state.checking.size > 0,
    result: state.result as Output | undefined,
    reset: (values) => store.reset(values ?? options.defaultValues ?? {}),
  }
}

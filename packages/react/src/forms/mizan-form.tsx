import type { ReactNode } from 'react'
import type { FormInputOf, FormNode, FormOutputOf } from './node.js'
import { useForm, type DeepPartial, type FormFieldState } from './use-form.js'
import type { FormMode } from './store.js'

/** Props of {@link MizanForm}. */
export interface MizanFormProps<F extends FormNode> {
  /** The form, as the React proxy names it: `api.contact`. */
  form: F
  /** Called with the answer of a successful submit. */
  onSuccess?: (result: FormOutputOf<F>, values: FormInputOf<F>) => void
  /** Added to the `<form>`'s own class, `mizan-form`. */
  className?: string
  defaultValues?: DeepPartial<FormInputOf<F>>
  /** When fields are validated. Default `'blur'`. */
  mode?: FormMode
  /** Milliseconds a server check waits for the typing to stop. Default 400. */
  checkDelay?: number
  /** Shown while the schema loads. Default: nothing. */
  fallback?: ReactNode
}

const INPUT_TYPES: Record<string, string> = { datetime: 'datetime-local' }

/** The element of one field. */
function Control({ field }: { field: FormFieldState }) {
  const { props } = field
  switch (field.widget) {
    case 'textarea':
      return <textarea {...props} className="mizan-field-control" placeholder={field.placeholder} />
    case 'select':
      return (
        <select {...props} className="mizan-field-control">
          {field.required && props.value !== '' ? null : <option value="">{field.placeholder ?? ''}</option>}
          {(field.options ?? []).map((option) => (
            <option key={String(option.value)} value={String(option.value)}>
              {option.label}
            </option>
          ))}
        </select>
      )
    case 'file':
      return <input {...props} className="mizan-field-control" type="file" accept={field.accept} multiple={field.multiple} />
    default:
      return <input {...props} className="mizan-field-control" type={INPUT_TYPES[field.widget] ?? field.widget} placeholder={field.placeholder} />
  }
}

/** One field: label, element, description and error, linked for assistive technology. */
function Field({ field }: { field: FormFieldState }) {
  if (field.widget === 'hidden') return <Control field={field} />
  const invalid = field.error !== undefined
  return (
    <div className={invalid ? 'mizan-field mizan-field-invalid' : 'mizan-field'} data-field={field.name}>
      <label htmlFor={field.props.id} className="mizan-field-label">
        {field.label}
        {field.required ? (
          <span className="mizan-field-required" aria-hidden="true">
            {' *'}
          </span>
        ) : null}
      </label>
      <Control field={field} />
      {field.description !== undefined ? (
        <p id={field.descriptionId} className="mizan-field-description">
          {field.description}
        </p>
      ) : null}
      {invalid ? (
        <p id={field.errorId} className="mizan-field-error">
          {field.error}
        </p>
      ) : null}
    </div>
  )
}

/**
 * A whole form drawn from the server's declaration: title, every field (label, description,
 * error linked by `aria-describedby`, `aria-invalid`, required marks), a submit button with the
 * form's `submitLabel`. After a refused submit the focus moves to the first invalid field. Styling
 * is the app's: class names only (`mizan-form`, `mizan-field`, `mizan-field-label`,
 * `mizan-field-control`, `mizan-field-description`, `mizan-field-error`, `mizan-field-invalid`,
 * `mizan-form-error`, `mizan-form-submit`...), no inline styles.
 *
 * ```tsx
 * <MizanForm form={api.contact} onSuccess={() => navigate('/thanks')} />
 * ```
 */
export function MizanForm<F extends FormNode>({ form, onSuccess, className, defaultValues, mode, checkDelay, fallback = null }: MizanFormProps<F>): ReactNode {
  const state = useForm(form, { defaultValues, mode, checkDelay, onSuccess })
  if (state.schema === undefined) {
    if (state.schemaError === null) return fallback
    return (
      <p className="mizan-form-error" role="alert">
        {state.schemaError.message}
      </p>
    )
  }
  const { title, description, submitLabel } = state.schema
  return (
    <form className={className === undefined ? 'mizan-form' : `mizan-form ${className}`} onSubmit={state.submit} noValidate aria-busy={state.isSubmitting}>
      <h2 className="mizan-form-title">{title}</h2>
      {description !== undefined ? <p className="mizan-form-description">{description}</p> : null}
      {state.fields.map((field) => (
        <Field key={field.name} field={field} />
      ))}
      {state.formError !== undefined ? (
        <p className="mizan-form-error" role="alert">
          {state.formError}
        </p>
      ) : null}
      <button type="submit" className="mizan-form-submit" disabled={state.isSubmitting}>
        {submitLabel}
      </button>
    </form>
  )
}

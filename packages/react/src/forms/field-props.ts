// What a field's element needs (`register`): its value as the element shows it, and what the
// element's events mean as a value of the input (a number, a boolean, a File...).
import type { FormField } from './wire.js'

/** The props `register(name)` gives an `<input>`, `<textarea>` or `<select>`. */
export interface FieldProps {
  name: string
  id: string
  /** The shown value; absent for checkboxes (`checked`) and file inputs (which the browser owns). */
  value?: string
  checked?: boolean
  /** Takes a change event of the element, or a value itself (for custom components). */
  onChange: (eventOrValue: unknown) => void
  onBlur: () => void
  'aria-invalid': boolean
  /** The ids of the field's description and of its error message, when shown. */
  'aria-describedby'?: string
  'aria-required'?: boolean
}

/** The ids a field's parts carry: the element, its description, its error message. */
export function fieldIds(prefix: string, name: string): { id: string; descriptionId: string; errorId: string } {
  const id = `${prefix}${name}`
  return { id, descriptionId: `${id}-description`, errorId: `${id}-error` }
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** An ISO date-time shown in a `datetime-local` input: local time, to the minute. */
function toLocalInput(value: unknown): string {
  if (typeof value !== 'string' || value === '') return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return value
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** How a value shows in its element. */
export function shownValue(field: FormField | undefined, value: unknown): string {
  if (field?.widget === 'datetime') return toLocalInput(value)
  return value === undefined || value === null ? '' : String(value)
}

interface ElementLike {
  type?: string
  value?: string
  checked?: boolean
  files?: ArrayLike<File> | null
}

function isEvent(value: unknown): value is { target: ElementLike } {
  return typeof value === 'object' && value !== null && 'target' in value && typeof (value as { target: unknown }).target === 'object' && (value as { target: unknown }).target !== null
}

/** The input's value an element's change event means; a value passed directly is taken as it is. */
export function valueOfChange(field: FormField | undefined, eventOrValue: unknown): unknown {
  if (!isEvent(eventOrValue)) return eventOrValue
  const target = eventOrValue.target
  const widget = field?.widget ?? (target.type === 'checkbox' ? 'checkbox' : target.type === 'file' ? 'file' : 'text')
  if (widget === 'checkbox') return target.checked === true
  if (widget === 'file') {
    const files = Array.from(target.files ?? [])
    return field?.multiple === true ? files : files[0]
  }
  const text = target.value ?? ''
  if (widget === 'number') return text === '' ? undefined : Number(text)
  if (widget === 'datetime') {
    const date = new Date(text)
    return text === '' ? undefined : Number.isNaN(date.getTime()) ? text : date.toISOString()
  }
  if (widget === 'select' && field?.options !== undefined) {
    // Options may be numbers; the element only knows strings.
    return text === '' ? undefined : (field.options.find((option) => String(option.value) === text)?.value ?? text)
  }
  return text
}

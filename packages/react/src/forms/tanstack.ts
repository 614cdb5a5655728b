// TanStack Form: form-level validators checking with the form's rebuilt schema and server checks.
import { checkForm } from './checks.js'
import { issueMap } from './answers.js'
import { loadSchema, type FormNode } from './node.js'
import { cleanValues } from './clean.js'
import { loadClientCheck, type ClientCheck } from './client-check.js'
import type { FormSchema } from './wire.js'

/** A form-level error as TanStack Form reads it: per field (its path syntax), and for the form. */
export interface TanStackFormErrors {
  form?: string
  fields: Record<string, string>
}

/** What {@link mizanFormValidators} returns: `validators` for TanStack Form's `useForm`. */
export interface MizanFormValidators {
  /** The browser's schema, as the user types (once the form's schema has loaded). */
  onChange: (props: { value: unknown }) => TanStackFormErrors | undefined
  /** The browser's schema, then the server's checks, after `onChangeAsyncDebounceMs`. */
  onChangeAsync: (props: { value: unknown; signal: AbortSignal }) => Promise<TanStackFormErrors | undefined>
  onChangeAsyncDebounceMs: number
  /** Everything again before submitting. */
  onSubmitAsync: (props: { value: unknown; signal?: AbortSignal }) => Promise<TanStackFormErrors | undefined>
}

/** `items.0.name` as TanStack Form names it: `items[0].name`. */
function tanstackPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]')
}

function toErrors(issues: Map<string, string[]>): TanStackFormErrors | undefined {
  if (issues.size === 0) return undefined
  const errors: TanStackFormErrors = { fields: Object.create(null) }
  for (const [path, messages] of issues) {
    if (path === '') errors.form = messages[0]
    else errors.fields[tanstackPath(path)] ??= messages[0]!
  }
  return errors
}

/**
 * TanStack Form validators for a server-declared form: `onChange` with the rebuilt schema,
 * `onChangeAsync` (debounced by `checkDelay`, default 400 ms) and `onSubmitAsync` adding the
 * server's checks through `validate`. TanStack aborts a superseded async validation's signal,
 * which aborts its request.
 *
 * ```tsx
 * const form = useForm({ defaultValues, validators: mizanFormValidators(api.contact), onSubmit: ({ value }) => send.mutateAsync(value) })
 * ```
 */
export function mizanFormValidators(form: FormNode, options: { checkDelay?: number } = {}): MizanFormValidators {
  let ready: { schema: FormSchema; check: ClientCheck } | undefined
  // Loaded at once, so the synchronous validator has it by the first keystroke (until then the
  // asynchronous one, which waits for it, speaks).
  loadSchema(form)
    .then(async (schema) => (ready = { schema, check: await loadClientCheck(schema) }))
    .catch(() => {})
  const full = async (value: unknown, signal?: AbortSignal) => toErrors((await checkForm(form, value, undefined, signal)).issues)
  return {
    onChange: ({ value }) => (ready === undefined ? undefined : toErrors(issueMap(ready.check(cleanValues(ready.schema, value))))),
    onChangeAsync: ({ value, signal }) => full(value, signal),
    onChangeAsyncDebounceMs: options.checkDelay ?? 400,
    onSubmitAsync: ({ value, signal }) => full(value, signal),
  }
}

// react-hook-form: a `Resolver` checking with the form's rebuilt schema, then its server checks.
import { checkForm } from './checks.js'
import type { FormInputOf, FormNode } from './node.js'
import { setAt } from './paths.js'

/**
 * What {@link mizanResolver} returns: react-hook-form's `Resolver` for the form's values. On
 * success the values are the ones to send (blank optional fields removed).
 */
export type MizanResolver<Input> = (
  values: Input,
  context: unknown,
  options: { names?: readonly string[] | undefined; criteriaMode?: 'firstError' | 'all' | undefined },
) => Promise<{ values: Input; errors: {} } | { values: never; errors: Record<string, any> }>

/**
 * A react-hook-form resolver for a server-declared form: the browser's schema first (no request
 * while it finds a problem), then the server's checks through `validate` (per field as the user
 * works, all of them on submit). A newer validation of the same fields aborts the older one's check.
 *
 * ```tsx
 * const { register, handleSubmit } = useForm({ resolver: mizanResolver(api.contact) })
 * const send = api.contact.submit.useMutation()
 * <form onSubmit={handleSubmit((values) => send.mutate(values))}>
 * ```
 */
export function mizanResolver<F extends FormNode>(form: F): MizanResolver<FormInputOf<F>> {
  const running = new Map<string, AbortController>()
  return async (values, _context, { names, criteriaMode }) => {
    const key = names === undefined ? '' : [...names].sort().join('\n')
    running.get(key)?.abort()
    const controller = new AbortController()
    running.set(key, controller)
    const outcome = await checkForm(form, values, names, controller.signal).finally(() => {
      if (running.get(key) === controller) running.delete(key)
    })
    if (outcome.issues.size === 0) return { values: outcome.values as FormInputOf<F>, errors: {} }
    let errors: Record<string, any> = {}
    for (const [path, messages] of outcome.issues) {
      const error = { type: 'validation', message: messages[0]!, ...(criteriaMode === 'all' ? { types: Object.fromEntries(messages.map((m, i) => [`validation${i === 0 ? '' : i}`, m])) } : {}) }
      try {
        errors = path === '' ? { ...errors, root: error } : setAt(errors, path, error)
      } catch {
        // A path that is no field (a hostile `__proto__`) is not set.
      }
    }
    return { values: {} as never, errors }
  }
}

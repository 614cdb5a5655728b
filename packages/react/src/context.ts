import { useSuspenseQuery } from '@tanstack/react-query'
import type { ProcedureHandle } from './handle.js'
import { HANDLE } from './proxy.js'
import type { ContextTag } from './types.js'

/** The handle behind a decorated procedure. */
export function handleOf(procedure: unknown): ProcedureHandle {
  const handle = (procedure as Record<string, unknown> | undefined)?.[HANDLE] as ProcedureHandle | undefined
  if (handle === undefined) throw new TypeError('Mizan: expected a query of createMizanReact(), like api.currentUser')
  return handle
}

/**
 * Reads a context query. A `local` one comes from the nearest `<api.x.Provider input>`; a `global`
 * one is fetched once per app (or taken from the SSR state) and shared: it suspends only when it
 * was neither prefetched nor hydrated, and refreshes when a mutation affects it.
 *
 * ```tsx
 * const me = useMizanContext(api.currentUser)
 * ```
 */
export function useMizanContext<Output>(procedure: ContextTag<Output>): Output {
  const handle = handleOf(procedure)
  const local = handle.useLocal()
  if (local !== undefined) return local.data as Output
  if (handle.providesLocally) {
    throw new Error(`Mizan: useMizanContext(api.${handle.path}) is a local context: render it inside <api.${handle.path}.Provider input={...}>`)
  }
  // Whether a provider is above cannot change without remounting this component, so the hook
  // order is stable for its whole life.
  // eslint-disable-next-line react-hooks/rules-of-hooks
  return useSuspenseQuery({ ...handle.queryOptions(undefined), staleTime: Infinity } as never).data as Output
}

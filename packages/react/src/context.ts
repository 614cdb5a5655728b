import { useQueryClient, useSuspenseQuery, type QueryClient } from '@tanstack/react-query'
import { knownContextKinds, loadContextKinds } from './context-kinds.js'
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
 * Read with no provider above, a `local` context throws
 * `useMizanContext(api.x) needs <api.x.Provider input={...}> above it`, whatever ran before: the
 * server's manifest says which contexts are local (hydrated with SSR state, else read once per
 * query client), so neither a cached key nor an earlier fetch can pass a local context off as global.
 *
 * ```tsx
 * const me = useMizanContext(api.currentUser)
 * ```
 */
export function useMizanContext<Output>(procedure: ContextTag<Output>): Output {
  const handle = handleOf(procedure)
  const local = handle.useLocal()
  if (local !== undefined) return local.data as Output
  // Whether a provider is above cannot change without remounting this component, so the hook
  // order is stable for its whole life.
  // eslint-disable-next-line react-hooks/rules-of-hooks
  const queryClient = useQueryClient()
  checkGlobal(handle, queryClient)
  // eslint-disable-next-line react-hooks/rules-of-hooks
  return useSuspenseQuery({ ...handle.queryOptions(undefined), staleTime: Infinity } as never).data as Output
}

/**
 * Returns when `handle` may be read as a global context; throws the clear error when it is a local
 * one, and suspends while the kinds are being read. Nothing is fetched or
 * read from the cache for the query itself before this passes.
 */
function checkGlobal(handle: ProcedureHandle, queryClient: QueryClient): void {
  const { path } = handle
  // A Provider exists only for local contexts (the types allow no other), so its use settles it.
  if (handle.providesLocally) throw missingProvider(path)
  const kinds = knownContextKinds(queryClient)
  if (kinds === undefined) throw loadContextKinds(queryClient, handle.client)
  // The server could not say: a context is global unless its Provider is in use (checked above).
  if (kinds === null) return
  // Only a local context is refused: any other query reads as a global one (the types allow
  // contexts only; plain JavaScript may pass any query, and gets it fetched without input).
  if (kinds[path] === 'local') throw missingProvider(path)
}

function missingProvider(path: string): Error {
  return new Error(`Mizan: useMizanContext(api.${path}) needs <api.${path}.Provider input={...}> above it: ${path} is a local context`)
}

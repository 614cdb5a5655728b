import type { ClientMethods } from '@mizan/client'
import type { Manifest } from '@mizan/server'
import type { QueryClient } from '@tanstack/react-query'

/** Whether each context query is app-wide (`global`) or provided for a subtree (`local`), by path. */
export type ContextKinds = Record<string, 'global' | 'local'>

/**
 * Where a query client keeps the context kinds of the server's router: a query of its own, so that
 * SSR state carries it to the browser with the data. Its first segment is not a path list, so no
 * invalidation ever matches it.
 */
export const CONTEXT_KINDS_KEY = ['~mizan', 'contexts'] as const

/** The kinds a manifest declares; anything malformed in it is skipped. */
export function contextKindsOf(manifest: Pick<Manifest, 'procedures'>): ContextKinds {
  const kinds: ContextKinds = {}
  const procedures: unknown = manifest?.procedures
  if (typeof procedures !== 'object' || procedures === null) return kinds
  for (const [path, entry] of Object.entries(procedures as Record<string, unknown>)) {
    const context = (entry as { context?: unknown } | null)?.context
    if (context === 'global' || context === 'local') kinds[path] = context
  }
  return kinds
}

/**
 * The kinds a query client knows: the record, `null` when the server could not say (no manifest),
 * `undefined` when nobody asked yet.
 */
export function knownContextKinds(queryClient: QueryClient): ContextKinds | null | undefined {
  return queryClient.getQueryData<ContextKinds | null>(CONTEXT_KINDS_KEY)
}

/** Stores kinds (from a manifest in hand, on the server) in a query client. */
export function setContextKinds(queryClient: QueryClient, kinds: ContextKinds): void {
  keepForever(queryClient)
  queryClient.setQueryData(CONTEXT_KINDS_KEY, kinds)
}

/**
 * Reads the kinds from the server's manifest, once per query client. Never rejects: a server
 * without a manifest (or out of reach) yields `null`, and contexts are then told apart as before,
 * by whether their `Provider` is in use.
 */
export function loadContextKinds(queryClient: QueryClient, client: Partial<Pick<ClientMethods, '$manifest'>>): Promise<ContextKinds | null> {
  keepForever(queryClient)
  return queryClient.fetchQuery({
    queryKey: CONTEXT_KINDS_KEY,
    queryFn: async ({ signal }) => {
      if (client.$manifest === undefined) return null
      try {
        return contextKindsOf(await client.$manifest({ signal }))
      } catch {
        return null
      }
    },
    staleTime: Infinity,
    retry: false,
  })
}

/** The router's declarations do not change under a running app: never stale, never collected. */
function keepForever(queryClient: QueryClient): void {
  queryClient.setQueryDefaults(CONTEXT_KINDS_KEY, { staleTime: Infinity, gcTime: Infinity })
}

'use client'
// A client module: in React Server Components (Next.js's App Router) importing `@mizan/react`
// gives a reference to `MizanProvider` instead of loading its hooks, which React's server build lacks.
import type { ClientMethods } from '@mizan/client'
import { hydrate, QueryClientProvider, type DehydratedState, type QueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { InvalidationBridge } from './bridge.js'
import { handleOf } from './context.js'
import { knownContextKinds, loadContextKinds } from './context-kinds.js'
import type { ContextTag } from './types.js'

/** Props of {@link MizanProvider}. */
export interface MizanProviderProps {
  /** The Mizan client whose invalidations the bridge applies. */
  client: Pick<ClientMethods, '$on'>
  /** The TanStack Query client; provided to the tree too, no separate QueryClientProvider needed. */
  queryClient: QueryClient
  /** Server state to hydrate before the first render (see `@mizan/react/ssr`). Read once. */
  state?: DehydratedState
  /** Global contexts to start fetching at once, for apps without SSR. */
  contexts?: readonly ContextTag<unknown>[]
  children?: ReactNode
}

/**
 * Connects Mizan to TanStack Query: every invalidation the client announces (a mutation's
 * `affects`, `invalidate()` in a handler) invalidates the matching queries, whoever made the call.
 */
export function MizanProvider({ client, queryClient, state, contexts, children }: MizanProviderProps): ReactNode {
  const [bridge] = useState(() => {
    if (state !== undefined) hydrate(queryClient, state)
    for (const context of contexts ?? []) void queryClient.prefetchQuery(handleOf(context).queryOptions(undefined) as never)
    // Readers check which contexts are global before reading one: start that beside the prefetches.
    const first = contexts?.[0]
    if (first !== undefined && knownContextKinds(queryClient) === undefined) void loadContextKinds(queryClient, handleOf(first).client)
    return new InvalidationBridge(queryClient)
  })
  // Connected during the first render, not after it: children's effects run before this
  // component's, and a mutation made there must not slip past the bridge.
  const disconnect = useRef<(() => void) | undefined>(undefined)
  if (disconnect.current === undefined && typeof window !== 'undefined') disconnect.current = bridge.connect(client)
  useEffect(() => {
    disconnect.current ??= bridge.connect(client)
    return () => {
      disconnect.current?.()
      disconnect.current = undefined
    }
  }, [bridge, client])
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
}

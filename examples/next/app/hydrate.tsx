'use client'
// Puts what a Server Component prefetched into the browser's query cache before its children
// render, so they start with data: no loading state, no request.
import { parseState } from '@mizan/react/ssr'
import { HydrationBoundary } from '@tanstack/react-query'
import { useMemo, type ReactNode } from 'react'

/**
 * `state` is `dehydrateState(queryClient)` from the server: superjson text, so a `Date` is still a
 * `Date` here, exactly as over HTTP.
 */
export function Hydrate({ state, children }: { state: string; children: ReactNode }) {
  const dehydrated = useMemo(() => parseState(state), [state])
  return <HydrationBoundary state={dehydrated}>{children}</HydrationBoundary>
}

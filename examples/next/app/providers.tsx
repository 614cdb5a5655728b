'use client'
// The client side's one-time setup, in the root layout: a QueryClient per browser tab (and per
// request while server-rendering) and the Mizan provider that applies every invalidation.
import { MizanProvider } from '@mizan/react'
import { QueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { client } from '../lib/client'

/** Wraps the app in `MizanProvider`; pages hydrate their server data below it with `<Hydrate>`. */
export function Providers({ children }: { children: ReactNode }) {
  // What the server prefetched stays fresh for 30 s, so hydrated queries are not refetched as soon
  // as they mount. Mutations still refresh what they affect at once: invalidation ignores staleTime.
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000 } } }))
  return (
    <MizanProvider client={client} queryClient={queryClient}>
      {children}
    </MizanProvider>
  )
}

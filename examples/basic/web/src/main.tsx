// The browser entry: hydrate the cache the server sent, then render.
import { MizanProvider } from '@mizan/react'
import { parseState } from '@mizan/react/ssr'
import { QueryClient } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { api, client } from './api.js'
import { App } from './App.js'
import './styles.css'

// What the server fetched stays fresh for 30 s, so hydrated queries do not refetch on first render.
// Mutations still refresh what they affect at once: invalidation ignores staleTime.
const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 30_000 } } })
const state = window.__MIZAN_STATE__ === undefined ? undefined : parseState(window.__MIZAN_STATE__)

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* Without server state (a page served by something else), fetch the global contexts at once. */}
    <MizanProvider client={client} queryClient={queryClient} state={state} contexts={state === undefined ? [api.currentUser] : undefined}>
      <App />
    </MizanProvider>
  </StrictMode>,
)

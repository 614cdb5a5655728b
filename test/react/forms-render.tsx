import type { MizanClient } from '@mizan/client'
import { createMizanReact, MizanProvider } from '@mizan/react'
import type { AnyRouter } from '@mizan/server'
import { QueryClient } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactNode } from 'react'

/** The React layer over a test client: the proxy, a fresh QueryClient (no retries) and a render inside MizanProvider. */
export function reactApp<R extends AnyRouter>(client: MizanClient<R>) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const api = createMizanReact<R>(client as never)
  const view = (ui: ReactNode) =>
    render(
      <MizanProvider client={client as never} queryClient={queryClient}>
        {ui}
      </MizanProvider>,
    )
  return { api, view, queryClient }
}

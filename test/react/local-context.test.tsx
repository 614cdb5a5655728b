// @vitest-environment jsdom
import { createMizanReact, MizanProvider, useMizanContext } from '@mizan/react'
import { callerClient, dehydrateState, parseState, prefetchContexts } from '@mizan/react/ssr'
import { QueryClient } from '@tanstack/react-query'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { Suspense } from 'react'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startApp, type AppRouter } from '../integration/app.js'
import { Catch } from './catch.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())
// React reports every error an error boundary catches on console.error; these tests expect them.
beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => {}))
afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

const MISSING = 'useMizanContext(api.greeting) needs <api.greeting.Provider input={...}> above it'
const newQueryClient = () => new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000 } } })
const calls = (path: string) => app.requests.filter((r) => new URL(r.url).pathname.split('/').pop()!.split(',').includes(path)).length

/** Renders a reader of `api.greeting` with no provider above, and returns what its boundary caught. */
function renderOrphan(api: ReturnType<typeof createMizanReact<AppRouter>>, queryClient: QueryClient, contexts?: never[]) {
  const errors: unknown[] = []
  function Orphan() {
    return <p>read: {useMizanContext(api.greeting)}</p>
  }
  render(
    <MizanProvider client={app.client()} queryClient={queryClient} contexts={contexts}>
      <Catch onError={(e) => errors.push(e)}>
        <Suspense fallback="loading">
          <Orphan />
        </Suspense>
      </Catch>
    </MizanProvider>,
  )
  return errors
}

describe('a local context read outside its provider', () => {
  it('throws the clear error although its Provider was never rendered, and sends no call without input', async () => {
    const api = createMizanReact<AppRouter>(app.client()) // nothing here touches api.greeting.Provider
    const before = calls('greeting')
    const errors = renderOrphan(api, newQueryClient())
    await waitFor(() => expect(errors).toHaveLength(1))
    expect(String(errors[0])).toContain(MISSING)
    expect(calls('greeting')).toBe(before)
  })

  it('throws the clear error although the same key was cached earlier by something else', async () => {
    const api = createMizanReact<AppRouter>(app.client())
    const queryClient = newQueryClient()
    queryClient.setQueryData(api.greeting.queryKey(undefined as never), 'hi from the cache')
    const errors = renderOrphan(api, queryClient)
    await waitFor(() => expect(errors).toHaveLength(1))
    expect(String(errors[0])).toContain(MISSING)
    expect(screen.queryByText(/hi from the cache/)).toBeNull()
  })

  it('throws the clear error although the global path was taken for it before (listed in contexts by mistake)', async () => {
    const api = createMizanReact<AppRouter>(app.client())
    const queryClient = newQueryClient()
    const errors = renderOrphan(api, queryClient, [api.greeting as never])
    await waitFor(() => expect(errors).toHaveLength(1))
    expect(String(errors[0])).toContain(MISSING)
    expect(errors[0]).not.toHaveProperty('code') // not the server's validation error of a call without input
  })

  it('throws the clear error with SSR state, whose kinds came along: no request at all', async () => {
    const caller = app.server.createCaller({ user: null, db: app.db })
    const serverQueries = newQueryClient()
    await prefetchContexts(createMizanReact<AppRouter>(callerClient(caller)), serverQueries, app.server.manifest)
    const queryClient = newQueryClient()
    const api = createMizanReact<AppRouter>(app.client())
    const before = app.requests.length
    const errors: unknown[] = []
    function Orphan() {
      return <p>{useMizanContext(api.greeting)}</p>
    }
    render(
      <MizanProvider client={app.client()} queryClient={queryClient} state={parseState(dehydrateState(serverQueries))}>
        <Catch onError={(e) => errors.push(e)}>
          <Orphan />
        </Catch>
      </MizanProvider>,
    )
    expect(String(errors[0])).toContain(MISSING) // at once: nothing to wait for
    expect(app.requests.length).toBe(before)
  })
})

describe('global contexts, told apart by the manifest', () => {
  it('reads the manifest once per query client, however many readers', async () => {
    const client = app.client('alice')
    const api = createMizanReact<AppRouter>(client)
    const manifests = () => app.requests.filter((r) => r.url.endsWith('/_manifest')).length
    const before = manifests()
    function Me({ id }: { id: string }) {
      return <p data-testid={id}>{useMizanContext(api.currentUser)?.name}</p>
    }
    render(
      <MizanProvider client={client} queryClient={newQueryClient()}>
        <Suspense fallback="loading">
          <Me id="a" />
          <Me id="b" />
        </Suspense>
      </MizanProvider>,
    )
    expect((await screen.findByTestId('a')).textContent).toBe('Alice')
    expect(screen.getByTestId('b').textContent).toBe('Alice')
    expect(manifests() - before).toBe(1)
  })

  it('still reads a global context when the server has no manifest', async () => {
    const client = app.client('alice')
    const api = createMizanReact<AppRouter>({ $call: client.$call, $manifest: () => Promise.reject(new Error('404: manifest turned off')) })
    function Me() {
      return <p>{useMizanContext(api.currentUser)?.name}</p>
    }
    render(
      <MizanProvider client={client} queryClient={newQueryClient()}>
        <Suspense fallback="loading">
          <Me />
        </Suspense>
      </MizanProvider>,
    )
    expect((await screen.findByText('Alice')).textContent).toBe('Alice')
  })
})

// @vitest-environment jsdom
import { createMizanReact, MizanProvider, useMizanContext } from '@mizan/react'
import { callerClient, dehydrateState, parseState, prefetchContexts } from '@mizan/react/ssr'
import { QueryClient } from '@tanstack/react-query'
import { act, cleanup, render, screen } from '@testing-library/react'
import { Suspense, useState } from 'react'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type AppRouter } from '../integration/app.js'
import { Catch } from './catch.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())
afterEach(cleanup)

const newQueryClient = () => new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000 } } })
const calls = (path: string) => app.requests.filter((r) => new URL(r.url).pathname.split('/').pop()!.split(',').includes(path)).length

describe('contexts', () => {
  it('reads a global context, fetched once and shared', async () => {
    const client = app.client('alice')
    const api = createMizanReact<AppRouter>(client)
    const queryClient = newQueryClient()
    function Me({ id }: { id: string }) {
      const me = useMizanContext(api.currentUser)
      return <p data-testid={id}>{me?.name}</p>
    }
    const before = calls('currentUser')
    render(
      <MizanProvider client={client} queryClient={queryClient} contexts={[api.currentUser]}>
        <Suspense fallback="loading">
          <Me id="a" />
          <Me id="b" />
        </Suspense>
      </MizanProvider>,
    )
    expect((await screen.findByTestId('a')).textContent).toBe('Alice')
    expect(screen.getByTestId('b').textContent).toBe('Alice')
    expect(calls('currentUser') - before).toBe(1)
  })

  it('reads a local context from its provider, refetched when its input changes', async () => {
    const client = app.client()
    const api = createMizanReact<AppRouter>(client)
    function Greeting() {
      return <p>{useMizanContext(api.greeting)}</p>
    }
    function Page() {
      const [name, setName] = useState('Ada')
      return (
        <>
          <button onClick={() => setName('Grace')}>rename</button>
          <api.greeting.Provider input={{ name }} fallback={<p>loading greeting</p>}>
            <Greeting />
          </api.greeting.Provider>
        </>
      )
    }
    render(
      <MizanProvider client={client} queryClient={newQueryClient()}>
        <Page />
      </MizanProvider>,
    )
    await screen.findByText('hi Ada')
    act(() => screen.getByText('rename').click())
    await screen.findByText('hi Grace')
    expect(api.greeting.Provider).toBe(api.greeting.Provider) // one component per path: no remounts
  })

  it('refreshes a context that a mutation affects', async () => {
    const client = app.client('sam')
    const api = createMizanReact<AppRouter>(client)
    function Count() {
      return <p>{useMizanContext(api.posts.snapshot).length} posts</p>
    }
    const queryClient = newQueryClient()
    const { gates, deferred } = await import('../integration/app.js')
    gates.snapshot = deferred()
    gates.snapshot.resolve()
    render(
      <MizanProvider client={client} queryClient={queryClient}>
        <Suspense fallback="loading">
          <Count />
        </Suspense>
      </MizanProvider>,
    )
    const first = await screen.findByText(/posts$/)
    const count = Number(first.textContent!.split(' ')[0])
    await act(() => client.posts.create.mutate({ title: 'counted' })) // affects posts.list only
    await act(() => client.posts.remove.mutate({ id: 'none' })) // affects every posts.* query
    await screen.findByText(`${count + 1} posts`)
  })
})

describe('server-side rendering', () => {
  it('prefetches global contexts in process, dehydrates with Dates intact, and hydrates with no refetch', async () => {
    // On the server: an in-process caller, no HTTP hop.
    const caller = app.server.createCaller({ user: { id: 'u1', name: 'Alice', roles: [] }, db: app.db })
    const serverApi = createMizanReact<AppRouter>(callerClient(caller))
    const serverQueries = newQueryClient()
    const before = app.requests.length
    await prefetchContexts(serverApi, serverQueries, app.server.manifest)
    await serverQueries.prefetchQuery(serverApi.posts.list.queryOptions({ page: 1 }))
    const html = dehydrateState(serverQueries)
    expect(app.requests.length).toBe(before)
    expect(html).toContain('Alice')

    // In the browser: hydrate before the first render.
    const client = app.client('alice')
    const api = createMizanReact<AppRouter>(client)
    const queryClient = newQueryClient()
    const paints: string[] = []
    function Page() {
      const me = useMizanContext(api.currentUser)
      const posts = api.posts.list.useQuery({ page: 1 })
      const text = `${me?.name}: ${posts.data ? posts.data.items[0]!.at.getUTCFullYear() : 'loading'}`
      paints.push(text)
      return <p>{text}</p>
    }
    render(
      <MizanProvider client={client} queryClient={queryClient} state={parseState(html)}>
        <Suspense fallback="suspended">
          <Page />
        </Suspense>
      </MizanProvider>,
    )
    expect(paints[0]).toBe('Alice: 2026')
    expect(screen.getByText('Alice: 2026')).toBeTruthy()
    expect(app.requests.length).toBe(before)
  })
})

describe('local context misuse and SSR state escaping', () => {
  it('says which provider is missing when a local context is read outside it', async () => {
    const client = app.client()
    const api = createMizanReact<AppRouter>(client)
    void api.greeting.Provider // the app uses it as a local context somewhere
    function Orphan() {
      return <p>{useMizanContext(api.greeting)}</p>
    }
    const errors: unknown[] = []
    const original = console.error
    console.error = () => {}
    try {
      render(
        <MizanProvider client={client} queryClient={newQueryClient()}>
          <Catch onError={(e) => errors.push(e)}>
            <Orphan />
          </Catch>
        </MizanProvider>,
      )
    } finally {
      console.error = original
    }
    expect(String(errors[0])).toContain('useMizanContext(api.greeting) needs <api.greeting.Provider input={...}> above it')
  })

  it('inlines a state that holds </script> without letting it close the tag', async () => {
    const { inlineState } = await import('@mizan/react/ssr')
    const literal = inlineState('{"title":"</script><script>alert(1)</script>\u2028"}')
    expect(literal).not.toContain('</script>')
    expect(literal).not.toContain('\u2028')
    expect(JSON.parse(literal)).toBe('{"title":"</script><script>alert(1)</script>\u2028"}')
  })
})

// @vitest-environment jsdom
import { createMizanReact, MizanProvider } from '@mizan/react'
import { QueryClient, useMutation, useQuery } from '@tanstack/react-query'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deferred, gates, startApp, type AppRouter } from '../integration/app.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())
afterEach(cleanup)

/** A fresh client, query client and api, signed in as `who`. */
function setup(who = 'alice') {
  const client = app.client(who)
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const api = createMizanReact<AppRouter>(client)
  const tree = (ui: React.ReactNode) => (
    <MizanProvider client={client} queryClient={queryClient}>
      {ui}
    </MizanProvider>
  )
  const wrap = (ui: React.ReactNode) => {
    const view = render(tree(ui))
    return { ...view, show: (next: React.ReactNode) => view.rerender(tree(next)) }
  }
  return { client, queryClient, api, wrap }
}

const calls = (path: string) => app.requests.filter((r) => new URL(r.url).pathname.split('/').pop()!.split(',').includes(path)).length

describe('the invalidation bridge', () => {
  it('refetches what a mutation affects, for hooks, mutationOptions and the plain client alike', async () => {
    const { api, client, wrap } = setup()
    function Posts() {
      const posts = useQuery(api.posts.list.queryOptions({ page: 1 }))
      const create = api.posts.create.useMutation()
      const viaOptions = useMutation(api.posts.create.mutationOptions())
      return (
        <div>
          <ul>{posts.data?.items.map((p) => <li key={p.id}>{p.title}</li>)}</ul>
          <button onClick={() => create.mutate({ title: 'from the hook' })}>hook</button>
          <button onClick={() => viaOptions.mutate({ title: 'from options' })}>options</button>
        </div>
      )
    }
    wrap(<Posts />)
    await screen.findByText('First')
    act(() => screen.getByText('hook').click())
    await screen.findByText('from the hook')
    act(() => screen.getByText('options').click())
    await screen.findByText('from options')
    await act(() => client.posts.create.mutate({ title: 'from the plain client' }))
    await screen.findByText('from the plain client')
  })

  it('cannot be switched off by a per-call onSuccess', async () => {
    const { api, wrap } = setup()
    function Posts() {
      const posts = api.posts.list.useQuery({ page: 1 })
      const create = api.posts.create.useMutation({ onSuccess: () => 'ignored' })
      return (
        <div>
          <ul>{posts.data?.items.map((p) => <li key={p.id}>{p.title}</li>)}</ul>
          <button onClick={() => create.mutate({ title: 'despite onSuccess' }, { onSuccess: () => {} })}>go</button>
        </div>
      )
    }
    wrap(<Posts />)
    await screen.findByText('First')
    act(() => screen.getByText('go').click())
    await screen.findByText('despite onSuccess')
  })

  it('with awaitInvalidation, resolves only once the active affected queries hold the change', async () => {
    const { api, queryClient, wrap } = setup()
    let mutate!: (title: string) => Promise<unknown>
    function Posts() {
      api.posts.list.useQuery({ page: 1 })
      const create = api.posts.create.useMutation({ awaitInvalidation: true })
      mutate = (title) => create.mutateAsync({ title })
      return null
    }
    wrap(<Posts />)
    await waitFor(() => expect(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }))).toBeDefined())
    await act(() => mutate('awaited'))
    const page = queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }))
    expect(page?.items.map((p) => p.title)).toContain('awaited')
  })

  it('marks inactive matches stale; they refetch when they mount', async () => {
    const { api, client, queryClient, wrap } = setup()
    const view = wrap(null)
    await queryClient.prefetchQuery(api.posts.list.queryOptions({ page: 1 }))
    const before = calls('posts.list')
    await client.posts.create.mutate({ title: 'while unmounted' })
    await waitFor(() => expect(queryClient.getQueryState(api.posts.list.queryKey({ page: 1 }))?.isInvalidated).toBe(true))
    expect(calls('posts.list')).toBe(before) // not refetched while nobody shows it
    function Posts() {
      const posts = api.posts.list.useQuery({ page: 1 })
      return <ul>{posts.data?.items.map((p) => <li key={p.id}>{p.title}</li>)}</ul>
    }
    view.show(<Posts />)
    await screen.findByText('while unmounted')
  })

  it('never keeps the answer of a fetch that started before the change, even a first fetch', async () => {
    const { api, client: sam, queryClient, wrap } = setup('sam')
    gates.snapshot = deferred()
    await sam.posts.create.mutate({ title: 'to be removed' })
    const doomed = (await sam.posts.list.query({})).items.find((p) => p.title === 'to be removed')!
    function Snapshot() {
      const titles = api.posts.snapshot.useQuery()
      return <p>{titles.data ? titles.data.join('|') : 'loading'}</p>
    }
    wrap(<Snapshot />)
    await waitFor(() => expect(queryClient.getQueryState(api.posts.snapshot.queryKey())?.fetchStatus).toBe('fetching'))
    await act(() => sam.posts.remove.mutate({ id: doomed.id })) // affects 'posts': everything under it
    expect(queryClient.getQueryData(api.posts.snapshot.queryKey())).toBeUndefined() // the first fetch has not answered yet
    gates.snapshot.resolve()
    await waitFor(() => expect(queryClient.getQueryState(api.posts.snapshot.queryKey())?.status).toBe('success'))
    expect(queryClient.getQueryData(api.posts.snapshot.queryKey())).not.toContain('to be removed')
    expect(screen.getByText(/First/).textContent).not.toContain('to be removed')
  })

  it('applies each mutation’s own invalidations when two share a batch', async () => {
    const { api, client, queryClient } = setup('sam')
    const bridge = render(<MizanProvider client={client} queryClient={queryClient} />)
    await queryClient.prefetchQuery(api.posts.list.queryOptions({ page: 1 }))
    await queryClient.prefetchQuery(api.greeting.queryOptions({ name: 'x' }))
    await queryClient.prefetchQuery(api.currentUser.queryOptions())
    const [post] = await Promise.all([client.posts.create.mutate({ title: 'one' }), client.nothing.mutate()])
    const state = (key: readonly unknown[]) => queryClient.getQueryState(key)?.isInvalidated
    await waitFor(() => expect(state(api.posts.list.queryKey({ page: 1 }))).toBe(true))
    expect(state(api.greeting.queryKey({ name: 'x' }))).toBe(false)
    expect(state(api.currentUser.queryKey())).toBe(false)
    expect(post.title).toBe('one')
    bridge.unmount()
  })

  it('invalidates nothing after a 4xx', async () => {
    const { api, queryClient, wrap } = setup()
    const anonymous = app.client()
    function Posts() {
      const posts = api.posts.list.useQuery({ page: 1 })
      return <p>{posts.data ? 'ready' : 'loading'}</p>
    }
    wrap(<Posts />)
    await screen.findByText('ready')
    const before = calls('posts.list')
    await expect(anonymous.posts.create.mutate({ title: 'nope' })).rejects.toMatchObject({ status: 401 })
    expect(queryClient.getQueryState(api.posts.list.queryKey({ page: 1 }))?.isInvalidated).toBe(false)
    expect(calls('posts.list')).toBe(before)
  })

  it('uses the same key in hooks, queryOptions and queryKey: [pathSegments, { input, type }]', async () => {
    const { api, queryClient, wrap } = setup()
    expect(api.posts.byId.queryKey({ id: '1' })).toEqual([['posts', 'byId'], { input: { id: '1' }, type: 'query' }])
    expect(api.currentUser.queryKey()).toEqual([['currentUser'], { type: 'query' }])
    expect(api.posts.pathKey()).toEqual([['posts']])
    function Post() {
      const post = api.posts.byId.useQuery({ id: '1' })
      return <p>{post.data?.title}</p>
    }
    wrap(<Post />)
    await screen.findByText('First')
    expect(queryClient.getQueryCache().getAll().map((q) => q.queryKey)).toEqual([api.posts.byId.queryOptions({ id: '1' }).queryKey])
    const data = queryClient.getQueryData(api.posts.byId.queryKey({ id: '1' }))
    expect(data?.at).toBeInstanceOf(Date)
  })

  it('refetches the active Mizan queries when the client reports a push gap', async () => {
    const { client, queryClient, api } = setup()
    // The client emits `pushGap` when a reconnect could not replay the pushes missed meanwhile; the
    // provider's listener is captured here to play that moment.
    let gap: (() => void) | undefined
    const watched = new Proxy(client, {
      get: (target, key) =>
        key === '$on'
          ? (event: string, listener: () => void) => {
              if (event === 'pushGap') gap = listener
              return (target.$on as (event: string, listener: () => void) => () => void)(event, listener)
            }
          : Reflect.get(target, key),
    })
    function Posts() {
      const posts = api.posts.list.useQuery({ page: 1 })
      return <ul>{posts.data?.items.map((p) => <li key={p.id}>{p.title}</li>)}</ul>
    }
    render(
      <MizanProvider client={watched} queryClient={queryClient}>
        <Posts />
      </MizanProvider>,
    )
    await screen.findByText('First')
    const before = calls('posts.list')
    expect(gap).toBeDefined()
    act(() => gap!())
    await waitFor(() => expect(calls('posts.list')).toBe(before + 1))
  })
})

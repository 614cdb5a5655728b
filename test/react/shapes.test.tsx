// @vitest-environment jsdom
import { createMizanReact, MizanProvider } from '@mizan/react'
import { callerClient, dehydrateState, parseState } from '@mizan/react/ssr'
import { QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { act, cleanup, render, screen } from '@testing-library/react'
import { Suspense } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { ShapesRouter } from '../types/shapes-fixtures.js'
import { post, project, shapesApp } from './shapes-app.js'

afterEach(cleanup)

function setup() {
  const app = shapesApp()
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const api = createMizanReact<ShapesRouter>(app.client)
  const wrap = (ui: React.ReactNode) =>
    render(
      <MizanProvider client={app.client} queryClient={queryClient}>
        {ui}
      </MizanProvider>,
    )
  return { ...app, api, queryClient, wrap }
}

/** Two views of the same page: a named shape and a selection, each in its own component. */
function views(api: ReturnType<typeof setup>['api'], page = 1) {
  function Card() {
    const cards = api.posts.list.useQuery({ page }, { shape: 'card' })
    const card = cards.data?.[0]
    return <p>{card === undefined ? 'loading card' : `card ${page}: ${card.title} by ${card.author.name}, ${Object.keys(card).join('+')}`}</p>
  }
  function Ids() {
    const ids = useQuery(api.posts.list.queryOptions({ page }, { shape: { id: true, title: true } }))
    const row = ids.data?.[0]
    return <p>{row === undefined ? 'loading ids' : `ids ${page}: ${row.id} ${row.title}, ${Object.keys(row).join('+')}`}</p>
  }
  return { Card, Ids }
}

describe('shaped queries in React', () => {
  it('keep each shape of the same input in its own cache entry, fetched with its shape', async () => {
    const { api, queryClient, served, wrap } = setup()
    const { Card, Ids } = views(api)
    wrap(
      <>
        <Card />
        <Ids />
      </>,
    )
    await screen.findByText('card 1: Page 1 v1 by Ann, id+title+author')
    await screen.findByText('ids 1: p1 Page 1 v1, id+title')
    expect(served).toEqual([
      { path: 'posts.list', input: { page: 1 }, shape: 'card' },
      { path: 'posts.list', input: { page: 1 }, shape: { id: true, title: true } },
    ])
    const keys = queryClient.getQueryCache().findAll({ queryKey: api.posts.list.pathKey() }).map((query) => query.queryKey)
    expect(keys).toEqual([
      [['posts', 'list'], { input: { page: 1 }, shape: 'card', type: 'query' }],
      [['posts', 'list'], { input: { page: 1 }, shape: { id: true, title: true }, type: 'query' }],
    ])
    // The typed keys read each entry back.
    expect(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }, { shape: 'card' }))).toEqual([project(post(1, 1), { id: true, title: true, author: { name: true } })])
    expect(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }, { shape: { id: true, title: true } }))).toEqual([{ id: 'p1', title: 'Page 1 v1' }])
    expect(queryClient.getQueryData(api.posts.list.queryKey({ page: 1 }))).toBeUndefined()
  })

  it('share one cache entry for one shape, whatever the key order of the selection', async () => {
    const { api, served, wrap } = setup()
    function A() {
      const rows = api.posts.list.useQuery({ page: 1 }, { shape: { id: true, title: true } })
      return <p>{rows.data === undefined ? 'a loading' : `a ${rows.data[0]!.title}`}</p>
    }
    function B() {
      const rows = api.posts.list.useQuery({ page: 1 }, { shape: { title: true, id: true } })
      return <p>{rows.data === undefined ? 'b loading' : `b ${rows.data[0]!.title}`}</p>
    }
    wrap(
      <>
        <A />
        <B />
      </>,
    )
    await screen.findByText('a Page 1 v1')
    await screen.findByText('b Page 1 v1')
    expect(served).toHaveLength(1)
  })

  it('refetch every shape of a path when the server invalidates the path', async () => {
    const { api, client, served, state, wrap } = setup()
    const page1 = views(api, 1)
    const page2 = views(api, 2)
    wrap(
      <>
        <page1.Card />
        <page1.Ids />
        <page2.Card />
      </>,
    )
    await screen.findByText('card 1: Page 1 v1 by Ann, id+title+author')
    await screen.findByText('ids 1: p1 Page 1 v1, id+title')
    await screen.findByText('card 2: Page 2 v1 by Ann, id+title+author')
    served.length = 0
    state.invalidate = [{ path: 'posts.list' }]
    await act(() => client.posts.create.mutate({ title: 'new' }))
    await screen.findByText('card 1: Page 1 v2 by Ann, id+title+author')
    await screen.findByText('ids 1: p1 Page 1 v2, id+title')
    await screen.findByText('card 2: Page 2 v2 by Ann, id+title+author')
    // Each shape refetched with its own shape.
    expect(served.filter((call) => call.path === 'posts.list').map((call) => call.shape)).toEqual(expect.arrayContaining(['card', { id: true, title: true }, 'card']))
  })

  it('refetch every shape of an input, and no other input, when the server invalidates path and input', async () => {
    const { api, client, state, wrap } = setup()
    const page1 = views(api, 1)
    const page2 = views(api, 2)
    wrap(
      <>
        <page1.Card />
        <page1.Ids />
        <page2.Card />
      </>,
    )
    await screen.findByText('card 2: Page 2 v1 by Ann, id+title+author')
    await screen.findByText('ids 1: p1 Page 1 v1, id+title')
    state.invalidate = [{ path: 'posts.list', input: { page: 1 } }]
    await act(() => client.posts.create.mutate({ title: 'new' }))
    await screen.findByText('card 1: Page 1 v2 by Ann, id+title+author')
    await screen.findByText('ids 1: p1 Page 1 v2, id+title')
    expect(screen.getByText('card 2: Page 2 v1 by Ann, id+title+author')).toBeTruthy()
  })

  it('send the shape of an infinite query with every page, and key it', async () => {
    const calls: { input: unknown; shape: unknown }[] = []
    const api = createMizanReact<ShapesRouter>({
      $call: async (_kind, _path, input, options) => {
        calls.push({ input, shape: options?.shape })
        const cursor = (input as { cursor?: string }).cursor
        return { items: [{ id: cursor ?? 'first', title: 'T' }], next: cursor === undefined ? 'second' : null }
      },
    })
    const queryClient = new QueryClient()
    const options = api.posts.feed.infiniteQueryOptions({ limit: 1 }, { shape: 'titles', getNextPageParam: (last) => last.next })
    expect(options.queryKey).toEqual([['posts', 'feed'], { input: { limit: 1 }, shape: 'titles', type: 'infinite' }])
    expect('shape' in options).toBe(false)
    let pages: string[] = []
    function Feed() {
      const feed = useInfiniteQuery(options)
      pages = feed.data?.pages.map((page) => page.items[0]!.id) ?? []
      return <button onClick={() => void feed.fetchNextPage()}>{pages.join(',') || 'loading'}</button>
    }
    render(
      <MizanProvider client={{ $on: () => () => {} }} queryClient={queryClient}>
        <Feed />
      </MizanProvider>,
    )
    await screen.findByText('first')
    act(() => screen.getByText('first').click())
    await screen.findByText('first,second')
    expect(calls).toEqual([
      { input: { limit: 1 }, shape: 'titles' },
      { input: { limit: 1, cursor: 'second' }, shape: 'titles' },
    ])
  })

  it('leave `shape` out of the options TanStack gets, and out of an unshaped key and call', async () => {
    const calls: unknown[] = []
    const api = createMizanReact<ShapesRouter>({ $call: async (...args) => (calls.push(args.slice(2)), []) })
    const shaped = api.posts.list.queryOptions({ page: 1 }, { shape: 'card', staleTime: 5 })
    expect('shape' in shaped).toBe(false)
    expect(shaped.staleTime).toBe(5)
    const plain = api.posts.list.queryOptions({ page: 1 })
    expect(plain.queryKey).toEqual([['posts', 'list'], { input: { page: 1 }, type: 'query' }])
    expect(api.posts.cards.queryKey(undefined, { shape: 'card' })).toEqual([['posts', 'cards'], { shape: 'card', type: 'query' }])
    const queryClient = new QueryClient()
    await queryClient.fetchQuery(shaped)
    await queryClient.fetchQuery(plain)
    expect(calls).toEqual([
      [{ page: 1 }, { signal: expect.any(AbortSignal), shape: 'card' }],
      [{ page: 1 }, { signal: expect.any(AbortSignal) }],
    ])
    expect(Object.keys((calls[1] as unknown[])[1] as object)).toEqual(['signal'])
  })
})

describe('server rendering a shaped query', () => {
  it('prefetches through the caller with the shape, and hydrates with no refetch', async () => {
    // On the server: an in-process caller, as `server.createCaller(ctx)` gives (faked: the server
    // side of shapes is not under test here). It receives the shape as a call option.
    const received: unknown[] = []
    const caller = {
      posts: {
        list: async (input: { page: number }, options: { signal?: AbortSignal; shape?: unknown }) => {
          received.push({ input, shape: options.shape, signal: options.signal instanceof AbortSignal })
          return project([post(input.page, 1)], { id: true, title: true, author: { name: true } })
        },
      },
    }
    const serverApi = createMizanReact<ShapesRouter>(callerClient(caller))
    const serverQueries = new QueryClient()
    await serverQueries.prefetchQuery(serverApi.posts.list.queryOptions({ page: 3 }, { shape: 'card' }))
    expect(received).toEqual([{ input: { page: 3 }, shape: 'card', signal: true }])
    const html = dehydrateState(serverQueries)

    // In the browser: the same shape reads the hydrated entry; nothing is fetched.
    const app = shapesApp()
    const api = createMizanReact<ShapesRouter>(app.client)
    const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } })
    const paints: string[] = []
    function Page() {
      const cards = api.posts.list.useSuspenseQuery({ page: 3 }, { shape: 'card' })
      const text = `${cards.data[0]!.title} by ${cards.data[0]!.author.name}`
      paints.push(text)
      return <p>{text}</p>
    }
    render(
      <MizanProvider client={app.client} queryClient={queryClient} state={parseState(html)}>
        <Suspense fallback="suspended">
          <Page />
        </Suspense>
      </MizanProvider>,
    )
    expect(paints[0]).toBe('Page 3 v1 by Ann')
    expect(app.served).toEqual([])
  })

  it('passes no shape to the caller for an unshaped query', async () => {
    const received: object[] = []
    const caller = { posts: { list: async (_input: unknown, options: object) => (received.push(options), []) } }
    const serverApi = createMizanReact<ShapesRouter>(callerClient(caller))
    await new QueryClient().prefetchQuery(serverApi.posts.list.queryOptions({ page: 1 }))
    expect(received.map((options) => Object.keys(options))).toEqual([['signal']])
  })
})

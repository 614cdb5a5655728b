// @vitest-environment jsdom
import { createClient } from '@mizan/client'
import { createMizanReact, MizanProvider } from '@mizan/react'
import { QueryClient, useQuery } from '@tanstack/react-query'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { streamingFetch, type StreamsRouter } from '../client/streams-support.js'

afterEach(cleanup)

function setup() {
  // `plain` answers as a server does, in JSON; it says it changed `tokens`.
  const server = streamingFetch((request) =>
    request.url.includes('/plain?') ? new Response(JSON.stringify({ data: 1, invalidate: [{ path: 'tokens' }] }), { status: 200, headers: { 'content-type': 'application/json' } }) : undefined,
  )
  const client = createClient<StreamsRouter>({ url: 'http://streams.test/api/mizan', fetch: server.fetch })
  const api = createMizanReact<StreamsRouter>(client)
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const wrap = (ui: React.ReactNode) =>
    render(
      <MizanProvider client={client} queryClient={queryClient}>
        {ui}
      </MizanProvider>,
    )
  /** The `n`th request, once made. */
  const request = async (n: number) => {
    await waitFor(() => expect(server.requests.length).toBeGreaterThan(n))
    return server.requests[n]!
  }
  return { ...server, client, api, queryClient, wrap, request }
}

describe('useStream', () => {
  it('shows the values as they arrive, then the return value; onValue hears each', async () => {
    const { api, wrap, request } = setup()
    const heard: string[] = []
    function Tokens() {
      const stream = api.tokens.useStream({ prompt: 'a b' }, { onValue: (word) => heard.push(word) })
      return (
        <p>
          {stream.status}:{stream.values.join(' ')}:{stream.latest ?? '-'}:{stream.result?.words ?? '-'}
        </p>
      )
    }
    wrap(<Tokens />)
    await screen.findByText('streaming::-:-')
    const first = await request(0)
    expect(first.url).toContain('/tokens?input=')
    act(() => first.line({ yield: 'a' }))
    await screen.findByText('streaming:a:a:-')
    act(() => {
      first.line({ yield: 'b' })
      first.line({ done: true, data: { words: 2 } })
      first.end()
    })
    await screen.findByText('done:a b:b:2')
    expect(heard).toEqual(['a', 'b'])
  })

  it('stops on unmount: the request is aborted', async () => {
    const { api, wrap, request } = setup()
    function Tokens() {
      const stream = api.tokens.useStream({ prompt: 'x' })
      return <p>{stream.values.join(' ') || stream.status}</p>
    }
    const view = wrap(<Tokens />)
    const first = await request(0)
    act(() => first.line({ yield: 'one' }))
    await screen.findByText('one')
    view.unmount()
    expect(first.signal!.aborted).toBe(true)
  })

  it('a new input stops the old stream and starts a new one; the same input by value does not', async () => {
    const { api, wrap, request, requests } = setup()
    function Tokens() {
      const [prompt, setPrompt] = useState('first')
      const [, rerender] = useState(0)
      const stream = api.tokens.useStream({ prompt })
      return (
        <>
          <p>
            {stream.status}:{stream.values.join(' ')}
          </p>
          <button onClick={() => setPrompt('second')}>change</button>
          <button onClick={() => rerender((n) => n + 1)}>rerender</button>
        </>
      )
    }
    wrap(<Tokens />)
    const first = await request(0)
    act(() => first.line({ yield: 'old' }))
    await screen.findByText('streaming:old')
    act(() => screen.getByText('rerender').click())
    expect(requests).toHaveLength(1)
    act(() => screen.getByText('change').click())
    const second = await request(1)
    expect(first.signal!.aborted).toBe(true)
    expect(second.url).toContain(encodeURIComponent('"second"'))
    await screen.findByText('streaming:')
    act(() => second.line({ yield: 'new' }))
    await screen.findByText('streaming:new')
  })

  it('stop() ends it early, keeping the values; an error line shows as an error; disabled is idle', async () => {
    const { api, wrap, request, requests } = setup()
    function Tokens({ prompt, enabled }: { prompt: string; enabled?: boolean }) {
      const stream = api.tokens.useStream({ prompt }, { enabled })
      return (
        <div>
          <p>
            {prompt}:{stream.status}:{stream.values.join(' ')}:{stream.error?.code ?? '-'}
          </p>
          <button onClick={stream.stop}>stop {prompt}</button>
        </div>
      )
    }
    wrap(
      <>
        <Tokens prompt="a" />
        <Tokens prompt="b" />
        <Tokens prompt="c" enabled={false} />
      </>,
    )
    // Both streams started in one tick: one batch, `a` its first call.
    const batch = await request(0)
    act(() => batch.line({ i: 0, yield: 'kept' }))
    await screen.findByText('a:streaming:kept:-')
    act(() => screen.getByText('stop a').click())
    await screen.findByText('a:done:kept:-')
    // `b` still reads the batch: it is not aborted for `a`.
    expect(batch.signal!.aborted).toBe(false)
    act(() => batch.line({ i: 1, error: { code: 'FORBIDDEN', status: 403, message: 'no' } }))
    await screen.findByText('b:error::FORBIDDEN')
    expect(screen.getByText('c:idle::-')).toBeTruthy()
    expect(requests).toHaveLength(1)
  })
})

describe('streamOptions', () => {
  it('fills a query with the values so far, under a stream key, and an invalidation of the path refetches it', async () => {
    const { api, client, queryClient, wrap, request } = setup()
    function Tokens() {
      const query = useQuery(api.tokens.streamOptions({ prompt: 'a b' }))
      return (
        <p>
          {query.status}/{query.fetchStatus}:{query.data?.join(' ') ?? '-'}
        </p>
      )
    }
    wrap(<Tokens />)
    const first = await request(0)
    await screen.findByText('pending/fetching:-')
    act(() => first.line({ yield: 'a' }))
    await screen.findByText('success/fetching:a')
    act(() => {
      first.line({ yield: 'b' })
      first.line({ done: true, data: { words: 2 } })
      first.end()
    })
    await screen.findByText('success/idle:a b')
    expect(queryClient.getQueryData(api.tokens.streamOptions({ prompt: 'a b' }).queryKey)).toEqual(['a', 'b'])
    expect(queryClient.getQueryCache().getAll().map((query) => query.queryKey)).toEqual([[['tokens'], { input: { prompt: 'a b' }, type: 'stream' }]])

    // A call that says it changed `tokens`: the bridge invalidates the stream, which streams again.
    await act(async () => expect(await client.plain.query({ n: 1 })).toBe(1))
    const again = await request(2)
    expect(again.url).toBe(first.url)
    await screen.findByText('pending/fetching:-') // refetchMode 'reset' (the default) clears the values
    act(() => {
      again.line({ yield: 'c' })
      again.line({ done: true })
      again.end()
    })
    await screen.findByText('success/idle:c')
  })

  it('refetchMode passes through, and unmounting stops the stream', async () => {
    const { api, queryClient, wrap, request } = setup()
    function Tokens() {
      const query = useQuery(api.tokens.streamOptions({ prompt: 'x' }, { refetchMode: 'append', select: (words) => words.length }))
      return <p>count {query.data ?? 0}</p>
    }
    const view = wrap(<Tokens />)
    const first = await request(0)
    act(() => {
      first.line({ yield: 'a' })
      first.line({ done: true })
      first.end()
    })
    await screen.findByText('count 1')
    void queryClient.invalidateQueries({ queryKey: api.tokens.pathKey() })
    const second = await request(1)
    act(() => second.line({ yield: 'b' }))
    await screen.findByText('count 2') // appended to the first stream's values
    view.unmount()
    await waitFor(() => expect(second.signal!.aborted).toBe(true))
  })
})

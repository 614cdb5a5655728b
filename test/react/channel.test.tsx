// @vitest-environment jsdom
import { createMizanReact, MizanProvider, useChannel } from '@mizan/react'
import { QueryClient } from '@tanstack/react-query'
import { act, cleanup, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { startRealtime, until, type RealtimeRouter } from '../realtime/app.js'

afterEach(cleanup)

describe('useChannel', () => {
  it('shares one socket, shows the last message, sends, and leaves on unmount', async () => {
    const app = await startRealtime()
    const client = app.client('alice')
    const api = createMizanReact<RealtimeRouter>(client)
    const statuses: string[] = []
    client.$on('status', (s) => statuses.push(s))
    function Room({ id }: { id: string }) {
      const chat = useChannel(api.chat, { room: 'lobby' })
      return (
        <div>
          <p data-testid={id}>{chat.status}:{chat.lastMessage?.text ?? '-'}</p>
          <button onClick={() => void chat.send({ text: `hello from ${id}` })}>send {id}</button>
        </div>
      )
    }
    function Page() {
      const [both, setBoth] = useState(true)
      return (
        <>
          <Room id="a" />
          {both && <Room id="b" />}
          <button onClick={() => setBoth(false)}>leave b</button>
        </>
      )
    }
    render(
      <MizanProvider client={client} queryClient={new QueryClient()}>
        <Page />
      </MizanProvider>,
    )
    await screen.findByText('open:-', { selector: '[data-testid=a]' })
    await act(() => app.server.publish('chat', { room: 'lobby' }, { text: 'first', user: 'x', at: new Date() }))
    await screen.findByText('open:first', { selector: '[data-testid=b]' })
    act(() => screen.getByText('send a').click())
    await screen.findByText('open:hello from a', { selector: '[data-testid=a]' })
    expect(statuses.filter((s) => s === 'connecting')).toHaveLength(1) // one socket for both
    act(() => screen.getByText('leave b').click())
    await act(() => app.server.publish('chat', { room: 'lobby' }, { text: 'second', user: 'x', at: new Date() }))
    await screen.findByText('open:second', { selector: '[data-testid=a]' })
    cleanup()
    await until(() => statuses.at(-1) === 'closed') // the last subscription left: the socket closes
    await app.server.close()
  })

  it('refetches what a channel affects after a gap', async () => {
    const first = await startRealtime()
    const client = first.client('alice')
    const api = createMizanReact<RealtimeRouter>(client)
    const queryClient = new QueryClient()
    const heard: string[] = []
    client.$on('invalidate', (targets, source) => heard.push(`${source.path}:${targets.map((t) => t.path)}`))
    function Ticker() {
      const ticker = useChannel(api.ticker, {})
      return <p>{ticker.status}</p>
    }
    render(
      <MizanProvider client={client} queryClient={queryClient}>
        <Ticker />
      </MizanProvider>,
    )
    await screen.findByText('open')
    await first.server.close()
    const second = await startRealtime({ port: first.port })
    await until(() => heard.length === 1)
    expect(heard).toEqual(['ticker:posts.list']) // the ticker `affects: ['posts.list']`
    cleanup()
    await second.server.close()
  })
})

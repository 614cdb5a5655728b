import { createMizanServer } from '@mizan/server'
import { createClient } from '@mizan/client'
import { WebSocket } from 'ws'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { realtimeRouter, until, type RealtimeRouter } from './app.js'

afterEach(() => vi.restoreAllMocks())

describe('reconnect backoff', () => {
  it('keeps growing when the server accepts the socket and then refuses it', async () => {
    // The socket's context fails: each connection is accepted, then closed before any hello.
    let upgrades = 0
    const server = createMizanServer({
      router: realtimeRouter,
      createContext: ({ transport }) => {
        if (transport === 'ws') {
          upgrades++
          throw new Error('no sockets today')
        }
        return { user: null }
      },
      onError: () => {},
    })
    const { url } = await server.listen(0, '127.0.0.1')
    vi.spyOn(Math, 'random').mockReturnValue(1) // the jitter at its top: delays are the bounds themselves
    const delays: number[] = []
    const realSetTimeout = globalThis.setTimeout
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      if (ms !== undefined && ms >= 250 && ms <= 10_000) delays.push(ms) // the backoff range: 250 ms to its 10 s cap
      return realSetTimeout(fn, ms)
    }) as typeof setTimeout)
    const client = createClient<RealtimeRouter>({ url, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket })
    const sub = client.ticker.subscribe({}, { onMessage: () => {} })
    await until(() => upgrades >= 3 && delays.length >= 3)
    sub.unsubscribe()
    expect(delays.slice(0, 3)).toEqual([250, 500, 1000])
    await server.close()
  })
})

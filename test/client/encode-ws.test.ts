import { isMizanError, MizanClientError } from '@mizan/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRealtime, until } from '../realtime/app.js'
import { watchUnhandled } from './unhandled.js'

let app: Awaited<ReturnType<typeof startRealtime>>
beforeAll(async () => {
  app = await startRealtime()
})
afterAll(() => app.server.close())

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  value.self = value
  return value
}

/** A client whose socket is open (joined to `ticker`), so `live` calls go over it. */
async function openClient(as?: string) {
  const client = app.client(as, { transformer: 'json' })
  let open = false
  const ticker = client.ticker.subscribe({}, { onMessage: () => {}, onStatus: (s) => (open ||= s.status === 'open') })
  await until(() => open)
  return { client, ticker }
}

describe("over the WebSocket, an input the transformer cannot encode (transformer: 'json')", () => {
  it('fails only that call; the calls beside it are answered', async () => {
    const unhandled = watchUnhandled()
    const { client, ticker } = await openClient()
    const requestsBefore = app.requests.length
    const results = await Promise.allSettled([client.live.query({ n: 1n } as never), client.live.query({ n: 2 }), client.live.query(cyclic() as never), client.live.query({ n: 3 })])
    expect(app.requests.length).toBe(requestsBefore) // every call went over the socket
    for (const index of [0, 2]) {
      const error = (results[index] as PromiseRejectedResult).reason
      expect(error).toBeInstanceOf(MizanClientError)
      expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 0, path: 'live' })
    }
    expect(results[1]).toEqual({ status: 'fulfilled', value: 4 })
    expect(results[3]).toEqual({ status: 'fulfilled', value: 6 })
    ticker.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })

  it('refuses a subscription whose params cannot be encoded, through onError, and the socket goes on', async () => {
    const unhandled = watchUnhandled()
    const { client, ticker } = await openClient('alice')
    const errors: MizanClientError[] = []
    client.chat.subscribe({ room: cyclic() } as never, { onMessage: () => {}, onError: (e) => errors.push(e) })
    await until(() => errors.length === 1)
    expect(isMizanError(errors[0], 'BAD_REQUEST')).toBe(true)
    expect(errors[0]!.message).toContain('could not be encoded')
    expect(await client.live.query({ n: 5 })).toBe(10)
    ticker.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })

  it('rejects a channel send() whose message cannot be encoded with a MizanClientError', async () => {
    const unhandled = watchUnhandled()
    const { client, ticker } = await openClient('alice')
    const got: string[] = []
    let open = false
    const chat = client.chat.subscribe({ room: 'enc' }, { onMessage: (m) => got.push(m.text), onStatus: (s) => (open ||= s.status === 'open') })
    await until(() => open)
    await expect(chat.send({ text: 10n } as never)).rejects.toMatchObject({ name: 'MizanClientError', code: 'BAD_REQUEST', status: 0 })
    await chat.send({ text: 'still works' })
    await until(() => got.length === 1)
    expect(got).toEqual(['still works'])
    chat.unsubscribe()
    ticker.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })
})

describe('a WebSocket-only client with no WebSocket class', () => {
  it('tells each subscriber through onError, and nothing rejects unhandled', async () => {
    const { vi } = await import('vitest')
    vi.stubGlobal('WebSocket', undefined)
    const unhandled = watchUnhandled()
    try {
      // Under the default `transport: 'auto'` such a client subscribes over Server-Sent Events instead.
      const client = app.client('alice', { WebSocket: undefined, transport: 'websocket' })
      const errors: MizanClientError[] = []
      client.ticker.subscribe({}, { onMessage: () => {}, onError: (e) => errors.push(e) })
      await until(() => errors.length === 1)
      client.ticker.subscribe({}, { onMessage: () => {}, onError: (e) => errors.push(e) }) // the socket code is loaded now
      await until(() => errors.length === 2)
      for (const error of errors) expect(error).toMatchObject({ code: 'NETWORK_ERROR', message: expect.stringContaining('no WebSocket here') })
      expect(await unhandled.stop()).toEqual([])
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

// The client against a real Mizan server that cannot take WebSocket upgrades: its node handler is
// mounted on a plain node:http server (as behind a proxy that drops upgrades, or in a framework
// that owns the server), so `transport: 'auto'` falls back to Server-Sent Events by itself, and
// channels, sends and pushes work as over the socket.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '@mizan/client'
import { createMizanServer } from '@mizan/server'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realtimeRouter, type RealtimeRouter } from './app.js'

const server = createMizanServer({
  router: realtimeRouter,
  createContext: ({ req }) => {
    const name = req.headers.get('authorization')?.slice(7)
    return { user: name ? { id: name, name } : null }
  },
  onError: () => {},
})
// No 'upgrade' listener: an upgrade request is never taken.
const plain = http.createServer(server.nodeHandler)
let url: string
beforeAll(async () => {
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/api/mizan`
})
afterAll(async () => {
  await server.close()
  plain.closeAllConnections()
  await new Promise((resolve) => plain.close(resolve))
})

/** A client that has a WebSocket class (so 'auto' tries it first), recording its requests and the sockets it tried. */
function client(as: string) {
  const requests: string[] = []
  const sockets: string[] = []
  class Recorded extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      sockets.push(String(address))
      super(address, protocols)
    }
  }
  const made = createClient<RealtimeRouter>({
    url,
    WebSocket: Recorded as unknown as typeof globalThis.WebSocket,
    headers: { authorization: `Bearer ${as}` },
    fetch: (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`)
      return fetch(input, init)
    },
  })
  return { client: made, requests, sockets }
}

describe("'auto' against a server that takes no upgrade", () => {
  it('falls back to Server-Sent Events: a chat joins, sends and hears, and pushes arrive', async () => {
    const alice = client('alice')
    const statuses: string[] = []
    const heard: string[] = []
    let opened!: () => void
    const open = new Promise<void>((resolve) => (opened = resolve))
    let got!: () => void
    const message = new Promise<void>((resolve) => (got = resolve))
    const chat = alice.client.chat.subscribe(
      { room: 'fallback' },
      {
        onMessage: (m) => {
          heard.push(`${m.user}: ${m.text}`)
          got()
        },
        onStatus: ({ status }) => {
          statuses.push(status)
          if (status === 'open') opened()
        },
      },
    )
    await open
    expect(alice.sockets.length).toBe(1) // the socket was tried once…
    expect(alice.requests).toContain('GET /api/mizan/_events') // …then the event stream held the connection
    // The switch is part of the same connect: no `reconnecting` on the way.
    expect(statuses.at(-1)).toBe('open')
    expect(statuses.every((status) => status === 'connecting' || status === 'open')).toBe(true)

    await chat.send({ text: 'over SSE' }) // a POST of the send frame, answered `sent` on the stream
    await message
    expect(heard).toEqual(['alice: over SSE'])

    // Another client's mutation: its invalidation is pushed on Alice's stream.
    const pushed = new Promise<string[]>((resolve) => alice.client.$on('invalidate', (targets, source) => source.path === '' && resolve(targets.map((t) => t.path))))
    await client('bob').client.posts.create.mutate()
    expect(await pushed).toContain('posts.list')
    chat.unsubscribe()
  })
})

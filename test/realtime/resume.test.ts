import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { memoryPubSub, redisPubSub, type PubSub } from '@mizan/server'
import { Redis } from 'ioredis'
import { WebSocket } from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_URL, redisAvailable } from '../support/redis.js'
import { startRealtime } from './app.js'

type App = Awaited<ReturnType<typeof startRealtime>>

/**
 * An app whose client connections can be cut server side: every TCP connection it accepted (a
 * WebSocket, an event stream, the POSTs beside it) destroyed at once, with no close frame.
 */
async function startCuttable(pubsub: PubSub) {
  const app = await startRealtime({ pubsub })
  const sockets: Duplex[] = []
  app.server.httpServer!.on('connection', (socket: Duplex) => sockets.push(socket))
  return { ...app, cut: () => sockets.splice(0).forEach((socket) => socket.destroy()) }
}

/**
 * A WebSocket class for the client whose connections can be held off: while closed, each connect
 * goes to a port nobody listens on, so the client keeps retrying until it opens. Records every URL.
 */
function gatedWebSocket() {
  const gate = { open: true, urls: [] as string[] }
  class Gated extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      gate.urls.push(String(url))
      super(gate.open ? url : String(url).replace(/:\d+\//, ':9/'), protocols)
    }
  }
  return { gate, WebSocket: Gated as unknown as typeof globalThis.WebSocket }
}

/**
 * A fetch for an SSE client whose event streams can be held off: while closed, opening one fails
 * as a network error does, so the client keeps retrying. Records each opening's `Last-Event-ID`.
 */
function gatedFetch() {
  const gate = { open: true, lastEventIds: [] as (string | null)[] }
  const gated: typeof fetch = (input, init) => {
    if (String(input).endsWith('/_events') && (init?.method ?? 'GET') === 'GET') {
      gate.lastEventIds.push(new Headers(init?.headers).get('last-event-id'))
      if (!gate.open) return Promise.reject(new TypeError('fetch failed'))
    }
    return fetch(input, init)
  }
  return { gate, fetch: gated }
}

/** A promise resolved when `check` first holds, checked on every call of the returned function. */
function when(check: () => boolean) {
  let resolve!: () => void
  const done = new Promise<void>((r) => (resolve = r))
  return { done, poke: () => void (check() && resolve()) }
}

const available = await redisAvailable('resume')

describe.runIf(available)('resuming channels across instances on Redis Streams', () => {
  const prefix = `mizan-test-${process.pid}-${Date.now()}-${randomBytes(3).toString('hex')}:`
  const connections: Redis[] = []
  const apps: App[] = []
  let admin: Redis

  beforeAll(() => {
    admin = new Redis(REDIS_URL)
  })
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.server.close()))
    connections.splice(0).forEach((redis) => redis.disconnect())
  })
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  })

  async function instance(name: string, history: boolean) {
    const connectionName = `${prefix}${name}`
    const redis = new Redis(REDIS_URL, { connectionName, maxRetriesPerRequest: 1 })
    connections.push(redis)
    const pubsub = redisPubSub({ redis, prefix, onError: () => {}, history: history ? { maxLen: 5000, ttl: 60_000 } : undefined })
    const app = await startCuttable(pubsub)
    apps.push(app)
    return { ...app, readerName: `${connectionName}:streams` }
  }

  async function readerId(name: string): Promise<string> {
    // A bounded poll: a connection coming back raises no event another client can wait on.
    for (let tries = 0; tries < 500; tries++) {
      const line = String(await admin.client('LIST'))
        .split('\n')
        .find((entry) => entry.split(' ').includes(`name=${name}`))
      if (line !== undefined) return line.split(' ').find((field) => field.startsWith('id='))!.slice(3)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`no connection named ${name}`)
  }

  it.each(['websocket', 'sse'] as const)('delivers all 1,000 messages exactly once, in order, through a killed reader and a cut connection, and says resumed (%s)', async (transport) => {
    const a = await instance('a', true)
    const b = await instance('b', true)
    const got: string[] = []
    const statuses: string[] = []
    const all = when(() => got.length >= 1000)
    const opened = when(() => statuses.includes('open'))
    b.client('bob', { transport }).chat.subscribe(
      { room: 'resume' },
      {
        onMessage: (message) => {
          got.push(message.text)
          all.poke()
        },
        onStatus: (status) => {
          statuses.push(`${status.status}${status.resumed === undefined ? '' : `:${status.resumed}`}`)
          opened.poke()
        },
      },
    )
    await opened.done
    const sent: string[] = []
    for (let i = 0; i < 1000; i++) {
      sent.push(String(i))
      await a.server.publish('chat', { room: 'resume' }, { text: String(i), user: 'a', at: new Date(0) })
      if (i === 300) await admin.client('KILL', 'ID', await readerId(b.readerName))
      if (i === 600) b.cut()
    }
    await all.done
    expect(got).toEqual(sent)
    expect(statuses).toContain('open:true')
    expect(statuses).not.toContain('open:false')
  })

  it('without a history says resumed: false after a cut socket, and refetches what the channel affects', async () => {
    const b = await instance('b', false)
    const client = b.client('bob')
    const statuses: string[] = []
    const refetched: string[] = []
    const gap = when(() => statuses.includes('open:false') && refetched.includes('posts.list'))
    const opened = when(() => statuses.includes('open'))
    client.$on('invalidate', (targets, source) => {
      if (source.path === 'ticker') refetched.push(...targets.map((target) => target.path))
      gap.poke()
    })
    client.ticker.subscribe(
      {},
      {
        onMessage: () => {},
        onStatus: (status) => {
          statuses.push(`${status.status}${status.resumed === undefined ? '' : `:${status.resumed}`}`)
          opened.poke()
          gap.poke()
        },
      },
    )
    await opened.done
    b.cut()
    await gap.done
    expect(statuses).not.toContain('open:true')
  })
})

describe('resuming invalidation pushes', () => {
  const apps: App[] = []
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.server.close()))
  })

  /** Bob's client on a cuttable app, its socket gated; resolves once it is open. */
  async function viewer(pubsub: PubSub) {
    const app = await startCuttable(pubsub)
    apps.push(app)
    const { gate, WebSocket: Gated } = gatedWebSocket()
    return watch(app, gate, app.client('bob', { WebSocket: Gated, onPushGap: () => gapped() }))
  }

  /** Bob's client on a cuttable app over Server-Sent Events, its event stream gated; resolves once it is open. */
  async function sseViewer(pubsub: PubSub) {
    const app = await startCuttable(pubsub)
    apps.push(app)
    const { gate, fetch: gated } = gatedFetch()
    return watch(app, gate, app.client('bob', { transport: 'sse', fetch: gated, onPushGap: () => gapped() }))
  }

  let gapped = () => {}

  /** Follows what a viewer's client hears: pushes, push gaps and its status. */
  async function watch<Gate>(app: App, gate: Gate, client: ReturnType<App['client']>) {
    let gaps = 0
    const heard: string[] = []
    let statusNow = ''
    const events = { poke: () => {} }
    gapped = () => void (gaps++, events.poke())
    client.$on('invalidate', (targets, source) => {
      if (source.path === '') heard.push(...targets.map((target) => target.path))
      events.poke()
    })
    client.$on('status', (status) => {
      statusNow = status
      events.poke()
    })
    const waitFor = (check: () => boolean) => {
      const pending = when(check)
      events.poke = pending.poke
      pending.poke()
      return pending.done
    }
    client.ticker.subscribe({}, { onMessage: () => {} })
    await waitFor(() => statusNow === 'open')
    return { app, gate, heard, gaps: () => gaps, status: () => statusNow, waitFor }
  }

  it.each([
    ['the WebSocket', viewer, (gate: { urls: string[] }) => new URL(gate.urls.at(-1)!).searchParams.get('after')],
    ['Server-Sent Events', sseViewer, (gate: { lastEventIds: (string | null)[] }) => gate.lastEventIds.at(-1)!],
  ] as const)('replays a push missed while disconnected over %s, with the cursor the reconnect carried, and reports no gap', async (_name, open, cursorSent) => {
    const bob = await open(memoryPubSub())
    // The first connection starts afresh.
    expect(cursorSent(bob.gate as never)).toBeNull()
    bob.gate.open = false
    bob.app.cut()
    await bob.waitFor(() => bob.status() === 'reconnecting')
    await bob.app.client('alice').posts.create.mutate()
    expect(bob.heard).toEqual([])
    bob.gate.open = true
    await bob.waitFor(() => bob.heard.includes('posts.list') && bob.status() === 'open')
    // The cursor went back: `?after=` on a socket's URL, `Last-Event-ID` on an event stream.
    expect(cursorSent(bob.gate as never)).toMatch(/^[\w-]+~[\w-]+/)
    expect(bob.gaps()).toBe(0)
  })

  it('without a history reports a push gap on reconnect (never on the first connect)', async () => {
    const bob = await viewer(memoryPubSub({ history: false }))
    expect(bob.gaps()).toBe(0)
    bob.app.cut()
    await bob.waitFor(() => bob.gaps() === 1)
  })
})

import { createMizanServer, initMizan } from '@mizan/server'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { until } from './app.js'
import { openSocket, startAudienceApp } from './audience-app.js'

type Socket = Awaited<ReturnType<typeof openSocket>>

let app: Awaited<ReturnType<typeof startAudienceApp>>
let sockets: Record<'anon' | 'alice' | 'aliceTab2' | 'bob' | 'sam' | 'root' | 'ann', Socket>
let marker: Socket
let ticks = 0

beforeAll(async () => {
  app = await startAudienceApp()
  const port = app.port
  const [anon, alice, aliceTab2, bob, sam, root, ann] = await Promise.all([
    openSocket(port),
    openSocket(port, 'alice'),
    openSocket(port, 'alice'),
    openSocket(port, 'bob'),
    openSocket(port, 'sam'),
    openSocket(port, 'root'),
    openSocket(port, 'ann'),
  ])
  sockets = { anon: anon!, alice: alice!, aliceTab2: aliceTab2!, bob: bob!, sam: sam!, root: root!, ann: ann! }
  marker = await openSocket(port)
})
afterAll(async () => {
  Object.values(sockets).forEach((socket) => socket.close())
  marker.close()
  await app.server.close()
})

/**
 * Runs `act`, then a public marker push, and returns what each socket heard besides the marker.
 * Pushes reach a socket in the order they were made, so once the marker is in, nothing else of
 * `act` can still be on its way.
 */
async function heardAfter(act: () => Promise<unknown>): Promise<Record<keyof typeof sockets, unknown[]>> {
  for (const socket of Object.values(sockets)) socket.pushes.length = 0
  await act()
  const n = ++ticks
  expect(await marker.call('tick', { n })).not.toHaveProperty('error')
  await Promise.all(Object.values(sockets).map((socket) => socket.untilTick(n)))
  return Object.fromEntries(Object.entries(sockets).map(([name, socket]) => [name, socket.heardBesidesTicks()])) as Record<keyof typeof sockets, unknown[]>
}

describe('invalidation pushes reach only connections that could call the target', () => {
  it('never sends an input-scoped invalidation of an auth: true target to an anonymous socket, nor back to the caller', async () => {
    const heard = await heardAfter(() => sockets.alice.call('send', { peer: 'alice@example.com' }))
    const entry = { path: 'inbox', input: { peer: 'alice@example.com' } }
    expect(heard.anon).toEqual([])
    expect(heard.alice).toEqual([]) // its own reply carried the set
    expect(heard.aliceTab2).toEqual([entry])
    expect(heard.bob).toEqual([entry])
    expect(heard.sam).toEqual([entry])
    expect(heard.root).toEqual([entry])
  })

  it('sends a role target only to users with the role (or superuser)', async () => {
    const heard = await heardAfter(() => sockets.sam.call('moderate'))
    expect(heard.sam).toEqual([]) // the caller
    expect(heard.root).toEqual([{ path: 'admin.audit' }])
    for (const who of ['anon', 'alice', 'aliceTab2', 'bob', 'ann'] as const) expect(heard[who]).toEqual([])
  })

  it('sends a target guarded by an async predicate only to connections that pass it', async () => {
    const heard = await heardAfter(() => sockets.ann.call('audit'))
    expect(heard.ann).toEqual([])
    expect(heard.root).toEqual([{ path: 'admin.reports' }]) // an auditor too; superuser alone would not pass a predicate
    for (const who of ['anon', 'alice', 'aliceTab2', 'bob', 'sam'] as const) expect(heard[who]).toEqual([])
    const second = await openSocket(app.port, 'ann')
    try {
      const again = await heardAfter(() => sockets.ann.call('audit'))
      expect(again.ann).toEqual([])
      await second.untilTick(ticks)
      expect(second.heardBesidesTicks()).toEqual([{ path: 'admin.reports' }])
    } finally {
      second.close()
    }
  })

  it('sends a user-scoped target only to the same principal’s other connections', async () => {
    const heard = await heardAfter(() => sockets.alice.call('touchMail'))
    expect(heard.aliceTab2).toEqual([{ path: 'mail.list' }])
    for (const who of ['anon', 'alice', 'bob', 'sam', 'root', 'ann'] as const) expect(heard[who]).toEqual([])
  })

  it('sends a sub-router to whoever may call something under it, once each', async () => {
    // admin: audit (staff) and reports (auditor predicate); root passes both rules, and hears it once.
    const admin = await heardAfter(() => sockets.sam.call('touchAdmin'))
    expect(sockets.root.pushes.filter((frame) => frame.some((entry) => entry.path === 'admin'))).toHaveLength(1)
    expect(admin.root).toEqual([{ path: 'admin' }])
    expect(admin.ann).toEqual([{ path: 'admin' }])
    for (const who of ['anon', 'alice', 'aliceTab2', 'bob'] as const) expect(admin[who]).toEqual([])
    // posts: one public procedure makes the whole prefix public.
    const posts = await heardAfter(() => sockets.alice.call('touchPosts'))
    for (const who of ['anon', 'aliceTab2', 'bob', 'sam', 'root', 'ann'] as const) expect(posts[who]).toEqual([{ path: 'posts' }])
    expect(posts.alice).toEqual([])
  })
})

describe('a connection whose rules are still being checked', () => {
  it('hears no push until they are settled, and gets its hello only then', async () => {
    const m = initMizan<{ user: string | null }>()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let held = false
    const router = m.router({
      // An async rule that takes its time for one user only (as a database lookup might).
      secret: m.query({
        auth: async (ctx) => {
          if (ctx.user === 'slow') {
            held = true
            await gate
          }
          return ctx.user === 'slow'
        },
      }, () => 1),
      reveal: m.mutation({ websocket: true, affects: ['secret'] }, () => {}),
      tick: m.mutation({ websocket: true, input: z.object({ n: z.number() }) }, ({ input, invalidate }) => invalidate('secret', input)),
    })
    const server = createMizanServer({
      router,
      createContext: ({ req }) => ({ user: new URL(req.url, 'http://x').searchParams.get('as') }),
      onError: () => {},
    })
    const { port } = await server.listen(0, '127.0.0.1')
    const caller = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
    const slow = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws?as=slow`)
    try {
      const answers: string[] = []
      caller.on('message', (data) => answers.push(JSON.parse(String(data)).type))
      const frames: { type: string; invalidate?: { path: string; input?: unknown }[] }[] = []
      slow.on('message', (data) => frames.push(JSON.parse(String(data))))
      await until(() => held && answers.includes('hello'))
      // Pushed while the slow socket's rule is unsettled: it cannot prove it may hear it.
      caller.send(JSON.stringify({ type: 'call', id: '1', path: 'reveal' }))
      await until(() => answers.includes('result'))
      expect(frames).toEqual([])
      release()
      await until(() => frames.length > 0)
      expect(frames[0]!.type).toBe('hello')
      caller.send(JSON.stringify({ type: 'call', id: '2', path: 'tick', input: { n: 1 } }))
      await until(() => frames.some((frame) => frame.type === 'invalidate'))
      expect(frames.filter((frame) => frame.type === 'invalidate')).toEqual([{ type: 'invalidate', invalidate: [{ path: 'secret', input: { n: 1 } }], eid: expect.any(String) }])
    } finally {
      caller.close()
      slow.close()
      await server.close()
    }
  })
})

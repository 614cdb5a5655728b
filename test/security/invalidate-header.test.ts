import { createMizanServer, initMizan } from '@mizan/server'
import { createClient } from '@mizan/client'
import { request } from 'node:http'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

const m = initMizan()
const router = m.router({
  inbox: m.query({ input: z.object({ peer: z.string() }) }, ({ input }) => input.peer),
  threads: m.router({ list: m.query(() => []), byId: m.query({ input: z.object({ id: z.string() }) }, () => null) }),
  // A write whose invalidations name inputs far larger than any header can hold.
  archive: m.mutation({ input: z.object({ peers: z.array(z.string()) }) }, ({ input, invalidate }) => {
    for (const peer of input.peers) invalidate('inbox', { peer })
    invalidate('threads.byId', { id: 'x'.repeat(20_000) })
    return { archived: input.peers.length }
  }),
  small: m.mutation(({ invalidate }) => invalidate('inbox', { peer: 'ada' })),
})

let server: ReturnType<typeof createMizanServer<typeof router>>
let url: string
let port: number
beforeAll(async () => {
  server = createMizanServer({ router })
  ;({ url, port } = await server.listen(0, '127.0.0.1'))
})
afterAll(() => server.close())

const peers = Array.from({ length: 50 }, (_, i) => `peer-${i}@example.com`)

/** A POST with Node's own HTTP client, which refuses responses whose headers pass 16 KiB. */
function nodePost(path: string, body: unknown): Promise<{ status: number; header: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, header: res.headers['x-mizan-invalidate'] as string | undefined, body: text }))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

describe('an invalidation header too large for HTTP clients degrades to path-level entries', () => {
  it("Node's HTTP client reads the answer of a write that invalidated 20 KB of inputs", async () => {
    const res = await nodePost('archive', { input: { peers } })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ data: { archived: 50 } })
    expect(res.header!.length).toBeLessThanOrEqual(8 * 1024)
    expect(JSON.parse(res.header!)).toEqual([{ path: 'inbox' }, { path: 'threads.byId' }])
  })

  it('the typed client (fetch) gets the result and the coarser invalidations', async () => {
    const client = createClient<typeof router>({ url })
    const heard: unknown[] = []
    client.$on('invalidate', (targets) => heard.push(targets))
    expect(await client.archive.mutate({ peers })).toEqual({ archived: 50 })
    expect(heard).toEqual([[{ path: 'inbox' }, { path: 'threads.byId' }]])
  })

  it('a header that fits keeps its inputs', async () => {
    const res = await nodePost('small', {})
    expect(JSON.parse(res.header!)).toEqual([{ path: 'inbox', input: { peer: 'ada' } }])
  })
})

describe('a push frame too large for a socket degrades the same way', () => {
  it('another tab hears the path-level entries of a write whose inputs pass 64 KiB', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
    const frames: { type: string; invalidate?: unknown; text: string }[] = []
    const heard = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const text = String(data)
        frames.push({ ...(JSON.parse(text) as { type: string }), text })
        if (frames.at(-1)!.type === 'invalidate') resolve()
      }),
    )
    await new Promise<void>((resolve) => ws.on('message', function hello(data) {
      if ((JSON.parse(String(data)) as { type: string }).type === 'hello') (ws.off('message', hello), resolve())
    }))
    const many = Array.from({ length: 100 }, (_, i) => `${i}-${'p'.repeat(1000)}`)
    expect((await nodePost('archive', { input: { peers: many } })).status).toBe(200)
    await heard
    const push = frames.find((frame) => frame.type === 'invalidate')!
    expect(push.text.length).toBeLessThanOrEqual(64 * 1024 + 40)
    expect(push.invalidate).toEqual([{ path: 'inbox' }, { path: 'threads.byId' }])
    ws.close()
  })
})

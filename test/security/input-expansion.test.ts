import { createMizanServer, initMizan } from '@mizan/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { z } from 'zod'

// superjson's `referentialEqualities` say "this path is the same object as that one". Honoured,
// ~2 KB describe a value with 2^levels paths, which validation, cache keys and serializers then walk.
const LEVELS = 30

/** `{ a: { a: …, b: 0 }, b: 0 }` with meta saying every `b` is its sibling `a`: 2^LEVELS paths once expanded. */
function doubling(levels: number) {
  let json: Record<string, unknown> = { a: 0, b: 0 }
  for (let i = 1; i < levels; i++) json = { a: json, b: 0 }
  const referentialEqualities: Record<string, string[]> = {}
  for (let i = 0; i < levels; i++) {
    const above = Array.from({ length: i }, () => 'a')
    referentialEqualities[[...above, 'a'].join('.')] = [[...above, 'b'].join('.')]
  }
  return { json, meta: { referentialEqualities } }
}

/** The same request making the root its own child: a cycle. */
const cyclic = { json: { a: { x: 1 } }, meta: { referentialEqualities: [['a']] } }

const m = initMizan()
const router = m.router({
  echo: m.query({ input: z.unknown(), cache: { ttl: 60, scope: 'public' }, websocket: true }, ({ input }) => input),
  store: m.mutation({ input: z.unknown(), websocket: true }, ({ input }) => ({ kept: input })),
  health: m.query(() => 'ok'),
})

let server: ReturnType<typeof createMizanServer<typeof router>>
let url: string
let port: number
beforeAll(async () => {
  server = createMizanServer({ router, limits: { maxInputNodes: 1000 }, onError: () => {} })
  ;({ url, port } = await server.listen(0, '127.0.0.1'))
})
afterAll(() => server.close())

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value))
const post = (path: string, body: unknown) => fetch(`${url}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** Depth of the first chain of `b`s: 1 when `b` is the plain 0 that was sent, LEVELS when references were expanded. */
function bDepth(value: unknown): number {
  let depth = 0
  let node = value as { b?: unknown } | undefined
  while (typeof node === 'object' && node !== null) {
    depth++
    node = node.b as typeof node
  }
  return depth
}

describe('a small request never describes a huge value', () => {
  it('a GET of a cached query ignores reference sharing: the input stays the tree that was sent', async () => {
    const { json, meta } = doubling(LEVELS)
    expect(JSON.stringify({ json, meta }).length).toBeLessThan(3000)
    const res = await fetch(`${url}/echo?input=${q(json)}&meta=${q(meta)}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { data: unknown }
    expect(bDepth(body.data)).toBe(1)
    expect(body.data).toEqual(json)
  })

  it('a POST (single and batched) ignores it too', async () => {
    const { json, meta } = doubling(LEVELS)
    const single = await post('store', { input: json, meta })
    expect(single.status).toBe(200)
    expect(((await single.json()) as { data: { kept: unknown } }).data.kept).toEqual(json)
    const batch = await post('store,echo?batch=1', [{ input: json, meta }, { input: json, meta }])
    expect(batch.status).toBe(200)
    expect(((await batch.json()) as { data?: unknown }[]).map((result) => result.data)).toEqual([{ kept: json }, json])
  })

  it('a WebSocket call ignores it too', async () => {
    const { json, meta } = doubling(LEVELS)
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
    const frames: Record<string, unknown>[] = []
    const result = new Promise<Record<string, unknown>>((resolve) =>
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>
        frames.push(frame)
        if (frame.type === 'result') resolve(frame)
      }),
    )
    await new Promise((resolve) => ws.once('open', resolve))
    ws.send(JSON.stringify({ type: 'call', id: '1', path: 'store', input: json, meta }))
    expect(((await result).result as { data: { kept: unknown } }).data.kept).toEqual(json)
    ws.close()
  })

  it('a reference that would make the input a cycle is refused with a clear 400', async () => {
    for (const meta of [cyclic.meta, { referentialEqualities: { a: ['a.x'] } }, { referentialEqualities: { 'a.x': ['a'] } }]) {
      const res = await fetch(`${url}/echo?input=${q(cyclic.json)}&meta=${q(meta)}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ message: 'An input cannot contain itself (a circular reference)' })
    }
  })

  it('more values than maxInputNodes → 400 naming the limit, in a query string, a body, a batch and a frame', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => i)
    const expected = { code: 'BAD_REQUEST', message: 'Input holds more than 1000 values' }
    const viaGet = await fetch(`${url}/echo?input=${q(many)}`)
    expect(viaGet.status).toBe(400)
    expect(((await viaGet.json()) as { error: unknown }).error).toMatchObject(expected)
    expect((await post('store', { input: many })).status).toBe(400)
    expect((await post('store,store?batch=1', [{ input: many.slice(0, 600) }, { input: many.slice(0, 600) }])).status).toBe(400)
    expect((await fetch(`${url}/echo?input=${q(many.slice(0, 900))}`)).status).toBe(200)
  })

  it('keeps answering after all of the above', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ data: 'ok' })
  })
})

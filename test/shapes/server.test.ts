import { createCaller, createMizanServer, initMizan, memoryCache, MizanError } from '@mizan/server'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>({ transformer: 'json' })

const Author = z.object({ id: z.string(), name: z.string(), email: z.string() })
const Post = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  author: Author.nullable(),
  tags: z.array(z.object({ label: z.string(), weight: z.number() })),
})
type PostValue = z.output<typeof Post>

/** What the handlers read, and what they were asked for: a test looks at both. */
const db = {
  posts: [
    { id: '1', title: 'First', body: 'secret body 1', author: { id: 'a', name: 'Ann', email: 'ann@example.com' }, tags: [{ label: 'x', weight: 1 }] },
    { id: '2', title: 'Second', body: 'secret body 2', author: null, tags: [] },
  ] as PostValue[],
  runs: 0,
  shapes: [] as unknown[],
}

const router = m.router({
  posts: m.router({
    // Ignores `shape` on purpose: the server still cuts the answer.
    list: m.query(
      {
        input: z.object({ page: z.number().default(1) }).optional(),
        output: z.array(Post),
        shapes: { card: { id: true, title: true, author: { name: true } } },
        websocket: true,
      },
      ({ shape }) => {
        db.shapes.push(shape)
        return db.posts
      },
    ),
    teasers: m.query({ output: z.array(Post), shapes: { teaser: { id: true, title: true } }, shape: 'named' }, () => db.posts),
    cached: m.query({ input: z.object({ id: z.string() }), output: Post, cache: { ttl: 60, scope: 'public' } }, ({ input }) => {
      db.runs++
      return db.posts.find((post) => post.id === input.id) ?? db.posts[0]!
    }),
    rename: m.mutation({ input: z.object({ id: z.string(), title: z.string() }), affects: ['posts.cached'] }, ({ input }) => {
      const post = db.posts.find((p) => p.id === input.id)!
      post.title = input.title
      return { ok: true }
    }),
    count: m.query({ output: z.number() }, () => db.posts.length),
    untyped: m.query(() => db.posts),
  }),
})

let server: ReturnType<typeof createMizanServer<typeof router>>
let url: string
let port: number
const reported: unknown[] = []
beforeAll(async () => {
  server = createMizanServer({ router, createContext: () => ({ user: null }), cache: memoryCache(), onError: ({ error }) => reported.push(error) })
  ;({ port } = await server.listen(0, '127.0.0.1'))
  url = `http://127.0.0.1:${port}/api/mizan`
})
afterAll(() => server.close())
beforeEach(() => {
  db.shapes.length = 0
})

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value))
const json = { 'content-type': 'application/json' }
async function get(path: string, params: Record<string, unknown>) {
  const query = Object.entries(params).map(([key, value]) => `${key}=${typeof value === 'string' && key === 'raw' ? value : q(value)}`)
  const res = await fetch(`${url}/${path}${query.length === 0 ? '' : '?' + query.join('&')}`)
  return { status: res.status, body: (await res.json()) as { data?: unknown; error?: { code: string; message: string } } }
}

describe('shaped calls over HTTP', () => {
  it('projects nested objects and arrays, and the handler receives the selection', async () => {
    const { status, body } = await get('posts.list', { input: { page: 1 }, shape: { id: true, author: { name: true }, tags: { label: true } } })
    expect(status).toBe(200)
    expect(body.data).toEqual([
      { id: '1', author: { name: 'Ann' }, tags: [{ label: 'x' }] },
      { id: '2', author: null, tags: [] },
    ])
    expect(db.shapes).toEqual([{ author: { name: true }, id: true, tags: { label: true } }])
  })

  it('resolves a named shape, and a handler that ignores it never leaks a field', async () => {
    const { body } = await get('posts.list', { shape: 'card' })
    expect(body.data).toEqual([
      { id: '1', title: 'First', author: { name: 'Ann' } },
      { id: '2', title: 'Second', author: null },
    ])
    expect(JSON.stringify(body)).not.toMatch(/secret|example\.com/)
    expect(db.shapes).toEqual([{ author: { name: true }, id: true, title: true }])
  })

  it('leaves an unshaped call as it was: the whole output, shape undefined', async () => {
    const { body } = await get('posts.list', {})
    expect(body.data).toEqual(db.posts)
    expect(db.shapes).toEqual([undefined])
  })

  it('takes the shape in a POST body', async () => {
    const res = await fetch(`${url}/posts.list`, { method: 'POST', headers: json, body: JSON.stringify({ input: { page: 2 }, shape: { title: true } }) })
    expect(await res.json()).toEqual({ data: [{ title: 'First' }, { title: 'Second' }] })
  })

  it('refuses a free selection on a named-only query, and an unknown name, with 400 and a message', async () => {
    expect(await get('posts.teasers', { shape: { id: true } })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: '"posts.teasers" takes only its named shapes ("teaser"), not a selection of fields' } } })
    expect(await get('posts.teasers', { shape: 'cards' })).toMatchObject({ status: 400, body: { error: { message: '"posts.teasers" has no shape named "cards" (named shapes: "teaser")' } } })
    expect((await get('posts.teasers', { shape: 'teaser' })).body.data).toEqual([{ id: '1', title: 'First' }, { id: '2', title: 'Second' }])
  })

  it('refuses unknown fields, empty selections and bad values with 400 naming the field path', async () => {
    expect(await get('posts.list', { shape: { id: true, author: { password: true } } })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: 'The shape names "author.password", which is not a field of the output' } } })
    expect((await get('posts.list', { shape: { author: {} } })).body.error?.message).toMatch(/selects no field of "author"/)
    expect((await get('posts.list', { shape: { title: { x: true } } })).body.error?.message).toMatch(/"title" holds no object/)
    for (const shape of [null, 1, false, [], ['id'], { id: false }]) expect((await get('posts.list', { shape })).status).toBe(400)
    expect(db.shapes).toEqual([])
  })

  it('refuses a shape where none can be: a query without an output of objects, a mutation', async () => {
    expect((await get('posts.count', { shape: { id: true } })).body.error?.message).toBe('"posts.count" takes no shape: it has no output schema of objects')
    expect((await get('posts.untyped', { shape: { id: true } })).status).toBe(400)
    const res = await fetch(`${url}/posts.rename`, { method: 'POST', headers: json, body: JSON.stringify({ input: { id: '1', title: 'First' }, shape: { ok: true } }) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/takes no shape \(a mutation/)
  })

  it('refuses a malformed shape parameter with 400', async () => {
    const res = await fetch(`${url}/posts.list?shape=%7Bid`)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: 'Malformed JSON in shape' } })
  })

  it('mixes shaped and unshaped calls in a batch; a bad shape fails its entry only', async () => {
    const envelopes = [{ shape: 'card' }, {}, { shape: { nope: true } }, { input: { page: 1 }, shape: { id: true } }]
    const res = await fetch(`${url}/posts.list,posts.list,posts.list,posts.list?batch=1&input=${q(envelopes)}`)
    expect(res.status).toBe(200)
    const results = (await res.json()) as { data?: unknown; error?: { code: string } }[]
    expect(results[0]!.data).toEqual([{ id: '1', title: 'First', author: { name: 'Ann' } }, { id: '2', title: 'Second', author: null }])
    expect(results[1]!.data).toEqual(db.posts)
    expect(results[2]!.error?.code).toBe('BAD_REQUEST')
    expect(results[3]!.data).toEqual([{ id: '1' }, { id: '2' }])
    const posted = await fetch(`${url}/posts.list,posts.teasers`, { method: 'POST', headers: json, body: JSON.stringify([{ shape: { title: true } }, { shape: 'teaser' }]) })
    expect(await posted.json()).toEqual([{ data: [{ title: 'First' }, { title: 'Second' }] }, { data: [{ id: '1', title: 'First' }, { id: '2', title: 'Second' }] }])
  })

  it('answers arbitrary JSON as a shape with 200 or 400, never a server error', async () => {
    const before = reported.length
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 5 }), fc.dictionary(fc.constantFrom('id', 'title', 'author', 'tags', 'name', 'label', 'x', '__proto__'), fc.jsonValue({ maxDepth: 3 }))), async (shape) => {
        const res = await fetch(`${url}/posts.list?shape=${q(shape)}`)
        expect([200, 400]).toContain(res.status)
        const text = await res.text()
        expect(text).not.toMatch(/at .*\.(ts|js):\d+|node_modules/)
      }),
      { numRuns: 150 },
    )
    expect(reported.slice(before).filter((error) => !(error instanceof MizanError) || error.status >= 500)).toEqual([])
  })
})

describe('shapes and the origin cache', () => {
  it('keeps each shape\'s entry apart, and an invalidation reaches every shape', async () => {
    await server.bumpCacheRevision()
    db.runs = 0
    const whole = await get('posts.cached', { input: { id: '1' } })
    const titled = await get('posts.cached', { input: { id: '1' }, shape: { title: true } })
    const ided = await get('posts.cached', { input: { id: '1' }, shape: { id: true } })
    expect(whole.body.data).toMatchObject({ id: '1', title: 'First', body: 'secret body 1' })
    expect(titled.body.data).toEqual({ title: 'First' })
    expect(ided.body.data).toEqual({ id: '1' })
    expect(db.runs).toBe(3)
    // Hits, each from its own entry; key order does not matter.
    expect((await get('posts.cached', { input: { id: '1' }, shape: { title: true } })).body.data).toEqual({ title: 'First' })
    expect((await get('posts.cached', { input: { id: '1' } })).body.data).toMatchObject({ body: 'secret body 1' })
    expect((await get('posts.cached', { input: { id: '1' }, shape: { title: true, id: true } })).body.data).toEqual({ id: '1', title: 'First' })
    expect((await get('posts.cached', { input: { id: '1' }, shape: { id: true, title: true } })).body.data).toEqual({ id: '1', title: 'First' })
    expect(db.runs).toBe(4)
    const renamed = await fetch(`${url}/posts.rename`, { method: 'POST', headers: json, body: JSON.stringify({ input: { id: '1', title: 'Renamed' } }) })
    expect(renamed.status).toBe(200)
    expect((await get('posts.cached', { input: { id: '1' }, shape: { title: true } })).body.data).toEqual({ title: 'Renamed' })
    expect((await get('posts.cached', { input: { id: '1' } })).body.data).toMatchObject({ title: 'Renamed' })
    expect((await get('posts.cached', { input: { id: '1' }, shape: { id: true, title: true } })).body.data).toEqual({ id: '1', title: 'Renamed' })
    expect(db.runs).toBe(7)
    db.posts[0]!.title = 'First'
  })
})

describe('shaped calls over WebSocket', () => {
  it('takes the shape in the call frame', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
    const frames: { type: string; id?: string; result?: unknown; error?: { code: string; message: string } }[] = []
    let notify = () => {}
    ws.on('message', (data) => {
      frames.push(JSON.parse(String(data)))
      notify()
    })
    const next = (done: () => boolean) => new Promise<void>((resolve) => {
      notify = () => done() && resolve()
      notify()
    })
    await next(() => frames.some((frame) => frame.type === 'hello'))
    ws.send(JSON.stringify({ type: 'call', id: 'a', path: 'posts.list', input: { page: 1 }, shape: { id: true, author: { email: true } } }))
    ws.send(JSON.stringify({ type: 'call', id: 'b', path: 'posts.list', shape: 'card' }))
    ws.send(JSON.stringify({ type: 'call', id: 'c', path: 'posts.list', shape: { body: {} } }))
    await next(() => ['a', 'b', 'c'].every((id) => frames.some((frame) => frame.id === id)))
    ws.close()
    const byId = (id: string) => frames.find((frame) => frame.id === id)!
    expect(byId('a').result).toEqual({ data: [{ id: '1', author: { email: 'ann@example.com' } }, { id: '2', author: null }] })
    expect(byId('b').result).toEqual({ data: [{ id: '1', title: 'First', author: { name: 'Ann' } }, { id: '2', title: 'Second', author: null }] })
    expect(byId('c').result).toMatchObject({ error: { code: 'BAD_REQUEST', message: 'The shape\'s "body" holds no object to select fields of: select it with true' } })
  })
})

describe('shaped calls in process', () => {
  it('createCaller and server.createCaller take { shape } and return the projection', async () => {
    const caller = createCaller(router, { user: null })
    expect(await caller.posts.list(undefined, { shape: { title: true } })).toEqual([{ title: 'First' }, { title: 'Second' }])
    expect(await caller.posts.teasers(undefined, { shape: 'teaser' })).toEqual([{ id: '1', title: 'First' }, { id: '2', title: 'Second' }])
    await expect(caller.posts.teasers(undefined, { shape: { id: true } } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    const served = server.createCaller({ user: null })
    expect(await served.posts.cached({ id: '2' }, { shape: { author: { name: true } } })).toEqual({ author: null })
    expect(await served.posts.list()).toEqual(db.posts)
  })
})

describe('the manifest', () => {
  it('lists the shapes a query takes: its names and whether free selections are taken', async () => {
    const manifest = (await (await fetch(`${url}/_manifest`)).json()) as { procedures: Record<string, { shapes?: unknown }> }
    expect(manifest.procedures['posts.list']!.shapes).toEqual({ names: ['card'], free: true })
    expect(manifest.procedures['posts.teasers']!.shapes).toEqual({ names: ['teaser'], free: false })
    expect(manifest.procedures['posts.cached']!.shapes).toEqual({ names: [], free: true })
    for (const path of ['posts.count', 'posts.untyped', 'posts.rename']) expect(manifest.procedures[path]).not.toHaveProperty('shapes')
  })
})

describe('hostile shapes over WebSocket', () => {
  it('answers every call frame with a result or a 400, never a server error', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/mizan/_ws`)
    const frames = new Map<string, { result?: unknown; error?: { code: string } }>()
    let notify = () => {}
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id?: string; result?: unknown; error?: { code: string } }
      if (frame.id !== undefined) frames.set(frame.id, frame)
      notify()
    })
    await new Promise<void>((resolve) => ws.once('message', () => resolve()))
    const before = reported.length
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.constantFrom('id', 'author', 'tags', 'name', 'label'), fc.jsonValue({ maxDepth: 2 }))), async (shape) => {
        const id = String(n++)
        ws.send(JSON.stringify({ type: 'call', id, path: 'posts.list', shape }))
        await new Promise<void>((resolve) => {
          notify = () => frames.has(id) && resolve()
          notify()
        })
        const frame = frames.get(id)!
        const result = frame.result as { data?: unknown; error?: { code: string } }
        if (result.error !== undefined) expect(result.error.code).toBe('BAD_REQUEST')
        else expect(Array.isArray(result.data)).toBe(true)
      }),
      { numRuns: 100 },
    )
    ws.close()
    expect(reported.slice(before).filter((error) => !(error instanceof MizanError) || error.status >= 500)).toEqual([])
    // A hundred round trips: well under a second alone, but a loaded CI machine may take longer.
  }, 30_000)
})

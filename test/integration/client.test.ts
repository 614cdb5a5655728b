import { isMizanError, MizanClientError, type ClientInvalidation } from '@mizan/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deferred, gates, startApp } from './app.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())

describe('calls over real HTTP', () => {
  it('infers and returns query results, with superjson types intact', async () => {
    const client = app.client()
    expect(await client.greeting.query({ name: 'Ada' })).toBe('hi Ada')
    const page = await client.posts.list.query({})
    expect(page.page).toBe(1)
    expect(page.items[0]!.at).toBeInstanceOf(Date)
    expect(page.items[0]!.at.toISOString()).toBe('2026-01-01T00:00:00.000Z')
  })

  it('round-trips Date, Map, Set, BigInt and undefined in inputs and outputs', async () => {
    const value = { at: new Date(5), map: new Map([['k', 1n]]), set: new Set([1, 2]), missing: undefined, nested: [{ d: new Date(7) }] }
    const echoed = (await app.client().echo.query(value)) as typeof value
    expect(echoed).toEqual(value)
    expect('missing' in echoed).toBe(true)
    expect(echoed.map.get('k')).toBe(1n)
  })

  it('returns undefined from a procedure that returns nothing', async () => {
    expect(await app.client().nothing.mutate()).toBeUndefined()
  })

  it('sends queries as GET and mutations as POST', async () => {
    const client = app.client('alice', { batch: false })
    app.requests.length = 0
    await client.greeting.query({ name: 'a' })
    await client.posts.create.mutate({ title: 'by alice' })
    expect(app.requests.map((r) => r.method)).toEqual(['GET', 'POST'])
  })

  it('runs middleware that extends the context', async () => {
    expect(await app.client().traced.query()).toBe('trace:traced')
  })
})

describe('batching', () => {
  it('sends the calls of one tick in one request per kind, each settled from its own entry', async () => {
    const client = app.client('alice')
    app.requests.length = 0
    const [a, b, missing, c] = await Promise.allSettled([
      client.greeting.query({ name: 'a' }),
      client.posts.byId.query({ id: '1' }),
      client.posts.byId.query({ id: 'nope' }),
      client.posts.create.mutate({ title: 'batched' }),
    ])
    expect(app.requests).toHaveLength(2)
    expect(app.requests[0]!.method).toBe('GET')
    expect(app.requests[0]!.url).toContain('/greeting,posts.byId,posts.byId?')
    expect(app.requests[1]!.method).toBe('POST')
    expect(a).toEqual({ status: 'fulfilled', value: 'hi a' })
    expect(b.status === 'fulfilled' && b.value.title).toBe('First')
    expect(missing.status === 'rejected' && isMizanError(missing.reason, 'NOT_FOUND')).toBe(true)
    expect(c.status).toBe('fulfilled')
  })

  it('splits batches by maxBatchSize', async () => {
    const client = app.client(undefined, { maxBatchSize: 2 })
    app.requests.length = 0
    const names = ['a', 'b', 'c', 'd', 'e']
    expect(await Promise.all(names.map((name) => client.greeting.query({ name })))).toEqual(names.map((n) => `hi ${n}`))
    expect(app.requests).toHaveLength(3)
  })

  it('splits batches by maxURLLength and sends a query too long for any URL by POST', async () => {
    const client = app.client(undefined, { maxURLLength: 300 })
    app.requests.length = 0
    const long = 'x'.repeat(120)
    const results = await Promise.all([client.greeting.query({ name: long }), client.greeting.query({ name: long }), client.greeting.query({ name: 'y'.repeat(400) })])
    expect(results).toEqual([`hi ${long}`, `hi ${long}`, `hi ${'y'.repeat(400)}`])
    expect(app.requests.every((r) => r.url.length <= 300)).toBe(true)
    expect(app.requests.map((r) => r.method).sort()).toEqual(['GET', 'GET', 'POST'])
  })
})

describe('invalidation', () => {
  it('announces a mutation’s declared and dynamic invalidations, before the call resolves', async () => {
    const client = app.client('alice', { batch: false })
    const seen: { targets: ClientInvalidation[]; path: string }[] = []
    const off = client.$on('invalidate', (targets, source) => seen.push({ targets, path: source.path }))
    const post = await client.posts.create.mutate({ title: 'new' })
    expect(seen).toEqual([{ path: 'posts.create', targets: [{ path: 'posts.list' }, { path: 'posts.byId', input: { id: post.id } }] }])
    off()
  })

  it('announces each mutation’s own invalidations inside a batch', async () => {
    const client = app.client('sam')
    const seen: { targets: ClientInvalidation[]; path: string }[] = []
    const off = client.$on('invalidate', (targets, source) => seen.push({ targets, path: source.path }))
    app.requests.length = 0
    const created = await Promise.all([client.posts.create.mutate({ title: 'one' }), client.posts.remove.mutate({ id: '1' })])
    expect(app.requests).toHaveLength(1)
    expect(seen).toHaveLength(2)
    expect(seen.find((s) => s.path === 'posts.create')!.targets).toEqual([{ path: 'posts.list' }, { path: 'posts.byId', input: { id: created[0].id } }])
    expect(seen.find((s) => s.path === 'posts.remove')!.targets).toEqual([{ path: 'posts' }])
    off()
  })

  it('invalidates nothing on a 4xx, except what the handler added before failing', async () => {
    const client = app.client(undefined, { batch: false })
    const seen: ClientInvalidation[][] = []
    const off = client.$on('invalidate', (targets) => seen.push(targets))
    await expect(client.posts.create.mutate({ title: 'anon' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    expect(seen).toEqual([])
    await expect(client.posts.failAfterInvalidate.mutate()).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(seen).toEqual([[{ path: 'posts.byId', input: { id: '1' } }]])
    off()
  })

  it('exposes the invalidation header to cross-origin readers', async () => {
    const cors = await startApp({ cors: { origin: ['http://app.example'] } })
    const res = await fetch(`${cors.url}/posts.create`, {
      method: 'POST',
      headers: { origin: 'http://app.example', 'content-type': 'application/json', authorization: 'Bearer alice' },
      body: JSON.stringify({ input: { title: 'x' } }),
    })
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example')
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-mizan-invalidate')
    expect(JSON.parse(res.headers.get('x-mizan-invalidate')!)).toContainEqual({ path: 'posts.list' })
    const preflight = await fetch(`${cors.url}/posts.create`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, authorization')
    expect(preflight.headers.get('vary')).toBe('Access-Control-Request-Headers, Origin')
    const stranger = await fetch(`${cors.url}/greeting?input=${encodeURIComponent('{"name":"x"}')}`, { headers: { origin: 'http://evil.example' } })
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull()
    expect(stranger.headers.get('vary')).toBe('Origin')
    await cors.server.close()
  })
})

describe('auth', () => {
  it('answers 401 without a user and 403 without the role; superuser passes every role', async () => {
    await expect(app.client().posts.remove.mutate({ id: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    await expect(app.client('alice').posts.remove.mutate({ id: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 })
    await expect(app.client('sam').posts.remove.mutate({ id: 'x' })).resolves.toBe(true)
    await expect(app.client('root').posts.remove.mutate({ id: 'x' })).resolves.toBe(true)
  })

  it('runs predicate rules against the context', async () => {
    await expect(app.client().admin.stats.query()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await expect(app.client('alice').admin.stats.query()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(app.client('root').admin.stats.query()).resolves.toEqual({ users: 3 })
  })
})

describe('errors', () => {
  it('delivers validation failures with field errors', async () => {
    const error = await app.client('alice').posts.create.mutate({ title: '' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MizanClientError)
    expect(isMizanError(error, 'BAD_REQUEST')).toBe(true)
    const e = error as MizanClientError
    expect(e.status).toBe(400)
    expect(e.fieldErrors?.title?.[0]).toMatch(/at least|>=1|too small/i)
    expect(e.data?.issues).toEqual([{ path: ['title'], message: expect.any(String) }])
  })

  it('keeps going when an invalidate listener throws', async () => {
    const client = app.client('alice', { batch: false })
    const errors: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void errors.push(args[1])
    const off = client.$on('invalidate', () => {
      throw new Error('listener bug')
    })
    try {
      expect((await client.posts.create.mutate({ title: 'still works' })).title).toBe('still works')
    } finally {
      console.error = original
      off()
    }
    expect(errors).toEqual([new Error('listener bug')])
  })

  it('rejects with the error of a headers function that throws, not as a network error', async () => {
    const client = app.client(undefined, {
      headers: () => {
        throw new Error('no token yet')
      },
    })
    await expect(client.greeting.query({ name: 'x' })).rejects.toThrow('no token yet')
  })

  it('reports an unreachable server as NETWORK_ERROR', async () => {
    const { createClient } = await import('@mizan/client')
    const client = createClient<typeof import('./app.js').appRouter>({ url: 'http://127.0.0.1:9/api/mizan' })
    await expect(client.greeting.query({ name: 'x' })).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 })
  })
})

describe('abort', () => {
  it('rejects an aborted call at once and drops it from its batch', async () => {
    const client = app.client()
    const controller = new AbortController()
    app.requests.length = 0
    const dropped = client.greeting.query({ name: 'gone' }, { signal: controller.signal })
    const kept = client.greeting.query({ name: 'kept' })
    controller.abort()
    await expect(dropped).rejects.toMatchObject({ name: 'AbortError' })
    expect(await kept).toBe('hi kept')
    expect(app.requests).toHaveLength(1)
    expect(app.requests[0]!.url).not.toContain('gone')
  })

  it('aborts the request once every call in it is aborted, and the handler sees its signal', async () => {
    gates.slow = deferred()
    gates.slowAborted = deferred()
    const client = app.client()
    const a = new AbortController()
    const b = new AbortController()
    app.requests.length = 0
    const first = client.slow.query(undefined, { signal: a.signal })
    const second = client.slow.query(undefined, { signal: b.signal })
    await waitFor(() => app.requests.length === 1)
    a.abort()
    await expect(first).rejects.toMatchObject({ name: 'AbortError' })
    b.abort()
    await expect(second).rejects.toMatchObject({ name: 'AbortError' })
    await gates.slowAborted.promise // the server saw the request go away and told the handler
    gates.slow.resolve()
  })
})

describe('in-process caller', () => {
  it('runs the same dispatch without HTTP', async () => {
    const caller = app.server.createCaller({ user: null, db: app.db })
    expect(await caller.greeting({ name: 'c' })).toBe('hi c')
    await expect(caller.posts.create({ title: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await expect(caller.greeting({ name: 1 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}

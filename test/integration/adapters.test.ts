import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '@mizan/client'
import { createMizanServer } from '@mizan/server'
import { describe, expect, it } from 'vitest'
import { appRouter, Db, deferred, gates, userFrom, type AppRouter } from './app.js'

const make = (extra: { basePath?: string; manifest?: boolean } = {}) => {
  const db = new Db()
  return createMizanServer({ router: appRouter, createContext: (opts) => ({ user: userFrom(opts), db }), onError: () => {}, ...extra })
}

describe('fetchHandler', () => {
  it('speaks the same protocol as the Node adapter, for the typed client', async () => {
    const server = make()
    const fetchThroughHandler: typeof fetch = (input, init) => server.fetchHandler(new Request(input, init))
    const client = createClient<AppRouter>({ url: 'http://edge.local/api/mizan', fetch: fetchThroughHandler, headers: { authorization: 'Bearer alice' } })
    const seen: string[] = []
    client.$on('invalidate', (targets) => seen.push(...targets.map((t) => t.path)))
    const [greeting, page, post] = await Promise.all([client.greeting.query({ name: 'edge' }), client.posts.list.query({ page: 1 }), client.posts.create.mutate({ title: 'edge post' })])
    expect(greeting).toBe('hi edge')
    expect(page.items[0]!.at).toBeInstanceOf(Date)
    expect(post.title).toBe('edge post')
    expect(seen).toEqual(['posts.list', 'posts.byId'])
    const single = await server.fetchHandler(new Request('http://edge.local/api/mizan/posts.create', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer alice' }, body: '{"input":{"title":"h"}}' }))
    expect(JSON.parse(single.headers.get('x-mizan-invalidate')!)[0]).toEqual({ path: 'posts.list' })
    expect(single.headers.get('cache-control')).toBe('no-store')
  })

  it('refuses bodies over the limit while streaming them', async () => {
    const server = createMizanServer({ router: appRouter, createContext: () => ({ user: null, db: new Db() }), limits: { maxBodySize: 100 } })
    const res = await server.fetchHandler(new Request('http://x/api/mizan/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'y'.repeat(200) }) }))
    expect(res.status).toBe(413)
  })
})

describe('nodeHandler', () => {
  it('mounts inside an existing node:http app and hands other paths to next()', async () => {
    const server = make()
    const http = createServer((req, res) =>
      server.nodeHandler(req, res, () => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('app page')
      }),
    )
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    expect(await (await fetch(`${base}/about`)).text()).toBe('app page')
    expect(await (await fetch(`${base}/api/mizanic`)).text()).toBe('app page')
    const client = createClient<AppRouter>({ url: `${base}/api/mizan` })
    expect(await client.greeting.query({ name: 'mounted' })).toBe('hi mounted')
    await new Promise((resolve) => http.close(resolve))
  })

  it('reads a body Express has already parsed', async () => {
    const server = make()
    const http = createServer((req, res) => {
      // What express.json() leaves behind: the stream consumed, the parsed body on req.body.
      let raw = ''
      req.on('data', (chunk) => (raw += chunk))
      req.on('end', () => {
        ;(req as { body?: unknown }).body = JSON.parse(raw)
        server.nodeHandler(req, res)
      })
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const client = createClient<AppRouter>({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/mizan`, headers: { authorization: 'Bearer alice' } })
    expect((await client.posts.create.mutate({ title: 'parsed' })).title).toBe('parsed')
    await new Promise((resolve) => http.close(resolve))
  })
})

describe('server', () => {
  it('reports a createContext failure to onError and answers 500', async () => {
    const seen: unknown[] = []
    const server = createMizanServer({
      router: appRouter,
      createContext: async () => {
        throw new Error('session store down')
      },
      onError: ({ error, path }) => void seen.push([path, (error as Error).message]),
    })
    const res = await server.fetchHandler(new Request('http://x/api/mizan/greeting?input=%7B%22name%22%3A%22a%22%7D'))
    expect(res.status).toBe(500)
    expect(seen).toEqual([['greeting', 'session store down']])
  })

  it('marks a query answered over POST no-store', async () => {
    const res = await make().fetchHandler(new Request('http://x/api/mizan/greeting', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":{"name":"p"}}' }))
    expect(await res.json()).toEqual({ data: 'hi p' })
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('serves a versioned, hashed manifest with every declaration', async () => {
    const server = make()
    const { url } = await server.listen(0, '127.0.0.1')
    const res = await fetch(`${url}/_manifest`)
    const manifest = await res.json()
    expect(manifest.version).toBe(1)
    expect(manifest.hash).toMatch(/^sha256-/)
    expect(manifest.procedures['posts.create']).toEqual({
      kind: 'mutation',
      methods: ['POST'],
      auth: { kind: 'user' },
      affects: ['posts.list'],
      context: null,
      cache: null,
      cacheControl: null,
      websocket: false,
      rateLimit: null,
      errors: [],
    })
    expect(manifest.procedures['posts.remove'].auth).toEqual({ kind: 'roles', roles: ['staff'] })
    expect(manifest.procedures['admin.stats'].auth).toEqual({ kind: 'predicate' })
    expect(manifest.procedures.currentUser.context).toBe('global')
    expect(manifest.routers).toEqual(['admin', 'broken', 'posts'])
    const again = await fetch(`${url}/_manifest`, { headers: { 'if-none-match': res.headers.get('etag')! } })
    expect(again.status).toBe(304)
    await server.close()
    const off = make({ manifest: false })
    expect((await off.fetchHandler(new Request('http://x/api/mizan/_manifest'))).status).toBe(404)
  })

  it('closes gracefully: a running request finishes, new connections are refused', async () => {
    gates.slow = deferred()
    gates.slowEntered = deferred()
    const server = make({ basePath: '/rpc' })
    const { url } = await server.listen(0, '127.0.0.1')
    expect(url).toMatch(/\/rpc$/)
    const running = fetch(`${url}/slow`)
    await gates.slowEntered.promise
    const closing = server.close()
    gates.slow.resolve()
    expect(await (await running).json()).toEqual({ data: 'done' })
    await closing
    await expect(fetch(`${url}/greeting?input=%7B%22name%22%3A%22x%22%7D`)).rejects.toThrow()
  })
})


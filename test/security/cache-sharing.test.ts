import { createMizanServer, initMizan, memoryCache, type CacheBackend } from '@mizan/server'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { deferred } from '../integration/app.js'

type User = { id: string; name: string; roles: string[] }
type Ctx = { user: User | null; visitor: string }

/** A memory cache that tells when its `n`-th read has happened: the caller making it has joined a running fill by then. */
function watchedCache(reads: number) {
  const backend = memoryCache()
  const reached = deferred()
  let count = 0
  const read = backend.read.bind(backend)
  const watched: CacheBackend = Object.assign(backend, {
    read: (key: string, names: readonly string[]) => {
      const result = read(key, names)
      if (++count === reads) reached.resolve()
      return result
    },
  })
  return { backend: watched, secondRead: reached.promise }
}

function app(backend: CacheBackend = memoryCache()) {
  const m = initMizan<Ctx>({ roles: (user) => user.roles })
  const gate = { latch: deferred(), entered: deferred(), runs: 0, signals: [] as AbortSignal[] }
  const router = m.router({
    report: m.query({ auth: 'admin', cache: { ttl: 60, scope: 'public' } }, () => ({ revenue: 42 })),
    headline: m.query({ cache: { ttl: 60, scope: 'public', swr: 30 } }, () => 'news'),
    slow: m.query({ input: z.object({ key: z.string() }), cache: { ttl: 60, scope: 'public' } }, async ({ input, ctx, signal }) => {
      gate.runs++
      gate.signals.push(signal)
      gate.entered.resolve()
      await Promise.race([gate.latch.promise, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))])
      return { key: input.key, visitor: ctx.visitor }
    }),
  })
  const server = createMizanServer({
    router,
    cache: backend,
    createContext: ({ req, resHeaders }) => {
      // A first visit gets a cookie, and an answer made for it alone.
      const first = req.headers.get('x-first-visit') === '1'
      if (first) resHeaders.append('set-cookie', 'visitor=new')
      const name = req.headers.get('authorization')?.slice(7)
      return { user: name ? { id: name, name, roles: name === 'ada' ? ['admin'] : [] } : null, visitor: first ? 'new' : 'returning' }
    },
    onError: () => {},
  })
  return { server, gate, caller: (ctx: Ctx = { user: null, visitor: 'returning' }) => server.createCaller(ctx) }
}

describe('cache headers never widen who sees data', () => {
  it('a public-scope query with auth answers private: a CDN cannot run the auth rule', async () => {
    const { server } = app()
    const res = await server.fetchHandler(new Request('http://x/api/mizan/report', { headers: { authorization: 'Bearer ada' } }))
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    const open = await server.fetchHandler(new Request('http://x/api/mizan/headline'))
    expect(open.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=30')
  })

  it('the manifest says which Cache-Control each cached query answers with', () => {
    const { server } = app()
    expect(server.manifest.procedures['report']!.cacheControl).toBe('private, no-cache')
    expect(server.manifest.procedures['headline']!.cacheControl).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=30')
    expect(server.manifest.procedures['slow']!.cacheControl).toBe('public, max-age=0, s-maxage=60')
  })
})

describe('single flight', () => {
  it('the first caller leaving does not fail the others waiting on the same fill', async () => {
    const { gate, caller } = app()
    const first = new AbortController()
    const leaving = caller().slow({ key: 'k' }, { signal: first.signal })
    await gate.entered.promise
    const staying = caller().slow({ key: 'k' }, { signal: new AbortController().signal })
    first.abort()
    gate.latch.resolve()
    expect(await staying).toEqual({ key: 'k', visitor: 'returning' })
    await leaving.catch(() => {})
    expect(gate.runs).toBe(1)
    expect(gate.signals[0]!.aborted).toBe(false)
  })

  it('the shared run aborts once every caller waiting on it has gone, and a later caller runs afresh', async () => {
    const { gate, caller } = app()
    const a = new AbortController()
    const b = new AbortController()
    const calls = [caller().slow({ key: 'k' }, { signal: a.signal }), caller().slow({ key: 'k' }, { signal: b.signal })].map((call) => call.catch((error: unknown) => error))
    await gate.entered.promise
    a.abort()
    expect(gate.signals[0]!.aborted).toBe(false)
    b.abort()
    expect(gate.signals[0]!.aborted).toBe(true)
    await Promise.all(calls)
    gate.latch.resolve()
    expect(await caller().slow({ key: 'k' })).toEqual({ key: 'k', visitor: 'returning' })
    expect(gate.runs).toBe(2)
  })

  it('a run that set a cookie is never handed to the callers that joined it: they run their own', async () => {
    const { backend, secondRead } = watchedCache(2)
    const { server, gate } = app(backend)
    const url = 'http://x/api/mizan/slow?input=%7B%22key%22%3A%22c%22%7D'
    const firstVisit = server.fetchHandler(new Request(url, { headers: { 'x-first-visit': '1' } }))
    await gate.entered.promise
    const joiner = server.fetchHandler(new Request(url))
    await secondRead
    gate.latch.resolve()
    const [own, joined] = await Promise.all([firstVisit, joiner])
    expect(own.headers.get('set-cookie')).toBe('visitor=new')
    expect(own.headers.get('cache-control')).toBe('private, no-store')
    expect(await own.json()).toEqual({ data: { key: 'c', visitor: 'new' } })
    expect(joined.headers.get('set-cookie')).toBeNull()
    expect(await joined.json()).toEqual({ data: { key: 'c', visitor: 'returning' } })
    expect(joined.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=60')
    expect(gate.runs).toBe(2)
  })
})

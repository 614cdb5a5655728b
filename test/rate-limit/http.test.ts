import { randomBytes } from 'node:crypto'
import { createMizanServer, createTicketIssuer, type RateLimitStore } from '@mizan/server'
import { WebSocket } from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { limitedRouter, limitedServer, read } from './app.js'

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()))
})

/** A listening limited server; `get`/`post` call it as someone (or no one) from an address a test header names. */
async function served(extra: Parameters<typeof limitedServer>[0] = {}) {
  const app = limitedServer(extra)
  open.push(app.server)
  const { url, port } = await app.server.listen(0, '127.0.0.1')
  const headers = (as?: string, ip?: string, more: Record<string, string> = {}) => ({ ...(as ? { authorization: `Bearer ${as}` } : {}), ...(ip ? { 'x-test-ip': ip } : {}), ...more })
  const get = async (path: string, as?: string, ip?: string, more?: Record<string, string>) => read(await fetch(`${url}/${path}`, { headers: headers(as, ip, more) }))
  const post = async (path: string, input: unknown, as?: string, ip?: string) =>
    read(await fetch(`${url}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers(as, ip) }, body: JSON.stringify({ input }) }))
  return { ...app, url, port, get, post }
}

// As behind a proxy of one's own: the proxy writes the client address into a header.
const testProxy = { clientAddress: ({ headers, remoteAddress }: { headers: { get(name: string): string | null }; remoteAddress: string | undefined }) => headers.get('x-test-ip') ?? remoteAddress }

describe('declared rate limits over HTTP', () => {
  it('answers the call over the limit with 429, Retry-After and data.retryAfter, and lets it in after that wait', async () => {
    const app = await served()
    expect((await app.get('ping', 'alice')).status).toBe(200)
    expect((await app.get('ping', 'alice')).status).toBe(200)
    const refused = await app.get('ping', 'alice')
    expect(refused.status).toBe(429)
    expect(refused.body.error!.code).toBe('TOO_MANY_REQUESTS')
    const seconds = refused.body.error!.data!.retryAfter!
    expect(Number.isInteger(seconds) && seconds >= 1).toBe(true)
    expect(refused.retryAfter).toBe(String(seconds))
    app.clock.now += seconds * 1000
    expect((await app.get('ping', 'alice')).status).toBe(200)
  })

  it('counts each principal on its own, and callers without one by address', async () => {
    const app = await served(testProxy)
    for (let i = 0; i < 2; i++) expect((await app.get('ping', 'alice', '198.51.100.1')).status).toBe(200)
    expect((await app.get('ping', 'alice', '198.51.100.2')).status).toBe(429) // a new address is the same principal
    expect((await app.get('ping', 'bob', '198.51.100.1')).status).toBe(200)
    for (let i = 0; i < 2; i++) expect((await app.get('ping', undefined, '198.51.100.7')).status).toBe(200)
    expect((await app.get('ping', undefined, '198.51.100.7')).status).toBe(429)
    expect((await app.get('ping', undefined, '198.51.100.8')).status).toBe(200)
  })

  it("by: 'ip' counts an address whoever is signed in; IPv6 by its /64", async () => {
    const app = await served(testProxy)
    expect((await app.get('byIp', 'alice', '203.0.113.5')).status).toBe(200)
    expect((await app.get('byIp', 'bob', '203.0.113.5')).status).toBe(200)
    expect((await app.get('byIp', 'carol', '203.0.113.5')).status).toBe(429)
    expect((await app.get('byIp', 'alice', '203.0.113.6')).status).toBe(200)
    expect((await app.get('byIp', undefined, '2001:db8:0:1::a')).status).toBe(200)
    expect((await app.get('byIp', undefined, '2001:db8:0:1::b')).status).toBe(200)
    expect((await app.get('byIp', undefined, '2001:db8:0:1:ffff::c')).status).toBe(429)
  })

  it('never trusts X-Forwarded-For unless told to: forged headers share the socket address budget', async () => {
    const app = await served() // no clientAddress option: the socket's peer
    const forged = (n: number) => ({ 'x-forwarded-for': `192.0.2.${n}`, 'x-real-ip': `192.0.2.${n}` })
    expect((await app.get('byIp', undefined, undefined, forged(1))).status).toBe(200)
    expect((await app.get('byIp', undefined, undefined, forged(2))).status).toBe(200)
    expect((await app.get('byIp', undefined, undefined, forged(3))).status).toBe(429)
  })

  it('a custom by() reads the parsed input: one budget per email, whoever tries it', async () => {
    const app = await served()
    expect((await app.post('login', { email: 'Victim@example.com' }, 'mallory')).status).toBe(200)
    expect((await app.post('login', { email: 'victim@example.com' }, 'eve')).status).toBe(200)
    const refused = await app.post('login', { email: 'VICTIM@example.com' })
    expect(refused.status).toBe(429)
    expect(refused.retryAfter).toBe(String(refused.body.error!.data!.retryAfter))
    expect((await app.post('login', { email: 'other@example.com' }, 'mallory')).status).toBe(200)
  })

  it('spends nothing on calls that auth or input validation refused', async () => {
    const app = await served()
    for (let i = 0; i < 5; i++) expect((await app.get('guarded')).status).toBe(401)
    for (let i = 0; i < 5; i++) expect((await app.post('login', { email: 'not an email' }, 'alice')).status).toBe(400)
    expect((await app.get('guarded', 'alice')).status).toBe(200)
    expect((await app.post('login', { email: 'a@example.com' }, 'alice')).status).toBe(200)
  })

  it('counts cache hits too: the limit runs before the origin cache', async () => {
    const app = await served()
    const call = () => app.get(`counted?input=${encodeURIComponent('{"n":1}')}`, 'alice')
    expect((await call()).status).toBe(200)
    expect((await call()).status).toBe(200)
    expect((await call()).status).toBe(429)
  })

  it('applies the router-wide default, and rateLimit: false turns it off', async () => {
    const app = await served()
    for (let i = 0; i < 3; i++) expect((await app.get('defaulted', 'alice')).status).toBe(200)
    expect((await app.get('defaulted', 'alice')).status).toBe(429)
    for (let i = 0; i < 10; i++) expect((await app.get('open', 'alice')).status).toBe(200)
  })

  it('carries data.retryAfter in a batch, where one header could not speak for every call', async () => {
    const app = await served()
    const res = await fetch(`${app.url}/ping,ping,ping,open?batch=1`, { headers: { authorization: 'Bearer alice' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('retry-after')).toBeNull()
    const results = (await res.json()) as { data?: unknown; error?: { code: string; data: { retryAfter: number } } }[]
    expect(results.filter((r) => r.error !== undefined).map((r) => r.error!.code)).toEqual(['TOO_MANY_REQUESTS'])
    expect(results.find((r) => r.error)!.error!.data.retryAfter).toBeGreaterThanOrEqual(1)
    expect(results[3]!.data).toBe('open')
  })

  it('lists each procedure’s limit in the manifest, the window in milliseconds', async () => {
    const app = await served()
    const manifest = (await (await fetch(`${app.url}/_manifest`)).json()) as { procedures: Record<string, { rateLimit: unknown }> }
    expect(manifest.procedures['ping']!.rateLimit).toEqual({ max: 2, window: 60_000, by: 'principal' })
    expect(manifest.procedures['byIp']!.rateLimit).toEqual({ max: 2, window: 60_000, by: 'ip' })
    expect(manifest.procedures['login']!.rateLimit).toEqual({ max: 2, window: 900_000, by: 'custom' })
    expect(manifest.procedures['defaulted']!.rateLimit).toEqual({ max: 3, window: 60_000, by: 'principal' })
    expect(manifest.procedures['open']!.rateLimit).toBeNull()
  })

  it('turns every limit off with createMizanServer({ rateLimit: false })', async () => {
    const app = await served({ rateLimit: false })
    for (let i = 0; i < 5; i++) expect((await app.get('ping', 'alice')).status).toBe(200)
  })
})

describe('rate limits over WebSocket', () => {
  it('answers over the limit with data.retryAfter, sharing the principal’s budget with HTTP', async () => {
    const app = await served()
    expect((await app.get('ping', 'alice')).status).toBe(200)
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws?as=alice`)
    const frames: { type: string; id?: string; result?: { result?: { data: unknown }; error?: { code: string; data: { retryAfter: number } } } }[] = []
    socket.on('message', (data) => frames.push(JSON.parse(String(data))))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'call', id: '1', path: 'ping' }))
    socket.send(JSON.stringify({ type: 'call', id: '2', path: 'ping' }))
    await until(() => frames.filter((f) => f.type === 'result').length === 2)
    const byId = Object.fromEntries(frames.filter((f) => f.type === 'result').map((f) => [f.id, f.result]))
    expect(byId['1']).toEqual({ data: 'pong' })
    expect(byId['2']!.error!.code).toBe('TOO_MANY_REQUESTS')
    expect(byId['2']!.error!.data.retryAfter).toBeGreaterThanOrEqual(1)
    socket.close()
  })

  it('counts a socket without a principal by the upgrade request’s address', async () => {
    const app = await served(testProxy)
    const call = async (ip: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws`, { headers: { 'x-test-ip': ip } })
      const results: { error?: { code: string } }[] = []
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; result?: { error?: { code: string } } }
        if (frame.type === 'result') results.push(frame.result!)
      })
      await new Promise((resolve) => socket.once('open', resolve))
      for (let i = 0; i < 3; i++) socket.send(JSON.stringify({ type: 'call', id: String(i), path: 'ping' }))
      await until(() => results.length === 3)
      socket.close()
      return results.filter((r) => r.error?.code === 'TOO_MANY_REQUESTS').length
    }
    expect(await call('198.51.100.20')).toBe(1)
    expect(await call('198.51.100.21')).toBe(1)
  })
})

describe('a clientAddress option that throws', () => {
  it('fails the HTTP call with a 500 it reports, and closes a socket with 1011, never crashing', async () => {
    const app = await served({
      clientAddress: () => {
        throw new Error('address bug')
      },
    })
    expect((await app.get('byIp')).status).toBe(500)
    expect(app.errors.some((error) => (error as Error).message === 'address bug')).toBe(true)
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws`)
    expect(await new Promise((resolve) => socket.once('close', resolve))).toBe(1011)
  })
})

describe('the ticket endpoint', () => {
  const ticketed = (ticketRateLimit?: { max: number; window: '1m'; by?: 'ip' }) =>
    served({ ...testProxy, websocket: { tickets: createTicketIssuer({ secret: randomBytes(32) }), ...(ticketRateLimit ? { ticketRateLimit } : {}) } })
  const mint = (url: string, as?: string, ip = '198.51.100.30') =>
    fetch(`${url}/_session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-ip': ip, ...(as ? { authorization: `Bearer ${as}` } : {}) } })

  it('mints at most 30 tickets a minute per caller by default, then answers 429 with Retry-After', async () => {
    const app = await ticketed()
    for (let i = 0; i < 30; i++) expect((await mint(app.url, 'alice')).status).toBe(200)
    const refused = await read(await mint(app.url, 'alice'))
    expect(refused.status).toBe(429)
    expect(Number(refused.retryAfter)).toBe(refused.body.error!.data!.retryAfter)
    expect((await mint(app.url, 'bob')).status).toBe(200)
    app.clock.now += Number(refused.retryAfter) * 1000
    expect((await mint(app.url, 'alice')).status).toBe(200)
  })

  it('counts callers without a principal by address, under the configured limit', async () => {
    const app = await ticketed({ max: 2, window: '1m' })
    for (let i = 0; i < 2; i++) expect((await mint(app.url, undefined, '198.51.100.40')).status).toBe(200)
    expect((await mint(app.url, undefined, '198.51.100.40')).status).toBe(429)
    expect((await mint(app.url, undefined, '198.51.100.41')).status).toBe(200)
  })

  it('is limited even when no procedure declares a limit', async () => {
    const server = createMizanServer({
      router: limitedRouter,
      createContext: () => ({ user: null }),
      websocket: { tickets: createTicketIssuer({ secret: randomBytes(32) }), ticketRateLimit: { max: 1, window: '1m' } },
      onError: () => {}, // the fetch handler reports no address: heard in 'fetch runtimes' below
    })
    const call = () => server.fetchHandler(new Request('http://x/api/mizan/_session', { method: 'POST', headers: { 'content-type': 'application/json' } }))
    expect((await call()).status).toBe(200)
    expect((await call()).status).toBe(429)
    await server.close()
  })
})

describe('the in-process caller', () => {
  it('is trusted server code: no limit applies unless it asks', async () => {
    const { server } = limitedServer()
    const trusted = server.createCaller({ user: { id: 'alice' } })
    for (let i = 0; i < 5; i++) expect(await trusted.ping()).toBe('pong')
    const acting = server.createCaller({ user: { id: 'alice' } }, { rateLimit: true })
    await acting.ping()
    await acting.ping()
    await expect(acting.ping()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', data: { retryAfter: expect.any(Number) } })
    const visitor = server.createCaller({ user: null }, { rateLimit: true, clientAddress: '203.0.113.50' })
    await visitor.byIp()
    await visitor.byIp()
    await expect(visitor.byIp()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
  })
})

describe('fetch runtimes', () => {
  const call = (server: ReturnType<typeof limitedServer>['server'], ip: string) =>
    server.fetchHandler(new Request('http://edge/api/mizan/byIp', { headers: { 'cf-connecting-ip': ip } }))

  it('count by the address the clientAddress option reads', async () => {
    const { server } = limitedServer({ clientAddress: ({ headers }) => headers.get('cf-connecting-ip') ?? undefined })
    expect((await call(server, '203.0.113.60')).status).toBe(200)
    expect((await call(server, '203.0.113.60')).status).toBe(200)
    expect((await call(server, '203.0.113.60')).status).toBe(429)
    expect((await call(server, '203.0.113.61')).status).toBe(200)
  })

  it('without it, share one budget and say so once to onError', async () => {
    const { server, errors } = limitedServer()
    expect((await call(server, '203.0.113.60')).status).toBe(200)
    expect((await call(server, '203.0.113.61')).status).toBe(200)
    expect((await call(server, '203.0.113.62')).status).toBe(429)
    const warnings = errors.filter((error) => error instanceof Error && /clientAddress/.test(error.message))
    expect(warnings).toHaveLength(1)
  })
})

describe('a store that fails', () => {
  const broken = (failClosed: boolean): RateLimitStore => ({
    kind: 'broken',
    failClosed,
    hit: () => Promise.reject(new Error('store down')),
  })

  it('fails open by default: the call runs and onError hears why', async () => {
    const app = await served({ store: broken(false) })
    for (let i = 0; i < 3; i++) expect((await app.get('ping', 'alice')).body.data).toBe('pong')
    expect(app.errors.filter((error) => (error as Error).message === 'store down')).toHaveLength(3)
  })

  it('fails closed when the store says so: 503 with Retry-After', async () => {
    const app = await served({ store: broken(true) })
    const refused = await app.get('ping', 'alice')
    expect(refused.status).toBe(503)
    expect(refused.retryAfter).toBe('1')
    expect(refused.body.error!.code).toBe('SERVICE_UNAVAILABLE')
    expect((await app.get('open', 'alice')).status).toBe(200)
  })
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2))
}

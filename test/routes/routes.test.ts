import { request as httpRequest } from 'node:http'
import { createMizanServer, initMizan, type AnyRouter } from '@mizan/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { files, handlerRuns, routesRouter, userOf } from './app.js'
import { viaFetch, viaNode, type Running } from './serve.js'

const make = () =>
  createMizanServer({
    router: routesRouter,
    createContext: ({ req }) => ({ user: userOf(req.headers.get('authorization')) }),
    onError: () => {},
  }) as never

/** A raw request, the path sent byte for byte (fetch would normalize it). */
function raw(origin: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

for (const [name, start] of [['node adapter (listen)', viaNode], ['fetch adapter (fetchHandler)', viaFetch]] as const) {
  describe(`routes over ${name}`, () => {
    let server: Running
    beforeAll(async () => {
      server = await start(make())
    })
    afterAll(() => server.close())
    const api = (path: string) => `${server.origin}/api/mizan${path}`

    it('answers a GET route with the Response the handler returned, params and query parsed', async () => {
      const res = await fetch(api('/files/1?inline=true'))
      expect(res.status).toBe(200)
      expect(res.headers.get('content-disposition')).toBe('inline')
      expect(await res.text()).toBe('hello')
    })

    it('sends a declared error with its status and data', async () => {
      const res = await fetch(api('/files/nope'))
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', status: 404, message: 'Not found', data: { id: 'nope' } } })
    })

    it('refuses bad params and query with 400 and fieldErrors', async () => {
      const params = await fetch(api('/files/abc/meta'))
      expect(params.status).toBe(400)
      const body = (await params.json()) as { error: { data: { fieldErrors: Record<string, string[]> } } }
      expect(Object.keys(body.error.data.fieldErrors)).toEqual(['params'])
      const query = await fetch(api('/files/1?inline=maybe'))
      expect(query.status).toBe(400)
    })

    it('sends a value as { data }, cached at the origin with Cache-Control and ETag', async () => {
      const before = handlerRuns
      const first = await fetch(api('/files/1/meta'))
      expect(await first.json()).toEqual({ data: { id: '1', size: 5 } })
      expect(first.headers.get('cache-control')).toContain('s-maxage=60')
      const etag = first.headers.get('etag')!
      await fetch(api('/files/1/meta'))
      const again = await fetch(api('/files/1/meta'), { headers: { 'if-none-match': etag } })
      expect(again.status).toBe(304)
      const { handlerRuns: after } = await import('./app.js')
      expect(after - before).toBe(1)
    })

    it('checks auth, reads the JSON body and announces what it affects', async () => {
      const anonymous = await fetch(api('/files/9'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' })
      expect(anonymous.status).toBe(401)
      const res = await fetch(api('/files/9'), { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer ann' }, body: '{"text":"nine"}' })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ data: { id: '9', by: 'ann' } })
      expect(JSON.parse(res.headers.get('x-mizan-invalidate')!)).toEqual([{ path: 'files' }])
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(files.get('9')).toBe('nine')
      const badBody = await fetch(api('/files/9'), { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer ann' }, body: '{"text":1}' })
      expect(badBody.status).toBe(400)
      const notJson = await fetch(api('/files/9'), { method: 'POST', headers: { 'content-type': 'text/plain', authorization: 'Bearer ann' }, body: '{"text":"x"}' })
      expect(notJson.status).toBe(415)
    })

    it('purges the origin cache of what a route affects', async () => {
      const list = async () => ((await (await fetch(api('/files.list'))).json()) as { data: string[] }).data
      const before = await list()
      const id = `new-${name.length}`
      const put = await fetch(api(`/files/${id}`), { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer ann' }, body: '{"text":"x"}' })
      expect(put.status).toBe(200)
      expect(await list()).toEqual([...before, id])
    })

    it('applies role rules and passes a bodiless Response through', async () => {
      expect((await fetch(api('/files/9'), { method: 'DELETE', headers: { authorization: 'Bearer ann' } })).status).toBe(403)
      const res = await fetch(api('/files/9'), { method: 'DELETE', headers: { authorization: 'Bearer admin' } })
      expect(res.status).toBe(204)
      expect(JSON.parse(res.headers.get('x-mizan-invalidate')!)).toEqual([{ path: 'files.list' }])
    })

    it('answers an unknown method on a route path with 405 and Allow', async () => {
      const res = await fetch(api('/files/1'), { method: 'PATCH' })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')!.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'POST', 'PUT'])
      expect((await res.json()).error.code).toBe('METHOD_NOT_SUPPORTED')
    })

    it('serves an absolute route at the root and HEAD for GET', async () => {
      const res = await fetch(`${server.origin}/healthz`)
      expect(await res.json()).toEqual({ data: { ok: true, method: 'GET' } })
      const head = await fetch(`${server.origin}/healthz`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect((await fetch(api('/healthz'))).status).toBe(404)
    })

    it('keeps procedures working beside routes', async () => {
      const res = await fetch(api('/echo?input=' + encodeURIComponent('{"name":"a"}')))
      expect(await res.json()).toEqual({ data: 'hi a' })
    })

    it('hides an unexpected error behind a 500 without its message or stack', async () => {
      const res = await fetch(api('/boom'))
      expect(res.status).toBe(500)
      const text = await res.text()
      expect(text).not.toContain('secret')
      expect(text).not.toMatch(/stack|\n\s+at /)
    })

    it('rate-limits a route like a procedure', async () => {
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await fetch(api('/limited'))).status)
      expect(statuses).toEqual([200, 200, 429])
    })

    it('keeps an encoded slash inside one parameter and never hands a dot segment to a handler', async () => {
      files.set('a/b', 'slashed')
      const slashed = await raw(server.origin, 'GET', '/api/mizan/files/a%2Fb')
      expect(slashed.status).toBe(200)
      expect(slashed.text).toBe('slashed')
      for (const path of ['/api/mizan/files/..', '/api/mizan/files/%2e%2e', '/api/mizan/files/.', '/api/mizan/files/', '/api/mizan/files//x', '/api/mizan/files/%zz']) {
        const res = await raw(server.origin, 'GET', path)
        expect(res.status, path).toBeGreaterThanOrEqual(400)
        expect(res.status, path).toBeLessThan(500)
        expect(res.text, path).not.toMatch(/stack|\n\s+at /)
      }
    })

    it('refuses a huge path with 414 and odd ones with 4xx', async () => {
      const huge = await raw(server.origin, 'GET', '/api/mizan/files/' + 'a'.repeat(10_000))
      expect(huge.status).toBe(414)
      const long = await raw(server.origin, 'GET', '/' + 'x/'.repeat(3000))
      expect(long.status).toBeLessThan(500)
    })
  })
}

describe('route collisions', () => {
  const m = initMizan()
  const serve = (router: AnyRouter) => () => createMizanServer({ router } as never)

  it('names both routes when two share a path and a method', () => {
    const router = m.router({ a: m.route({ method: 'GET', path: '/x/:id' }, () => 1), b: m.router({ c: m.route({ method: ['POST', 'GET'], path: '/x/:name' }, () => 2) }) })
    expect(serve(router)).toThrow(/route "b\.c" .*collides with route "a"/)
  })

  it('lets two routes share a path with different methods', () => {
    const router = m.router({ a: m.route({ method: 'GET', path: '/x/:id' }, () => 1), b: m.route({ method: 'DELETE', path: '/x/:id' }, () => 2) })
    expect(serve(router)).not.toThrow()
  })

  it('names the route and the procedure a one-segment route would shadow', () => {
    const router = m.router({ list: m.query(() => 1), r: m.route({ method: 'GET', path: '/list' }, () => 2) })
    expect(serve(router)).toThrow(/route "r" \(\/api\/mizan\/list\) collides with procedure "list"/)
  })

  it('refuses bad patterns and options when the route is defined', () => {
    expect(() => m.route({ method: 'GET', path: 'files' }, () => 1)).toThrow(/must start with/)
    expect(() => m.route({ method: 'GET', path: '/a/:' }, () => 1)).toThrow(/parameter name/)
    expect(() => m.route({ method: 'get', path: '/a' }, () => 1)).toThrow(/upper-case/)
    expect(() => m.route({ method: 'GET', path: '/a/../b' }, () => 1)).toThrow(/cannot be matched/)
    expect(() => m.route({ method: 'GET', path: '/a', params: z.object({}), nope: 1 } as never, () => 1)).toThrow(/unknown option "nope"/)
  })

  it('checks what a route affects at startup', () => {
    const router = m.router({ r: m.route({ method: 'POST', path: '/r', affects: ['missing'] }, () => 1) })
    expect(serve(router)).toThrow(/route "r" affects "missing"/)
  })
})

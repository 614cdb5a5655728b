import { request as httpRequest } from 'node:http'
import { createMizanServer } from '@mizan/server'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routesRouter, userOf } from './app.js'
import { viaFetch, viaNode, type Running } from './serve.js'

function send(origin: string, method: string, path: string): Promise<{ status: number; text: string }> {
  const url = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, text }))
    })
    req.on('error', reject)
    req.end()
  })
}

const segment = fc.oneof(fc.constantFrom('files', '1', 'meta', '..', '.', '%2F', '%2e%2e', '%zz', '', 'healthz', 'api', 'mizan', '%00', 'files.list'), fc.string({ maxLength: 12 }).map(encodeURIComponent))
const path = fc.array(segment, { maxLength: 8 }).chain((parts) => fc.constantFrom('/' + parts.join('/'), '/api/mizan/' + parts.join('/')))
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'X-CUSTOM')

for (const [name, start] of [['node', viaNode], ['fetch', viaFetch]] as const) {
  describe(`arbitrary paths and methods (${name} adapter)`, () => {
    let server: Running
    beforeAll(async () => {
      server = await start(createMizanServer({ router: routesRouter, createContext: ({ req }) => ({ user: userOf(req.headers.get('authorization')) }), onError: () => {} }) as never)
    })
    afterAll(() => server.close())

    it('never answers a 5xx nor shows a stack trace', async () => {
      await fc.assert(
        fc.asyncProperty(method, path, async (verb, target) => {
          // The one route that fails on purpose is left out: it proves 500s are hidden elsewhere.
          if (target.endsWith('/boom')) return
          const res = await send(server.origin, verb, target)
          expect(res.status).toBeLessThan(500)
          expect(res.text).not.toMatch(/stack|\n\s+at /)
        }),
        { seed: 20250514, numRuns: 300 },
      )
    })
  })
}

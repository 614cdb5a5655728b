import { createMizanServer, initMizan } from '@mizan/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

// `rawBody: true`: a webhook's handler gets the exact text that arrived (what a signature covers),
// whatever its content type, within the body limit.

const m = initMizan()
const seen: string[] = []
const router = m.router({
  hook: m.route({ method: 'POST', path: '/hook', rawBody: true }, ({ body }) => {
    seen.push(body)
    return { length: body.length }
  }),
  checked: m.route({ method: 'POST', path: '/checked', rawBody: true, body: z.string().startsWith('v1:') }, ({ body }) => body.slice(3)),
})

describe('routes with rawBody', () => {
  let url: string
  const server = createMizanServer({ router, limits: { maxBodySize: 1024 }, onError: () => {} })
  beforeAll(async () => {
    url = (await server.listen(0, '127.0.0.1')).url
  })
  afterAll(() => server.close())
  const post = (path: string, body: string, type = 'application/json') => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body })

  it('hands over the exact bytes as text, whitespace and key order kept, for any content type', async () => {
    const text = '{ "b": 1,\n  "a": [2, 1] }  '
    expect(await (await post('/hook', text)).json()).toEqual({ data: { length: text.length } })
    expect(await (await post('/hook', 'token=abc&x=%20', 'application/x-www-form-urlencoded')).json()).toEqual({ data: { length: 15 } })
    expect(seen).toEqual([text, 'token=abc&x=%20'])
  })

  it('checks the text with the body schema, and refuses a body over the limit with 413', async () => {
    expect(await (await post('/checked', 'v1:ok', 'text/plain')).json()).toEqual({ data: 'ok' })
    const wrong = await post('/checked', 'v2:no', 'text/plain')
    expect(wrong.status).toBe(400)
    const tooLarge = await post('/hook', 'x'.repeat(2048))
    expect(tooLarge.status).toBe(413)
    expect(seen).not.toContain('x'.repeat(2048))
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp } from './app.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp({ limits: { maxBodySize: 64 * 1024, maxBatchSize: 5, maxInputDepth: 16 } })
})
afterAll(() => app.server.close())

const json = { 'content-type': 'application/json' }
const q = (value: unknown) => encodeURIComponent(JSON.stringify(value))

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; status: number; message: string; data?: Record<string, unknown> } }
  return { status: res.status, ...body.error }
}

describe('bad input gets its documented error, never a crash', () => {
  it('malformed JSON in a query string or a body → 400', async () => {
    expect(await errorOf(await fetch(`${app.url}/greeting?input=%7Bname`))).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'Malformed JSON in input' })
    expect(await errorOf(await fetch(`${app.url}/nothing`, { method: 'POST', headers: json, body: '{"input":' }))).toMatchObject({ status: 400, code: 'BAD_REQUEST' })
  })

  it('a body that is not JSON → 415', async () => {
    const res = await fetch(`${app.url}/nothing`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'input=1' })
    expect(await errorOf(res)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
  })

  it('a POST not declared JSON → 415, even empty: a cross-site form cannot call a mutation', async () => {
    expect(await errorOf(await fetch(`${app.url}/nothing`, { method: 'POST' }))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
    const form = await fetch(`${app.url}/nothing`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
    expect(form.status).toBe(415)
    expect((await fetch(`${app.url}/nothing`, { method: 'POST', headers: json })).status).toBe(200)
  })

  it('a body over the limit → 413', async () => {
    const body = JSON.stringify({ input: { title: 'x'.repeat(70 * 1024) } })
    const res = await fetch(`${app.url}/posts.create`, { method: 'POST', headers: { ...json, authorization: 'Bearer alice' }, body })
    expect(await errorOf(res)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    expect(app.db.posts.some((p) => p.title.length > 1000)).toBe(false)
  })

  it('a body over the limit without content-length (chunked) → 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await fetch(`${app.url}/nothing`, { method: 'POST', headers: json, body: stream, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
  })

  it('a batch over the limit → 400', async () => {
    const paths = Array.from({ length: 6 }, () => 'greeting').join(',')
    const res = await fetch(`${app.url}/${paths}?input=${q(Array.from({ length: 6 }, () => ({ input: { name: 'a' } })))}`)
    expect(await errorOf(res)).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'A batch holds at most 5 calls' })
  })

  it('an unknown path → 404', async () => {
    expect(await errorOf(await fetch(`${app.url}/posts.nope`))).toMatchObject({ status: 404, code: 'NOT_FOUND' })
    expect(await errorOf(await fetch(`${app.url}/posts`))).toMatchObject({ status: 404, code: 'NOT_FOUND' })
  })

  it('a mutation over GET → 405 with Allow', async () => {
    const res = await fetch(`${app.url}/posts.create?input=${q({ title: 'x' })}`, { headers: { authorization: 'Bearer alice' } })
    expect(res.headers.get('allow')).toBe('POST')
    expect(await errorOf(res)).toMatchObject({ status: 405, code: 'METHOD_NOT_SUPPORTED' })
    expect(app.db.posts.some((p) => p.title === 'x')).toBe(false)
  })

  it('an unsupported method → 405', async () => {
    const res = await fetch(`${app.url}/greeting`, { method: 'DELETE' })
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS')
    expect(await errorOf(res)).toMatchObject({ status: 405 })
    expect((await fetch(`${app.url}/_manifest`, { method: 'POST', headers: json })).status).toBe(405)
  })

  it('input nested deeper than the limit → 400', async () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 40; i++) deep = { d: deep }
    expect(await errorOf(await fetch(`${app.url}/echo?input=${q(deep)}`))).toMatchObject({ status: 400, message: 'Input is nested too deeply' })
    const res = await fetch(`${app.url}/echo`, { method: 'POST', headers: json, body: JSON.stringify({ input: deep }) })
    expect(res.status).toBe(400)
  })

  it('a very deep array does not overflow the stack', async () => {
    const body = `{"input":${'['.repeat(20000)}${']'.repeat(20000)}}`
    expect((await fetch(`${app.url}/echo`, { method: 'POST', headers: json, body })).status).toBe(400)
  })

  it('__proto__ and constructor.prototype keys → 400, and no prototype is polluted', async () => {
    const polluting = ['{"input":{"__proto__":{"polluted":true}}}', '{"input":{"a":[{"constructor":{"prototype":{"polluted":true}}}]}}', '{"__proto__":{"polluted":true},"input":1}']
    for (const body of polluting) {
      const res = await fetch(`${app.url}/echo`, { method: 'POST', headers: json, body })
      expect(await errorOf(res)).toMatchObject({ status: 400, code: 'BAD_REQUEST' })
    }
    const viaQuery = await fetch(`${app.url}/echo?input=${encodeURIComponent('{"__proto__":{"polluted":true}}')}`)
    expect(viaQuery.status).toBe(400)
    const viaMeta = await fetch(`${app.url}/echo?input=${q({ a: 1 })}&meta=${q({ values: { '__proto__.polluted': ['Date'] } })}`)
    expect(viaMeta.status).toBe(400)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('a plain Error → 500 with a generic message and no stack outside dev', async () => {
    const res = await fetch(`${app.url}/broken.throws`)
    const error = await errorOf(res)
    expect(error).toEqual({ status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' })
    expect(JSON.stringify(error)).not.toContain('hunter2')
  })

  it('a plain Error in dev → 500 with its message and stack', async () => {
    const dev = await startApp({ isDev: true })
    const error = await errorOf(await fetch(`${dev.url}/broken.throws`))
    expect(error.message).toBe('db password is hunter2')
    expect(String(error.data?.stack)).toContain('app.ts')
    await dev.server.close()
  })

  it('an output that fails its schema → 500, and the data is not sent', async () => {
    const res = await fetch(`${app.url}/broken.badOutput`)
    const text = await res.text()
    expect(res.status).toBe(500)
    expect(text).not.toContain('42')
  })

  it('a URL over the limit → 414', async () => {
    const res = await fetch(`${app.url}/greeting?input=${q({ name: 'x'.repeat(9000) })}`)
    expect(await errorOf(res)).toMatchObject({ status: 414, code: 'URI_TOO_LONG' })
  })

  it('a batch input that is not an array, or an envelope that is not an object → 400', async () => {
    expect((await fetch(`${app.url}/greeting,greeting?input=${q({ a: 1 })}`)).status).toBe(400)
    const res = await fetch(`${app.url}/greeting,greeting`, { method: 'POST', headers: json, body: '[1, {"input":{"name":"b"}}]' })
    const entries = (await res.json()) as { error?: { code: string }; data?: unknown }[]
    expect(entries[0]!.error!.code).toBe('BAD_REQUEST')
    expect(entries[1]!.data).toBe('hi b')
  })

  it('keeps serving after all of the above', async () => {
    expect(await app.client().greeting.query({ name: 'still here' })).toBe('hi still here')
  })
})

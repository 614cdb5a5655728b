import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BOUNDARY, UPLOAD_HEADERS, multipartBody, post, startApp, type Answer, type TestApp } from './support.js'

// Property-based tests of the multipart decoder, over real HTTP (the Node adapter) and through
// fetchHandler: whatever body arrives, the answer is a documented status, never a 5xx nor a stack
// trace, and no temporary file outlives the request.

const DOCUMENTED = [200, 400, 408, 413, 415]

let node: TestApp
let edge: TestApp
beforeAll(async () => {
  // Every file goes to disk: the cleanup of temporary files is exercised on every request.
  node = await startApp('node', { uploads: { memoryThreshold: 0 }, maxBodySize: 4096 })
  edge = await startApp('fetch', { uploads: { memoryThreshold: 0 }, maxBodySize: 4096 })
})
afterAll(async () => {
  await node.close()
  await edge.close()
})

function expectDocumented(app: TestApp, res: Answer): void {
  expect(DOCUMENTED).toContain(res.status)
  expect(res.text).not.toMatch(/\bat .+:\d+:\d+|\/work\/|node_modules|\.ts:\d+|\.js:\d+|stack/)
  if (res.status >= 400) expect(res.json.error.status).toBe(res.status)
  expect(app.tempFiles()).toEqual([])
}

const PATHS = ['posts.create', 'avatar', 'profile', 'big', 'plain', 'read']
const validBodies = [
  multipartBody([{ name: 'input', value: '{"title":"t","attachments":[null]}' }, { name: 'input.image', filename: 'i.png', type: 'image/png', data: 'img' }, { name: 'input.attachments.0', filename: 'a', data: 'aa' }]),
  multipartBody([{ name: 'input', filename: 'x.png', type: 'image/png', data: 'PNG' }]),
  multipartBody([{ name: 'input', value: '{"at":"2026-01-01T00:00:00.000Z","profile":{}}' }, { name: 'meta', value: '{"values":{"at":["Date"]}}' }, { name: 'input.profile.avatar', filename: 'a', data: 'x' }]),
  multipartBody([{ name: 'input.doc', filename: '../d', data: 'x'.repeat(300) }]),
]

/** A change to a valid body: bytes flipped, cut, repeated, or inserted. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.nat({ max: 200 }), times: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(), text: fc.constantFrom(`\r\n--${BOUNDARY}\r\n`, `--${BOUNDARY}--`, '\r\n\r\n', 'filename="../../x"', 'name="input.__proto__"', 'name="input.attachments.9"', 'Content-Type: text/html\r\n', '"') }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never

function mutate(body: Buffer, changes: readonly Mutation[]): Buffer {
  let out = body
  for (const change of changes) {
    const at = out.length === 0 ? 0 : change.at % out.length
    switch (change.kind) {
      case 'flip':
        out = Buffer.from(out)
        if (out.length > 0) out[at] = change.byte
        break
      case 'cut':
        out = out.subarray(0, at)
        break
      case 'repeat': {
        const piece = out.subarray(at, at + change.length)
        out = Buffer.concat([out.subarray(0, at), ...Array.from({ length: change.times }, () => piece), out.subarray(at)])
        break
      }
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), Buffer.from(change.bytes), out.subarray(at)])
        break
      case 'text':
        out = Buffer.concat([out.subarray(0, at), Buffer.from(change.text), out.subarray(at)])
        break
    }
  }
  return out
}

async function viaNode(path: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return post(`${node.url}/${path}`, body, headers)
}

async function viaFetch(path: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  const { answer } = await import('./support.js')
  return answer(await edge.server.fetchHandler(new Request(`http://x/api/mizan/${path}`, { method: 'POST', headers, body })))
}

describe('the multipart decoder under arbitrary input (property-based)', () => {
  it('arbitrary bytes as a multipart body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 2000 }), fc.boolean(), async (path, bytes, throughNode) => {
        const res = throughNode ? await viaNode(path, Buffer.from(bytes), UPLOAD_HEADERS) : await viaFetch(path, Buffer.from(bytes), UPLOAD_HEADERS)
        expectDocumented(throughNode ? node : edge, res)
      }),
      { seed: 20260601, numRuns: 150 },
    )
  })

  it('arbitrary changes to a valid body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.nat({ max: validBodies.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (path, which, changes, throughNode) => {
        const body = mutate(validBodies[which]!, changes)
        const res = throughNode ? await viaNode(path, body, UPLOAD_HEADERS) : await viaFetch(path, body, UPLOAD_HEADERS)
        expectDocumented(throughNode ? node : edge, res)
      }),
      { seed: 20260602, numRuns: 300 },
    )
  })

  it('arbitrary headers around a valid body', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(`multipart/form-data; boundary=${BOUNDARY}`, 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="x"', 'MULTIPART/FORM-DATA; BOUNDARY=' + BOUNDARY, 'multipart/form-data; boundary=' + 'b'.repeat(300)),
      fc.string({ maxLength: 80 }).map((s) => `multipart/form-data; ${s}`),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), contentType, fc.constantFrom('1', '0', 'yes', ''), fc.nat({ max: validBodies.length - 1 }), async (path, type, upload, which) => {
        const headers: Record<string, string> = { 'content-type': type }
        if (upload !== '') headers['x-mizan-upload'] = upload
        expectDocumented(node, await viaNode(path, validBodies[which]!, headers))
      }),
      { seed: 20260603, numRuns: 150 },
    )
  })

  it('the server still answers afterwards, and no handler ran on a refused body', async () => {
    const res = await post(`${node.url}/avatar`, multipartBody([{ name: 'input', filename: 'ok.png', type: 'image/png', data: 'ok' }]))
    expect(res.json).toEqual({ data: { name: 'ok.png', type: 'image/png', size: 2, text: 'ok' } })
  })
})

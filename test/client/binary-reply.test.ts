import { createClient, isMizanError } from '@mizan/client'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fileNameOf } from '../../packages/client/src/binary.js'
import { FakeSocket } from './fake-socket.js'
import { fakeFetch, json, until, type FilesRouter } from './files-support.js'
import { watchUnhandled } from './unhandled.js'

const url = 'http://files.test/api/mizan'
const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 10, 13])
const base64 = Buffer.from(bytes).toString('base64')

/** A binary answer, as the server sends a Blob or File a procedure returned. */
function binary(headers: Record<string, string>, body: BodyInit | null = bytes): Response {
  return new Response(body, { status: 200, headers })
}

async function bytesOf(blob: Blob): Promise<number[]> {
  return [...new Uint8Array(await blob.arrayBuffer())]
}

describe('a single call’s binary answer resolves to a Blob or File', () => {
  it('a Blob of the Content-Type, bytes intact (never read as text)', async () => {
    const { fetch } = fakeFetch(() => binary({ 'content-type': 'image/png' }))
    const client = createClient<FilesRouter>({ url, fetch })
    const value = (await client.download.query()) as Blob
    expect(value).toBeInstanceOf(Blob)
    expect(value).not.toBeInstanceOf(File)
    expect(value.type).toBe('image/png')
    expect(await bytesOf(value)).toEqual([...bytes])
  })

  it('a File when Content-Disposition names one: filename* (UTF-8) first, else filename', async () => {
    const cases: [string, string][] = [
      [`attachment; filename="report.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%9C%93.pdf`, 'résumé ✓.pdf'],
      ['attachment; filename="plain \\"quoted\\".txt"', 'plain "quoted".txt'],
      ['attachment; filename=bare.bin', 'bare.bin'],
      // Malformed percent-encoding: the plain parameter is used.
      [`attachment; filename="fallback.txt"; filename*=UTF-8''%E2%ZZ`, 'fallback.txt'],
    ]
    for (const [disposition, name] of cases) {
      const { fetch } = fakeFetch(() => binary({ 'content-type': 'application/pdf', 'content-disposition': disposition }))
      const value = await createClient<FilesRouter>({ url, fetch }).download.query()
      expect(value).toBeInstanceOf(File)
      expect(value.name).toBe(name)
      expect(value.type).toBe('application/pdf')
      expect(await bytesOf(value)).toEqual([...bytes])
    }
  })

  it('a Blob when Content-Disposition names no file', async () => {
    const { fetch } = fakeFetch(() => binary({ 'content-type': 'text/plain', 'content-disposition': 'inline' }, 'hello'))
    const value = (await createClient<FilesRouter>({ url, fetch }).download.query()) as Blob
    expect(value).not.toBeInstanceOf(File)
    expect(await value.text()).toBe('hello')
  })

  it('announces the invalidation header before it resolves, as any single call', async () => {
    const { fetch } = fakeFetch(() => binary({ 'content-type': 'application/zip', 'x-mizan-invalidate': '[{"path":"posts.list"}]' }))
    const client = createClient<FilesRouter>({ url, fetch })
    const order: string[] = []
    client.$on('invalidate', (list) => void order.push(list.map((entry) => entry.path).join()))
    await client.anything.mutate({ a: 1 }).then(() => order.push('settled'))
    expect(order).toEqual(['posts.list', 'settled'])
  })

  it('a JSON answer stays JSON, and an error answer of any type stays an error', async () => {
    const answers = [json({ data: 'text' }), new Response('<html>oops</html>', { status: 502, headers: { 'content-type': 'text/html' } })]
    const { fetch } = fakeFetch(() => answers.shift()!)
    const client = createClient<FilesRouter>({ url, fetch })
    expect(await client.anything.mutate({ a: 1 })).toBe('text')
    await expect(client.anything.mutate({ a: 1 })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR', status: 502 })
  })
})

describe('a JSON entry { data: base64, blob } decodes to a Blob or File', () => {
  it('in a batch', async () => {
    const { fetch } = fakeFetch(() =>
      json([
        { data: base64, blob: { type: 'image/png', name: 'cat.png' } },
        { data: base64, blob: { type: 'application/octet-stream' } },
        { data: 'not base64!', blob: { type: 'image/png' } },
        { data: 5, blob: { type: 'image/png' } },
      ]),
    )
    const client = createClient<FilesRouter>({ url, fetch })
    const results = await Promise.allSettled([client.anything.mutate(1), client.anything.mutate(2), client.anything.mutate(3), client.anything.mutate(4)])
    const [file, blob, bad, notText] = results.map((result) => (result.status === 'fulfilled' ? result.value : result.reason)) as [File, Blob, unknown, unknown]
    expect(file).toBeInstanceOf(File)
    expect(file.name).toBe('cat.png')
    expect(file.type).toBe('image/png')
    expect(await bytesOf(file)).toEqual([...bytes])
    expect(blob).not.toBeInstanceOf(File)
    expect(await bytesOf(blob)).toEqual([...bytes])
    for (const error of [bad, notText]) expect(error).toMatchObject({ name: 'MizanClientError', code: 'INTERNAL_SERVER_ERROR', message: 'The response could not be decoded' })
  })

  it('over the WebSocket', async () => {
    FakeSocket.made = []
    const client = createClient<FilesRouter>({ url, fetch: fakeFetch().fetch, WebSocket: FakeSocket.Class })
    let open = false
    const feed = client.feed.subscribe({}, { onMessage: () => {}, onStatus: (status) => (open ||= status.status === 'open') })
    await until(() => FakeSocket.made.length === 1)
    const socket = FakeSocket.made[0]!
    socket.accept()
    socket.receive(JSON.stringify({ type: 'hello', connection: 'c', websocket: ['anything'] }))
    await until(() => socket.frames().some((frame) => frame.type === 'subscribe'))
    socket.receive(JSON.stringify({ type: 'subscribed', id: socket.frames().find((frame) => frame.type === 'subscribe')!.id }))
    await until(() => open)
    const pending = client.anything.mutate({ a: 1 })
    await until(() => socket.frames().some((frame) => frame.type === 'call'))
    const call = socket.frames().find((frame) => frame.type === 'call')!
    socket.receive(JSON.stringify({ type: 'result', id: call.id, result: { data: base64, blob: { type: 'text/csv', name: 'rows.csv' } } }))
    const value = (await pending) as File
    expect(value).toBeInstanceOf(File)
    expect(value.name).toBe('rows.csv')
    expect(await bytesOf(value)).toEqual([...bytes])
    feed.unsubscribe()
  })
})

describe('hostile binary answers', () => {
  it('fileNameOf never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(`filename*=UTF-8''%`, 'filename="\\', 'filename=";', `;filename*=utf-8'en'%FF`)), (header) => {
        const name = fileNameOf(header)
        expect(name === undefined || typeof name === 'string').toBe(true)
      }),
      { seed: 20260101, numRuns: 500 },
    )
  })

  it('reads a long hostile Content-Disposition in time proportional to its length', async () => {
    const header = 'attachment; ' + 'filename="\\'.repeat(20_000) + '; filename*=UTF-8\'\'' + '%'.repeat(50_000)
    const { fetch } = fakeFetch(() => binary({ 'content-type': 'image/png', 'content-disposition': header }))
    const value = await createClient<FilesRouter>({ url, fetch }).download.query()
    expect(value).toBeInstanceOf(Blob)
  })

  it('every call settles: entries with blob of any shape, binary bodies of any type', async () => {
    const unhandled = watchUnhandled()
    const entry = fc.record({ data: fc.oneof(fc.base64String(), fc.string(), fc.jsonValue()), blob: fc.jsonValue(), meta: fc.jsonValue() }, { requiredKeys: ['blob'] })
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.string(), fc.option(fc.string()), async (entries, type, disposition) => {
        const batch = createClient<FilesRouter>({ url, fetch: fakeFetch(() => json(entries)).fetch })
        const results = await Promise.allSettled(entries.map((_, i) => batch.anything.mutate(i)))
        for (const result of results) if (result.status === 'rejected') expect(isMizanError(result.reason)).toBe(true)
        const headers = new Headers()
        try {
          headers.set('content-type', type)
          if (disposition !== null) headers.set('content-disposition', disposition)
        } catch {
          // Not a valid header value: nothing a server could send.
        }
        const single = createClient<FilesRouter>({ url, fetch: fakeFetch(() => new Response(bytes, { headers })).fetch })
        const outcome = await single.download.query().then(
          (value) => value,
          (error: unknown) => error,
        )
        expect(outcome instanceof Blob || isMizanError(outcome)).toBe(true)
      }),
      { seed: 424242, numRuns: 150 },
    )
    expect(await unhandled.stop()).toEqual([])
  })
})

import { request } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BOUNDARY, MULTIPART_TYPE, UPLOAD_HEADERS, multipartBody, post, startApp, streamUpload, type AdapterName, type TestApp } from './support.js'

// Uploads over real HTTP, through both adapters: what a handler receives, and every refusal of the
// protocol (each answered before the handler runs, with no temporary file left behind).

const apps: TestApp[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})
async function start(adapter: AdapterName, options?: Parameters<typeof startApp>[1]): Promise<TestApp> {
  const app = await startApp(adapter, options)
  apps.push(app)
  return app
}

const png = (size: number) => new Uint8Array(size).fill(7)

describe.each(['node', 'fetch'] as const)('uploads through the %s adapter', (adapter) => {
  describe('what a handler receives', () => {
    it('a top-level file, with its name, type and bytes', async () => {
      const app = await start(adapter)
      const body = new FormData()
      body.set('input', new File(['PNGDATA'], 'me.png', { type: 'image/png' }))
      const res = await post(`${app.url}/avatar`, body, { 'x-mizan-upload': '1' })
      expect(res.status).toBe(200)
      expect(res.json).toEqual({ data: { name: 'me.png', type: 'image/png', size: 7, text: 'PNGDATA' } })
      expect(app.tempFiles()).toEqual([])
    })

    it('files nested in objects and arrays, an optional one absent, and the invalidation header', async () => {
      const app = await start(adapter)
      const body = new FormData()
      body.set('input', JSON.stringify({ title: 'Hi', attachments: [null, null] }))
      body.set('input.attachments.0', new File(['one'], 'a.txt', { type: 'text/plain' }))
      body.set('input.attachments.1', new Blob(['two']))
      const res = await post(`${app.url}/posts.create`, body, { 'x-mizan-upload': '1' })
      expect(res.status).toBe(200)
      expect(res.json.data).toEqual({
        title: 'Hi',
        image: null,
        attachments: [
          { name: 'a.txt', type: 'text/plain', size: 3, text: 'one' },
          { name: 'blob', type: 'application/octet-stream', size: 3, text: 'two' },
        ],
      })
      expect(JSON.parse(res.headers['x-mizan-invalidate']!)).toEqual([{ path: 'posts.list' }])
      expect(res.headers['cache-control']).toBe('no-store')
    })

    it('creates the missing containers, and takes parts in any order', async () => {
      const app = await start(adapter)
      const body = multipartBody([
        { name: 'input.attachments.0', filename: 'x.txt', type: 'text/plain', data: 'x' },
        { name: 'input', value: '{"title":"late"}' },
        { name: 'input.image', filename: 'i.png', type: 'image/png', data: 'img' },
      ])
      const res = await post(`${app.url}/posts.create`, body)
      expect(res.status).toBe(200)
      expect(res.json.data).toMatchObject({ title: 'late', image: { name: 'i.png', text: 'img' }, attachments: [{ name: 'x.txt', text: 'x' }] })
    })

    it('a Date in superjson meta next to a file, and files in a record', async () => {
      const app = await start(adapter)
      const body = multipartBody([
        { name: 'input', value: JSON.stringify({ at: '2026-01-02T03:04:05.000Z', profile: {} }) },
        { name: 'meta', value: JSON.stringify({ values: { at: ['Date'] } }) },
        { name: 'input.profile.avatar', filename: 'a.png', type: 'image/png', data: 'A' },
        { name: 'input.profile.tags.red', filename: 'r.png', type: 'image/png', data: 'R' },
      ])
      const res = await post(`${app.url}/profile`, body)
      expect(res.status).toBe(200)
      expect(res.json).toMatchObject({ data: { at: '2026-01-02T03:04:05.000Z', avatar: { name: 'a.png', text: 'A' }, tags: ['red'] }, meta: { values: { at: ['Date'] } } })
    })

    it('spools a file above memoryThreshold to a temporary file, gone once the call settled', async () => {
      const app = await start(adapter, { uploads: { memoryThreshold: 1024 } })
      const data = png(300 * 1024)
      data[0] = 1
      data[data.length - 1] = 9
      const res = await post(`${app.url}/big`, multipartBody([{ name: 'input.doc', filename: 'doc.bin', data }]))
      expect(res.status).toBe(200)
      expect(res.json.data).toEqual({ size: 300 * 1024, first: 1, last: 9, name: 'doc.bin' })
      // During the call the file was on disk, under a random name of the server's own.
      expect(app.seen.tempFilesDuringCall).toEqual([[expect.stringMatching(/^mizan-upload-[0-9a-f]{32}$/)]])
      expect(app.tempFiles()).toEqual([])
    })

    it('removes the temporary files when the handler throws', async () => {
      const app = await start(adapter, { uploads: { memoryThreshold: 0 } })
      const res = await post(`${app.url}/fails`, multipartBody([{ name: 'input.doc', filename: 'd', data: 'abc' }]))
      expect(res.status).toBe(409)
      expect(app.seen.tempFilesDuringCall[0]).toHaveLength(1)
      expect(app.tempFiles()).toEqual([])
    })

    it('runs the schema checks on the files: .max() and .mime() fail with their zod issues', async () => {
      const app = await start(adapter)
      const tooBig = await post(`${app.url}/posts.create`, multipartBody([{ name: 'input', value: '{"title":"t"}' }, { name: 'input.image', filename: 'i.png', type: 'image/png', data: png(6000) }]))
      expect(tooBig.status).toBe(400)
      expect(tooBig.json.error.data.issues).toEqual([{ path: ['image'], message: expect.stringMatching(/5000 bytes/) }])
      const wrongType = await post(`${app.url}/posts.create`, multipartBody([{ name: 'input', value: '{"title":"t"}' }, { name: 'input.image', filename: 'i.gif', type: 'image/gif', data: 'g' }]))
      expect(wrongType.status).toBe(400)
      expect(wrongType.json.error.data.fieldErrors.image).toHaveLength(1)
      expect(app.seen.ran).toEqual([])
    })

    it('keeps only the basename of a filename: ../../etc/passwd is "passwd", and nothing is written outside the temp dir', async () => {
      const app = await start(adapter, { uploads: { memoryThreshold: 0 } })
      const res = await post(`${app.url}/big`, multipartBody([{ name: 'input.doc', filename: '../../etc/passwd', data: 'root' }]))
      expect(res.status).toBe(200)
      expect(res.json.data.name).toBe('passwd')
      const windows = await post(`${app.url}/big`, multipartBody([{ name: 'input.doc', filename: 'C:\\\\x\\\\..\\\\evil.txt', data: 'w' }]))
      expect(windows.json.data.name).toBe('evil.txt')
      expect(app.seen.tempFilesDuringCall.flat()).toEqual([expect.stringMatching(/^mizan-upload-[0-9a-f]{32}$/), expect.stringMatching(/^mizan-upload-[0-9a-f]{32}$/)])
      expect(app.tempFiles()).toEqual([])
    })
  })

  describe('refusals: the handler never runs and no temporary file is left', () => {
    const valid = () => multipartBody([{ name: 'input', value: '{"title":"t"}' }, { name: 'input.image', filename: 'i.png', type: 'image/png', data: 'x' }])

    async function refused(app: TestApp, path: string, body: Buffer | string, status: number, message: RegExp, headers: Record<string, string> = UPLOAD_HEADERS) {
      const res = await post(`${app.url}/${path}`, body, headers)
      expect(res.status).toBe(status)
      expect(res.json.error).toMatchObject({ status, message: expect.stringMatching(message) })
      expect(res.text).not.toMatch(/\bat .+:\d+|node_modules/)
      expect(app.seen.ran).toEqual([])
      expect(app.tempFiles()).toEqual([])
      return res
    }

    it('without the x-mizan-upload header: 400', async () => {
      const app = await start(adapter)
      await refused(app, 'posts.create', valid(), 400, /x-mizan-upload: 1/, { 'content-type': MULTIPART_TYPE })
    })

    it('to a procedure without file input, or to a query: 415', async () => {
      const app = await start(adapter)
      await refused(app, 'plain', valid(), 415, /takes no files/)
      await refused(app, 'read', valid(), 415, /files go with mutations/)
    })

    it('on a batch path: 400', async () => {
      const app = await start(adapter)
      await refused(app, 'posts.create,plain?batch=1', valid(), 400, /never in a batch/)
    })

    it('missing boundary, truncated or malformed multipart: 400', async () => {
      const app = await start(adapter)
      await refused(app, 'posts.create', valid(), 400, /no boundary/, { 'content-type': 'multipart/form-data', 'x-mizan-upload': '1' })
      await refused(app, 'posts.create', multipartBody([{ name: 'input', value: '{"title":"t"}' }, { name: 'input.image', filename: 'i.png', data: 'abc' }], { end: false }), 400, /Malformed multipart body|cut off/)
      await refused(app, 'posts.create', valid().subarray(0, 70), 400, /Malformed multipart body/)
      await refused(app, 'posts.create', `--${BOUNDARY}\r\nno headers here\r\n\r\n`, 400, /Malformed multipart body/)
    })

    it('a file part for a non-file field, an unknown path or field, a forbidden key: 400', async () => {
      const app = await start(adapter)
      await refused(app, 'posts.create', multipartBody([{ name: 'input.title', filename: 't', data: 'x' }]), 400, /input.title.*no file there/)
      await refused(app, 'posts.create', multipartBody([{ name: 'input.other', filename: 't', data: 'x' }]), 400, /no file there/)
      await refused(app, 'posts.create', multipartBody([{ name: 'input.__proto__', filename: 't', data: 'x' }]), 400, /not allowed/)
      await refused(app, 'posts.create', multipartBody([{ name: 'input.attachments.01', filename: 't', data: 'x' }]), 400, /no file there/)
      await refused(app, 'posts.create', multipartBody([{ name: 'input.attachments.4', filename: 't', data: 'x' }]), 400, /below 4/)
      await refused(app, 'posts.create', multipartBody([{ name: 'comment', value: 'x' }]), 400, /Unknown multipart field/)
      await refused(app, 'posts.create', multipartBody([{ name: 'input', value: '{"title":"t"}' }, { name: 'input', value: '{"title":"t"}' }]), 400, /sent once/)
      // The input already holds a value where the file goes.
      await refused(app, 'posts.create', multipartBody([{ name: 'input', value: '{"title":"t","image":"x"}' }, { name: 'input.image', filename: 'i', type: 'image/png', data: 'x' }]), 400, /already holds/)
      await refused(app, 'posts.create', multipartBody([{ name: 'input', value: '{"title":' }]), 400, /Malformed JSON/)
    })

    it('more files than maxFiles: 413', async () => {
      const app = await start(adapter)
      const files = [0, 1, 2, 3].map((i) => ({ name: `input.attachments.${i}`, filename: `f${i}`, data: 'x' }))
      await refused(app, 'posts.create', multipartBody([...files, { name: 'input.image', filename: 'i', type: 'image/png', data: 'x' }]), 413, /At most 4 files/)
    })

    it('a file over maxFileSize, or files over maxTotalSize: 413', async () => {
      const app = await start(adapter)
      await refused(app, 'posts.create', multipartBody([{ name: 'input.attachments.0', filename: 'f', data: png(64 * 1024 + 1) }]), 413, /“f” is too large: a file may be 64 KiB at most/)
      const twoBig = [0, 1].map((i) => ({ name: `input.attachments.${i}`, filename: 'f', data: png(60 * 1024) }))
      await refused(app, 'posts.create', multipartBody(twoBig), 413, /too large together: 100 KiB at most/)
      // Exactly the limit passes.
      const exact = await post(`${app.url}/posts.create`, multipartBody([{ name: 'input', value: '{"title":"t"}' }, { name: 'input.attachments.0', filename: 'f', data: png(64 * 1024) }]))
      expect(exact.status).toBe(200)
    })

    it('a type files.types does not allow: 415', async () => {
      const app = await start(adapter)
      await refused(app, 'avatar', multipartBody([{ name: 'input', filename: 'x.pdf', type: 'application/pdf', data: 'x' }]), 415, /application\/pdf/)
    })

    it('an input field over maxBodySize: 413', async () => {
      const app = await start(adapter, { maxBodySize: 1000 })
      await refused(app, 'posts.create', multipartBody([{ name: 'input', value: JSON.stringify({ title: 'x'.repeat(2000) }) }]), 413, /input field exceeds 1,000 bytes/)
      await refused(app, 'posts.create', multipartBody([{ name: 'meta', value: JSON.stringify({ values: { a: 'x'.repeat(2000) } }) }]), 413, /meta field exceeds/)
    })

    it('10,000 tiny parts: 413 after a handful', async () => {
      const app = await start(adapter)
      const parts = Array.from({ length: 10_000 }, (_, i) => ({ name: `input.attachments.${i % 3}`, value: 'x' }))
      const res = await post(`${app.url}/posts.create`, multipartBody(parts))
      expect([400, 413]).toContain(res.status)
      expect(app.seen.ran).toEqual([])
      const files = Array.from({ length: 10_000 }, () => ({ name: 'zzz', value: '' }))
      expect((await post(`${app.url}/posts.create`, multipartBody(files))).status).toBe(400)
      const fields = Array.from({ length: 10_000 }, () => ({ name: 'input.x', filename: '', value: '' }))
      expect([400, 413]).toContain((await post(`${app.url}/posts.create`, multipartBody(fields.map(() => ({ name: 'input.image', value: '' }))))).status)
    })

    it('more parts than maxFiles + 2: 413 (partsLimit)', async () => {
      const app = await start(adapter, { maxBodySize: 64 })
      // Empty-named parts without a disposition are skipped by the parser but still counted as parts.
      const filler = Array.from({ length: 50 }, () => `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n`).join('')
      await refused(app, 'posts.create', `${filler}--${BOUNDARY}--\r\n`, 413, /at most 6 parts/)
    })

    it('a file over the limit is cut off: the rest of the body is never read', async () => {
      const app = await start(adapter)
      const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="input.attachments.0"; filename="big"\r\n\r\n`)
      let sent = 0
      const total = 256 * 1024 * 1024
      const chunk = Buffer.alloc(64 * 1024, 1)
      const result = await streamUpload(app.port, '/api/mizan/posts.create', UPLOAD_HEADERS, () => {
        if (sent === 0) return (sent += head.length), head
        if (sent >= total) return null
        sent += chunk.length
        return chunk
      })
      // Loopback socket buffers hold a few megabytes; the server stopped reading near 64 KiB.
      expect(result.written).toBeLessThan(32 * 1024 * 1024)
      if (result.status !== undefined) expect(result.status).toBe(413)
      if (adapter === 'fetch') expect(app.pulled.bytes).toBeLessThan(2 * 1024 * 1024)
      expect(app.seen.ran).toEqual([])
      await vi.waitFor(() => expect(app.tempFiles()).toEqual([]))
    })

    it('a 100 MB field is cut off after a few megabytes', async () => {
      const app = await start(adapter)
      const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="input"\r\n\r\n`)
      let sent = 0
      const total = 100 * 1024 * 1024
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      const result = await streamUpload(app.port, '/api/mizan/posts.create', UPLOAD_HEADERS, () => {
        if (sent === 0) return (sent += head.length), head
        if (sent >= total) return null
        sent += chunk.length
        return chunk
      })
      expect(result.written).toBeLessThan(40 * 1024 * 1024)
      if (result.status !== undefined) expect(result.status).toBe(413)
      if (adapter === 'fetch') expect(app.pulled.bytes).toBeLessThan(8 * 1024 * 1024)
      expect(app.seen.ran).toEqual([])
    })

    it('a body declared over the limit by Content-Length: 413 before a byte is read', async () => {
      const app = await start(adapter)
      const res = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: app.port, path: '/api/mizan/posts.create', method: 'POST', headers: { ...UPLOAD_HEADERS, 'content-length': String(1024 * 1024 * 1024) } })
        req.on('response', (res) => resolve(res.statusCode!))
        req.on('error', reject)
        req.flushHeaders()
      })
      expect(res).toBe(413)
    })

    it('a client that stops sending mid-upload: no temporary file left, the handler never runs', async () => {
      const app = await start(adapter, { uploads: { memoryThreshold: 1024 } })
      const req = request({ host: '127.0.0.1', port: app.port, path: '/api/mizan/big', method: 'POST', headers: { ...UPLOAD_HEADERS, 'transfer-encoding': 'chunked' } })
      req.on('error', () => {})
      req.write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="input.doc"; filename="d"\r\n\r\n`))
      req.write(Buffer.alloc(200 * 1024, 1))
      // The upload has reached the disk: the server is mid-file.
      await vi.waitFor(() => expect(app.tempFiles()).toHaveLength(1))
      req.destroy()
      await vi.waitFor(() => expect(app.tempFiles()).toEqual([]))
      expect(app.seen.ran).toEqual([])
    })

    it('an upload that stalls past idleTimeout: 408, cleaned up', async () => {
      const app = await start(adapter, { uploads: { idleTimeout: 100, memoryThreshold: 0 } })
      const req = request({ host: '127.0.0.1', port: app.port, path: '/api/mizan/big', method: 'POST', headers: { ...UPLOAD_HEADERS, 'transfer-encoding': 'chunked' } })
      const status = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => resolve(res.statusCode!))
        req.on('error', reject)
      })
      req.write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="input.doc"; filename="d"\r\n\r\npartial`))
      expect(await status).toBe(408)
      req.destroy()
      await vi.waitFor(() => expect(app.tempFiles()).toEqual([]))
      expect(app.seen.ran).toEqual([])
    })

    it('an unauthenticated upload to an auth mutation: 401 before the files are read', async () => {
      const app = await start(adapter)
      // The body never ends: only a refusal that does not wait for it can answer.
      const req = request({ host: '127.0.0.1', port: app.port, path: '/api/mizan/secret', method: 'POST', headers: { ...UPLOAD_HEADERS, 'transfer-encoding': 'chunked' } })
      const status = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => resolve(res.statusCode!))
        req.on('error', reject)
      })
      req.write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="input.doc"; filename="d"\r\n\r\n`))
      expect(await status).toBe(401)
      req.destroy()
      expect(app.seen.ran).toEqual([])
      const signedIn = await post(`${app.url}/secret`, multipartBody([{ name: 'input.doc', filename: 'd', data: 'abc' }]), { ...UPLOAD_HEADERS, authorization: 'Bearer ada' })
      expect(signedIn.json).toEqual({ data: 3 })
    })
  })
})

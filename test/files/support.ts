import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { createMizanServer, initMizan, MizanError, type MizanServer, type UploadOptions } from '@mizan/server'
import { z } from 'zod'

// The app every upload test serves: each procedure records that its handler ran, so a test can
// prove a refused upload never reached it.

export type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()

/** What the handlers saw: their names, in call order, and what a handler found in the temp dir. */
export interface Seen {
  ran: string[]
  tempFilesDuringCall: string[][]
}

export function makeRouter(seen: Seen, tempDir: () => string) {
  const describeFile = async (file: File) => ({ name: file.name, type: file.type, size: file.size, text: file.size <= 4096 ? await file.text() : undefined })
  return m.router({
    posts: m.router({
      create: m.mutation(
        {
          input: z.object({
            title: z.string(),
            image: z.file().max(5000).mime(['image/png', 'image/jpeg']).optional(),
            attachments: z.array(z.file()).max(3).optional(),
          }),
          files: { maxFileSize: 64 * 1024, maxFiles: 4, maxTotalSize: 100 * 1024 },
          affects: ['posts.list'],
        },
        async ({ input }) => {
          seen.ran.push('posts.create')
          return {
            title: input.title,
            image: input.image === undefined ? null : await describeFile(input.image),
            attachments: input.attachments === undefined ? null : await Promise.all(input.attachments.map(describeFile)),
          }
        },
      ),
      list: m.query(() => ['a']),
    }),
    avatar: m.mutation({ input: z.file(), files: { types: ['image/*'], maxFileSize: 1024 * 1024 } }, async ({ input }) => {
      seen.ran.push('avatar')
      return describeFile(input)
    }),
    profile: m.mutation({ input: z.object({ at: z.date(), profile: z.object({ avatar: z.file(), tags: z.record(z.string(), z.file()).optional() }) }) }, async ({ input }) => {
      seen.ran.push('profile')
      return { at: input.at, avatar: await describeFile(input.profile.avatar), tags: Object.keys(input.profile.tags ?? {}) }
    }),
    big: m.mutation({ input: z.object({ doc: z.file() }), files: { maxFileSize: 8 * 1024 * 1024, maxFiles: 1 } }, async ({ input }) => {
      seen.ran.push('big')
      seen.tempFilesDuringCall.push(readdirSync(tempDir()))
      const bytes = new Uint8Array(await input.doc.arrayBuffer())
      return { size: bytes.length, first: bytes[0], last: bytes[bytes.length - 1], name: input.doc.name }
    }),
    secret: m.mutation({ auth: true, input: z.object({ doc: z.file() }) }, async ({ input }) => {
      seen.ran.push('secret')
      return input.doc.size
    }),
    fails: m.mutation({ input: z.object({ doc: z.file() }) }, async () => {
      seen.ran.push('fails')
      seen.tempFilesDuringCall.push(readdirSync(tempDir()))
      throw new MizanError('CONFLICT', 'no')
    }),
    plain: m.mutation({ input: z.object({ title: z.string() }) }, () => {
      seen.ran.push('plain')
      return 1
    }),
    read: m.query({ input: z.object({ id: z.string() }).optional() }, () => 1),
    // Binary outputs.
    png: m.query(() => new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' })),
    named: m.mutation(() => new File(['héllo wörld'], 'résumé "final".txt', { type: 'text/plain' })),
    stream: m.query({ input: z.object({ chunks: z.number().int().max(100_000) }) }, ({ input }) => {
      let sent = 0
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === input.chunks) return controller.close()
          controller.enqueue(new Uint8Array(256).fill(sent++ % 256))
        },
      })
    }),
    cachedPng: m.query({ cache: { ttl: 60, scope: 'public' } }, () => {
      seen.ran.push('cachedPng')
      return new Blob(['png'], { type: 'image/png' })
    }),
    wsPng: m.query({ websocket: true }, () => new File(['ws'], 'w.bin', { type: 'application/x-test' })),
  })
}

export type UploadRouter = ReturnType<typeof makeRouter>

/** One way of serving the router over real HTTP: Node's handler, or fetchHandler behind a minimal fetch runtime. */
export type AdapterName = 'node' | 'fetch'

export interface TestApp {
  readonly url: string
  readonly port: number
  readonly tempDir: string
  readonly seen: Seen
  readonly server: MizanServer<UploadRouter>
  /** Bytes the fetch adapter pulled from the request body (the fetch runtime counts them). */
  readonly pulled: { bytes: number }
  tempFiles(): string[]
  close(): Promise<void>
}

export async function startApp(adapter: AdapterName, options: { uploads?: UploadOptions; maxBodySize?: number } = {}): Promise<TestApp> {
  const tempDir = mkdtempSync(join(tmpdir(), 'mizan-files-test-'))
  const seen: Seen = { ran: [], tempFilesDuringCall: [] }
  const server = createMizanServer({
    router: makeRouter(seen, () => tempDir),
    createContext: ({ req }): Ctx => ({ user: req.headers.get('authorization') === 'Bearer ada' ? { id: 'ada' } : null }),
    uploads: { tempDir, ...options.uploads },
    limits: options.maxBodySize === undefined ? {} : { maxBodySize: options.maxBodySize },
    onError: () => {},
  })
  const pulled = { bytes: 0 }
  let http: Server
  if (adapter === 'node') {
    await server.listen(0, '127.0.0.1')
    http = server.httpServer!
  } else {
    http = createServer((req, res) => void bridge(server.fetchHandler, req, res, pulled))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  }
  const port = (http.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/api/mizan`,
    port,
    tempDir,
    seen,
    server,
    pulled,
    tempFiles: () => readdirSync(tempDir),
    async close() {
      if (adapter === 'node') await server.close()
      else {
        http.closeAllConnections()
        await new Promise((resolve) => http.close(resolve))
        await server.close()
      }
      rmSync(tempDir, { recursive: true, force: true })
    },
  }
}

/**
 * A minimal fetch runtime over node:http, as Deno or Bun would be: the request body is a web
 * stream the handler pulls (counted, so a test sees how much of a body was read), and a cancelled
 * body stops being read without cutting the connection the reply goes out on.
 */
async function bridge(handler: (request: Request) => Promise<Response>, req: IncomingMessage, res: import('node:http').ServerResponse, pulled: { bytes: number }): Promise<void> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  let ended = false
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        pulled.bytes += chunk.length
        controller.enqueue(new Uint8Array(chunk))
        if ((controller.desiredSize ?? 0) <= 0) req.pause()
      })
      req.on('end', () => {
        ended = true
        controller.close()
      })
      req.on('error', (error) => controller.error(error))
      req.on('close', () => {
        if (!ended) controller.error(new Error('client went away'))
      })
      req.pause()
    },
    pull() {
      req.resume()
    },
    cancel() {
      req.pause()
    },
  }, { highWaterMark: 1 })
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, ...(hasBody ? { body, duplex: 'half' } : {}) } as RequestInit)
  const response = await handler(request)
  const out: Record<string, string> = {}
  response.headers.forEach((value, name) => (out[name] = value))
  res.writeHead(response.status, out)
  if (response.body === null) return void res.end()
  Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(res)
}

// ---- multipart bodies, written by hand so tests can break them ----------------------------------

export const BOUNDARY = 'mizan-test-boundary-7f3a'

export type Part = { name: string; value: string } | { name: string; filename: string; type?: string; data: Uint8Array | string }

/** A multipart/form-data body of `parts`; `end: false` leaves out the closing boundary. */
export function multipartBody(parts: readonly Part[], options: { end?: boolean; boundary?: string } = {}): Buffer {
  const boundary = options.boundary ?? BOUNDARY
  const chunks: Buffer[] = []
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`))
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`))
      chunks.push(Buffer.from(part.data))
      chunks.push(Buffer.from('\r\n'))
    }
  }
  if (options.end !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`
export const UPLOAD_HEADERS = { 'content-type': MULTIPART_TYPE, 'x-mizan-upload': '1' }

export interface Answer {
  status: number
  headers: Record<string, string>
  text: string
  json: any
}

/** POSTs a whole body with fetch. */
export async function post(url: string, body: Buffer | FormData | string, headers: Record<string, string> = UPLOAD_HEADERS): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', body, headers })
  return answer(res)
}

export async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => (headers[name] = value))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers, text, json }
}

/**
 * Sends a body chunk by chunk over a raw connection, each write waiting for the socket to take
 * the last (so the count is what left the client), until the server answers or closes. Resolves
 * with the status (when an answer came) and the bytes written by then.
 */
export function streamUpload(
  port: number,
  path: string,
  headers: Record<string, string>,
  chunks: () => Buffer | null,
): Promise<{ status: number | undefined; written: number; body: string }> {
  return new Promise((resolve) => {
    let written = 0
    let done = false
    let status: number | undefined
    let body = ''
    const finish = () => {
      if (done) return
      done = true
      req.destroy()
      resolve({ status, written, body })
    }
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } })
    req.on('response', (res) => {
      status = res.statusCode
      res.setEncoding('utf8')
      res.on('data', (text: string) => (body += text))
      res.on('end', finish)
      res.on('error', finish)
    })
    req.on('error', finish)
    req.on('close', () => {
      if (status === undefined) finish()
    })
    const pump = () => {
      if (done || status !== undefined) return
      const chunk = chunks()
      if (chunk === null) return void req.end()
      req.write(chunk, (error) => {
        if (error) return finish()
        written += chunk.length
        pump()
      })
    }
    req.flushHeaders()
    pump()
  })
}

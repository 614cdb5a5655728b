import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { MizanError } from '../errors.js'
import { BaseExchange, type ContextOptions, type HttpExchange, type HttpReply, type MizanRequest } from './exchange.js'
import { handleHttp, refusal, tooLarge, type HttpSettings } from './handle.js'
import type { InFlight } from './in-flight.js'
import type { RouteMatch } from '../routes/table.js'
import { nodeClientAddress, type ClientAddressOf } from '../rate-limit/address.js'
import { nodeStream } from '../builtins.js'
import { LineBody } from '../streams/line-body.js'
import { EventBody } from '../realtime/sse/event-body.js'
import type { EventSink } from '../realtime/sse/peer.js'

/** A Node request handler for `node:http`, Express and Connect; calls `next` for paths outside the base path. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

/** Builds the Node adapter: it frames requests for the protocol and writes its replies. */
export function createNodeHandler(settings: HttpSettings, basePath: string, inFlight: InFlight): NodeHandler {
  return (req, res, next) => {
    // Express strips its mount path from req.url; originalUrl keeps the path the base path names.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    // Routes (`m.route`) first, on the raw path: under the base path or absolute.
    if (settings.routes !== undefined && url.length <= settings.limits.maxURLLength) {
      const raw = rawPathOf(url)
      const routed = settings.routes.match(raw, req.method ?? 'GET')
      if (routed !== undefined) return respond(new NodeExchange(req, res, raw, queryOf(url), settings.clientAddress), routed)
    }
    const rest = url.charCodeAt(basePath.length)
    if (!url.startsWith(basePath) || (rest !== 47 /* / */ && rest !== 63 /* ? */ && !Number.isNaN(rest))) {
      if (next) return next()
      return write(res, refusal(new MizanError('NOT_FOUND', 'Not a Mizan path'), settings, req.headers.origin))
    }
    if (url.length > settings.limits.maxURLLength) {
      const error = new MizanError('URI_TOO_LONG', `The URL exceeds ${settings.limits.maxURLLength} characters`)
      return write(res, refusal(error, settings, req.headers.origin))
    }
    const queryStart = url.indexOf('?', basePath.length)
    let path = url.slice(basePath.length + 1, queryStart === -1 ? undefined : queryStart)
    if (path.includes('%')) path = safeDecode(path)
    respond(new NodeExchange(req, res, path, queryStart === -1 ? '' : url.slice(queryStart + 1), settings.clientAddress))
  }

  function respond(exchange: NodeExchange, route?: RouteMatch): void {
    const res = exchange.res
    const reply = handleHttp(exchange, settings, route)
    if (!(reply instanceof Promise)) {
      const sent = write(res, reply)
      if (sent === undefined) return
      inFlight.begin()
      return void sent.finally(() => inFlight.end())
    }
    inFlight.begin()
    reply.then(
      async (done) => {
        await write(res, done)
        inFlight.end()
      },
      (error: unknown) => {
        console.error('[mizan] request failed:', error)
        write(res, { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"INTERNAL_SERVER_ERROR","status":500,"message":"Internal server error"}}' })
        inFlight.end()
      },
    )
  }
}

/** The path of a request target, still percent-encoded, without its query. */
function rawPathOf(url: string): string {
  const queryStart = url.indexOf('?')
  return queryStart === -1 ? url : url.slice(0, queryStart)
}

function queryOf(url: string): string {
  const queryStart = url.indexOf('?')
  return queryStart === -1 ? '' : url.slice(queryStart + 1)
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** Writes a reply; a body of bytes resolves once sent (see writeBytes). */
function write(res: ServerResponse, reply: HttpReply): void | Promise<void> {
  if (reply.body instanceof LineBody) return writeLines(res, reply, reply.body)
  if (reply.body instanceof EventBody) return writeEvents(res, reply, reply.body)
  if (reply.body !== null && typeof reply.body !== 'string') return writeBytes(res, reply)
  if (res.headersSent || res.destroyed) return
  // A refused body may still be arriving: close the connection rather than read it.
  if (reply.status === 413) reply.headers['connection'] = 'close'
  // A known length lets Node send headers and body in one write instead of chunked framing.
  if (reply.body !== null) reply.headers['content-length'] = String(Buffer.byteLength(reply.body))
  res.writeHead(reply.status, reply.headers)
  res.end(reply.body ?? undefined)
}

/**
 * A reply whose body is bytes: a Blob with its length, a stream chunked as it comes. Resolves once
 * sent, or once the client has gone (the stream is then cancelled). A stream that fails midway
 * cuts the connection: the client sees a truncated body, never a wrong one.
 */
async function writeBytes(res: ServerResponse, reply: HttpReply): Promise<void> {
  const body = reply.body as Blob | ReadableStream<Uint8Array>
  const stream = body instanceof Blob ? body.stream() : body
  if (res.headersSent || res.destroyed || res.req.method === 'HEAD') {
    if (!res.headersSent && !res.destroyed) {
      if (body instanceof Blob) reply.headers['content-length'] = String(body.size)
      res.writeHead(reply.status, reply.headers).end()
    }
    await stream.cancel().catch(() => {})
    return
  }
  if (body instanceof Blob) reply.headers['content-length'] = String(body.size)
  res.writeHead(reply.status, reply.headers)
  const source = nodeStream().Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>)
  await new Promise<void>((resolve) => {
    const done = (error?: unknown) => {
      source.off('error', done)
      res.off('close', onClose)
      if (error !== undefined) {
        console.error('[mizan] a binary result failed while sent:', error)
        res.destroy()
      }
      resolve()
    }
    const onClose = () => {
      if (!res.writableFinished) source.destroy()
      done()
    }
    source.once('error', done)
    res.once('close', onClose)
    res.once('finish', () => done())
    source.pipe(res)
  })
}

/**
 * A streamed reply: the head at once, then each text as the body gives it. The next is asked for
 * only once the last was taken: after a `write` that filled the socket's buffer, only on `drain`,
 * so a reader that does not read holds the producer still. When the client goes away the body is
 * cancelled at once (a stream's signal aborts, its `finally` runs). Resolves once done either way.
 */
async function writeLines(res: ServerResponse, reply: HttpReply, body: LineBody): Promise<void> {
  if (res.headersSent || res.destroyed || res.req.method === 'HEAD') {
    if (!res.headersSent && !res.destroyed) res.writeHead(reply.status, reply.headers).end()
    await body.cancel()
    return
  }
  res.writeHead(reply.status, reply.headers)
  // The head goes now: a client resolves its call once it arrives, before the first value.
  res.flushHeaders()
  let gone = false
  let wake: (() => void) | undefined
  const onClose = () => {
    if (res.writableFinished) return
    gone = true
    wake?.()
    body.cancel().catch((error: unknown) => console.error('[mizan] a stream failed to stop:', error))
  }
  res.once('close', onClose)
  try {
    for (;;) {
      const text = await body.next()
      if (text === undefined || gone) break
      if (res.write(text)) continue
      await new Promise<void>((resolve) => {
        wake = resolve
        res.once('drain', resolve)
      })
      res.off('drain', wake!)
      wake = undefined
      if (gone) break
    }
    if (!gone) res.end()
  } catch (error) {
    // A fault of the writer itself, never of a handler (those are error lines): cut, never wrong.
    console.error('[mizan] a streamed reply failed while sent:', error)
    res.destroy()
    await body.cancel().catch(() => {})
  } finally {
    res.off('close', onClose)
  }
}

/**
 * An event stream: the head at once, then events written straight to the response as the
 * connection sends them (no promise per event: a broadcast reaches many streams); the client going
 * away disposes its connection. It returns at once: a stream lives as long as its client, and
 * holding the request's exchange (or an in-flight count) all that time would cost every idle
 * stream memory and keep a server's drain waiting on it.
 */
function writeEvents(res: ServerResponse, reply: HttpReply, body: EventBody): void {
  if (res.headersSent || res.destroyed) return body.cancel()
  res.writeHead(reply.status, reply.headers)
  res.flushHeaders()
  res.once('close', () => body.cancel())
  body.attach(new ResponseSink(res))
}

/** Where an event stream's text goes on Node: its response, written straight. */
class ResponseSink implements EventSink {
  constructor(private readonly res: ServerResponse) {}

  write(text: string): boolean {
    return this.res.write(text)
  }

  /** What the response holds and what its socket has yet to send. */
  buffered(): number {
    return this.res.writableLength
  }

  whenDrained(drained: () => void): void {
    const res = this.res
    if (res.writableLength === 0 || res.destroyed) return drained()
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      drained()
    }
    res.once('drain', done)
    res.once('close', done)
  }

  end(): void {
    this.res.end()
  }
}

class NodeHeaders {
  constructor(private readonly req: IncomingMessage) {}
  get(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()]
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
  }
}

class NodeExchange extends BaseExchange implements HttpExchange {
  private controller: AbortController | undefined
  readonly method: string

  constructor(
    private readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
    readonly query: string,
    private readonly addressOf: ClientAddressOf | undefined,
  ) {
    super()
    this.method = req.method ?? 'GET'
  }

  clientAddress(): string | undefined {
    return nodeClientAddress(this.req, this.addressOf)
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }

  parsedBody(): unknown {
    // Express with express.json() has consumed the stream already and left the result here.
    const body = (this.req as { body?: unknown }).body
    return this.req.readableEnded && typeof body === 'object' && body !== null ? body : undefined
  }

  bodyStream(): Promise<Readable | undefined> {
    return Promise.resolve(this.req.readableEnded ? undefined : this.req)
  }

  bodyConsumed(): boolean {
    return this.req.readableEnded
  }

  abandonBody(): void {
    // Nothing more is read; the reply closes the connection (`connection: close`).
    this.req.pause()
  }

  readBody(limit: number): Promise<string> {
    const req = this.req
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      const onData = (chunk: Buffer) => {
        size += chunk.length
        if (size > limit) {
          cleanup()
          req.pause()
          reject(tooLarge(limit))
          return
        }
        chunks.push(chunk)
      }
      const onEnd = () => {
        cleanup()
        resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'))
      }
      const onError = (error: Error) => {
        cleanup()
        reject(new MizanError('BAD_REQUEST', 'The request body could not be read', { cause: error }))
      }
      const cleanup = () => {
        req.off('data', onData)
        req.off('end', onEnd)
        req.off('error', onError)
      }
      req.on('data', onData)
      req.on('end', onEnd)
      req.on('error', onError)
    })
  }

  override setsCookie(): boolean {
    // Cookies set straight on Node's response (by Express middleware, say) count as much as ours.
    return super.setsCookie() || this.res.hasHeader('set-cookie')
  }

  signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = (this.controller = new AbortController())
      const res = this.res
      if (res.destroyed && !res.writableFinished) controller.abort()
      else res.once('close', () => res.writableFinished || controller.abort())
    }
    return this.controller.signal
  }

  contextOptions(): ContextOptions {
    const resHeaders = this.resHeaders
    const req = this.req
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    const view: MizanRequest = { method: this.method, url, headers: new NodeHeaders(req) }
    return { req: view, resHeaders, transport: 'http', node: { req, res: this.res } }
  }
}

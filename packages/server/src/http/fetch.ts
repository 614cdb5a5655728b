import type { Readable } from 'node:stream'
import { MizanError } from '../errors.js'
import { readLimited } from './read-stream.js'
import { BaseExchange, type ContextOptions, type HttpExchange, type HttpReply } from './exchange.js'
import { handleHttp, refusal, tooLarge, type HttpSettings } from './handle.js'
import type { ClientAddressOf } from '../rate-limit/address.js'
import { LineBody } from '../streams/line-body.js'
import { EventBody } from '../realtime/sse/event-body.js'

/** A Web-standard handler for Bun, Deno, Cloudflare Workers, Next.js route handlers and Hono. */
export type FetchHandler = (request: Request) => Promise<Response>

/** Builds the fetch adapter over the same protocol as the Node one. */
export function createFetchHandler(settings: HttpSettings, basePath: string): FetchHandler {
  return async (request) => {
    const url = new URL(request.url)
    const target = url.pathname + url.search
    const origin = request.headers.get('origin') ?? undefined
    // Routes (`m.route`) first, on the raw path: under the base path or absolute.
    const routed = settings.routes === undefined || target.length > settings.limits.maxURLLength ? undefined : settings.routes.match(url.pathname, request.method)
    if (routed !== undefined) {
      const exchange = new FetchExchange(request, url.pathname, url.search.slice(1), target, settings.clientAddress)
      return toResponse(await handleHttp(exchange, settings, routed), request)
    }
    const rest = url.pathname.charCodeAt(basePath.length)
    if (!url.pathname.startsWith(basePath) || (rest !== 47 && !Number.isNaN(rest))) {
      return toResponse(refusal(new MizanError('NOT_FOUND', 'Not a Mizan path'), settings, origin), request)
    }
    if (target.length > settings.limits.maxURLLength) {
      const error = new MizanError('URI_TOO_LONG', `The URL exceeds ${settings.limits.maxURLLength} characters`)
      return toResponse(refusal(error, settings, origin), request)
    }
    let path = url.pathname.slice(basePath.length + 1)
    try {
      path = decodeURIComponent(path)
    } catch {
      // keep it as it came: it will not name a procedure
    }
    const exchange = new FetchExchange(request, path, url.search.slice(1), target, settings.clientAddress)
    return toResponse(await handleHttp(exchange, settings), request)
  }
}

function toResponse(reply: HttpReply, request: Request): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(reply.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else headers.set(name, value)
  }
  const body = reply.body instanceof LineBody ? linesStream(reply.body) : reply.body instanceof EventBody ? eventStream(reply.body) : reply.body
  // A Blob's length is known: said, as the Node adapter does (a runtime may not add it itself).
  if (body instanceof Blob) headers.set('content-length', String(body.size))
  if (request.method === 'HEAD') {
    // No one reads a HEAD body: a stream is let go of.
    if (body instanceof ReadableStream) body.cancel().catch(() => {})
    return new Response(null, { status: reply.status, headers })
  }
  return new Response(body, { status: reply.status, headers })
}

/**
 * A streamed reply as a Web stream pulled on demand: a text is asked of the body only when the
 * runtime reads (no high-water mark: nothing is made ahead), and a reader that cancels (the client
 * went away) cancels the body.
 */
function linesStream(body: LineBody): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const text = await body.next()
        if (text === undefined) controller.close()
        else controller.enqueue(encoder.encode(text))
      },
      cancel: () => body.cancel(),
    },
    { highWaterMark: 0 },
  )
}

/**
 * An event stream as a Web stream: events are enqueued as the connection sends them; what the
 * stream holds unread is what the slow-consumer limit counts. A reader that cancels (the client
 * went away) disposes the connection.
 */
function eventStream(body: EventBody): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let drained: (() => void)[] = []
  let open = true
  const release = () => {
    const waiting = drained
    drained = []
    waiting.forEach((each) => each())
  }
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        body.attach({
          write(text) {
            if (!open) return false
            controller.enqueue(encoder.encode(text))
            return (controller.desiredSize ?? 0) > 0
          },
          buffered: () => (open ? Math.max(0, -(controller.desiredSize ?? 0)) : 0),
          whenDrained(done) {
            if (!open || (controller.desiredSize ?? 0) >= 0) return done()
            drained.push(done)
          },
          end() {
            if (!open) return
            open = false
            controller.close()
            release()
          },
        })
      },
      // Asked for more: what was queued has been read.
      pull: () => release(),
      cancel() {
        open = false
        release()
        body.cancel()
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  )
}

class FetchExchange extends BaseExchange implements HttpExchange {
  readonly method: string

  constructor(
    private readonly request: Request,
    readonly path: string,
    readonly query: string,
    private readonly target: string,
    private readonly addressOf: ClientAddressOf | undefined,
  ) {
    super()
    this.method = request.method
  }

  /** Fetch exposes no socket: the address is only what the server's `clientAddress` option reads. */
  clientAddress(): string | undefined {
    return this.addressOf?.({ headers: this.request.headers, remoteAddress: undefined, request: this.request })
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined
  }

  parsedBody(): unknown {
    return undefined
  }

  private stream: Readable | undefined

  async bodyStream(): Promise<Readable | undefined> {
    const body = this.request.body
    if (body === null || body.locked) return undefined
    // node:stream is loaded with the first upload only: fetch runtimes that take none never need it.
    const { Readable } = await import('node:stream')
    return (this.stream = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>))
  }

  bodyConsumed(): boolean {
    return this.request.body === null || (this.stream?.readableEnded ?? false)
  }

  abandonBody(): void {
    // Cancels the request body: the runtime stops receiving it.
    if (this.stream !== undefined) this.stream.destroy()
    else if (this.request.body !== null && !this.request.body.locked) this.request.body.cancel().catch(() => {})
  }

  async readBody(limit: number): Promise<string> {
    const body = this.request.body
    if (body === null) return ''
    const bytes = await readLimited(body, limit, () => tooLarge(limit))
    return new TextDecoder().decode(bytes)
  }

  signal(): AbortSignal {
    return this.request.signal
  }

  contextOptions(): ContextOptions {
    const resHeaders = this.resHeaders
    const request = this.request
    return { req: { method: this.method, url: this.target, headers: request.headers }, resHeaders, transport: 'http', request }
  }
}

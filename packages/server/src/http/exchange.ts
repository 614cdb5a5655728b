import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { TicketClaims } from '../realtime/ticket.js'
import type { LineBody } from '../streams/line-body.js'
import type { EventBody } from '../realtime/sse/event-body.js'

/** The request as `createContext` sees it, the same shape on every runtime. */
export interface MizanRequest {
  readonly method: string
  /** The request target as received: path and query (`/api/mizan/posts.list?input=...`). */
  readonly url: string
  readonly headers: { get(name: string): string | null }
}

/** Headers a context or handler adds to the response (`set-cookie` on sign-in, for example). */
export class ResponseHeaders {
  /** @internal */ entries: [string, string][] | undefined

  /** Replaces every value of `name`. */
  set(name: string, value: string): void {
    this.delete(name)
    this.append(name, value)
  }

  /** Adds a value of `name`, keeping the others (as `set-cookie` needs). */
  append(name: string, value: string): void {
    ;(this.entries ??= []).push([name.toLowerCase(), value])
  }

  /** Removes every value of `name`. */
  delete(name: string): void {
    const key = name.toLowerCase()
    if (this.entries !== undefined) this.entries = this.entries.filter(([k]) => k !== key)
  }

  /** The first value of `name`, or `null`. */
  get(name: string): string | null {
    const key = name.toLowerCase()
    return this.entries?.find(([k]) => k === key)?.[1] ?? null
  }
}

/** What `createContext` receives. */
export interface ContextOptions {
  req: MizanRequest
  /** Headers to add to the response (ignored over WebSocket: the upgrade has been answered). */
  resHeaders: ResponseHeaders
  /**
   * `http` for an HTTP request; `ws` for a WebSocket connection (built once, at the upgrade); `sse`
   * for a Server-Sent Events stream (built once when it opens) and for each POST of its frames.
   */
  transport: 'http' | 'ws' | 'sse'
  /** The Node request (and response, over HTTP), when served by Node (Express's `req.user` lives here). */
  node?: { req: IncomingMessage; res?: ServerResponse }
  /** The Web request, when served by `fetchHandler`. */
  request?: Request
  /** Over a WebSocket or event stream that requires tickets: the verified ticket's claims (`sub` is the principal). */
  ticket?: TicketClaims
}

/**
 * One HTTP request as the protocol needs it. Each adapter (node, fetch) builds one from its own
 * request type, so the protocol is written once.
 */
export interface HttpExchange {
  readonly method: string
  /** The part of the path after the base path, without the leading `/` (`posts.list`). */
  readonly path: string
  /** The query string without `?`. */
  readonly query: string
  /** A request header by lower-case name. */
  header(name: string): string | undefined
  /** The body as text, refusing more than `limit` bytes with 413. */
  readBody(limit: number): Promise<string>
  /** A body that a framework already parsed (Express's `req.body`), else `undefined`. */
  parsedBody(): unknown
  /**
   * The body as a Node stream, for a multipart upload to read as it arrives; `undefined` when there
   * is none, or something read it already.
   */
  bodyStream(): Promise<Readable | undefined>
  /** True once the body has been read to its end (or there was none). */
  bodyConsumed(): boolean
  /** The request was refused while its body still arrives: stop it, the rest is never read. */
  abandonBody(): void
  /** A signal aborted when the client goes away; made on first use. */
  signal(): AbortSignal
  /** Headers the context and handlers add to the response. */
  readonly resHeaders: ResponseHeaders
  /** The argument of `createContext`. */
  contextOptions(): ContextOptions
  /** True when the response will set cookies: then no cache may keep it. */
  setsCookie(): boolean
  /** HTTP sends a cached answer's stored body as it is, never decoding it. */
  readonly wantsCachedBody: true
  /** The client's address (the server's `clientAddress` option, else the socket's peer), for rate limits. */
  clientAddress(): string | undefined
}

/**
 * What the protocol answers; the adapter writes it out. A body is JSON text, bytes a handler
 * returned (a Blob or File, sent with its length; a stream, sent as it comes), or lines of a
 * streamed result (a {@link LineBody}, written as they come, each once the last was taken), or the
 * events of a realtime connection (an {@link EventBody}, open until either side ends it).
 */
export interface HttpReply {
  status: number
  headers: Record<string, string | string[]>
  body: string | Blob | ReadableStream<Uint8Array> | LineBody | EventBody | null
}

/** What both adapters' exchanges share: the response headers, the connection they name, cookies. */
export abstract class BaseExchange {
  readonly resHeaders = new ResponseHeaders()
  readonly wantsCachedBody = true

  abstract header(name: string): string | undefined

  /** The caller's own WebSocket connection, which need not hear the invalidations this call's reply carries. */
  get connectionId(): string | undefined {
    const id = this.header('x-mizan-connection')
    return id !== undefined && id.length <= 64 ? id : undefined
  }

  setsCookie(): boolean {
    return this.resHeaders.get('set-cookie') !== null
  }
}

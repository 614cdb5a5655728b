import { EventStreamError, EventStreamParser } from './event-stream.js'

/**
 * The realtime connection over Server-Sent Events, shaped as the part of the browser's `WebSocket`
 * the link uses, so one piece of code reads the frames of both transports:
 *
 * - `GET {eventsUrl}` opens the event stream; each event's `data` is one server frame, the first a
 *   `hello` that also carries the connection's `session` secret. `event: close` (data
 *   `{"code","reason"}`) is the server closing the connection.
 * - `send` POSTs client frames to `{eventsUrl}` with `x-mizan-session` (the secret never goes in a
 *   URL), as `application/x-ndjson`. Frames must arrive in order: while a POST is in flight the
 *   next frames wait, then go together in one POST.
 *
 * Refusals before the stream become close codes the link knows: 401 → 4401 (get a new ticket),
 * 503 → 1013 (try later), anything else → 1006 (could not open). A POST refused for an unknown
 * session (404) or any other reason loses frames, so the connection closes and the link reconnects.
 */

/** What an {@link SseSocket} needs. */
export interface SseSocketOptions {
  /** `{url}/_events`. */
  url: string
  fetch: typeof fetch
  /** The client's own headers, asked before each request. */
  headers: () => Promise<Record<string, string>>
  /** Sent as `x-mizan-ticket` on the GET, never in the URL. */
  ticket?: string | undefined
  /** Sent as `Last-Event-ID`: where a resumed stream takes up. */
  lastEventId?: string | undefined
  /** Bytes of one line (and one event) of the stream at most. */
  maxLineBytes: number
}

/** Close codes, as a WebSocket's. */
const ABNORMAL = 1006
const POLICY = 1008
const TOO_BIG = 1009
const TRY_LATER = 1013
const TICKET_REFUSED = 4401

const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

export class SseSocket {
  readyState: number = CONNECTING
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: string; lastEventId: string }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  /** The secret the hello named: POSTs carry it. */
  private session: string | undefined
  /** The last event id the stream sent (`''` before any): where a new stream would take up. */
  lastEventId = ''
  private readonly queue: string[] = []
  private posting = false
  private readonly controller = new AbortController()

  constructor(private readonly options: SseSocketOptions) {
    void this.run()
  }

  /** Queues a frame; it goes in the next POST, after the frames sent before it. */
  send(text: string): void {
    if (this.readyState !== OPEN) throw new Error('InvalidStateError: the event stream is not open')
    this.queue.push(text)
    void this.flush()
  }

  /** Closes the connection: the stream and any POST in flight are aborted. */
  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.queue.length = 0
    this.controller.abort()
    // After the caller's own code has run, as a WebSocket reports its close.
    queueMicrotask(() => this.onclose?.({ code, reason }))
  }

  private async run(): Promise<void> {
    let response: Response
    try {
      const headers: Record<string, string> = { ...(await this.options.headers()), accept: 'text/event-stream' }
      if (this.options.ticket !== undefined) headers['x-mizan-ticket'] = this.options.ticket
      if (this.options.lastEventId !== undefined && this.options.lastEventId !== '') headers['last-event-id'] = this.options.lastEventId
      if (this.readyState === CLOSED) return
      response = await this.options.fetch(this.options.url, { method: 'GET', headers, signal: this.controller.signal })
    } catch (error) {
      return this.fail(ABNORMAL, error)
    }
    const type = typeof response.headers?.get === 'function' ? response.headers.get('content-type') : null
    if (response.status !== 200 || type === null || !/^text\/event-stream\b/i.test(type) || response.body === null) {
      void response.body?.cancel().catch(() => {})
      return this.fail(response.status === 401 ? TICKET_REFUSED : response.status === 503 ? TRY_LATER : ABNORMAL, undefined)
    }
    if (this.readyState === CLOSED) return void response.body.cancel().catch(() => {})
    this.readyState = OPEN
    this.onopen?.({})
    const parser = new EventStreamParser(this.options.maxLineBytes)
    const reader = response.body.getReader()
    try {
      for (;;) {
        const read = await reader.read()
        if (this.readyState === CLOSED) return
        if (read.done) return this.fail(ABNORMAL, undefined)
        const chunk: unknown = read.value
        // Bytes of another realm (a test environment's) are bytes all the same.
        if (!ArrayBuffer.isView(chunk)) return this.fail(POLICY, undefined)
        for (const event of parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
          if (this.readyState === CLOSED) return
          this.lastEventId = event.lastEventId
          if (event.type === 'close') return this.serverClosed(event.data)
          if (event.type === 'message') this.frame(event.data)
        }
      }
    } catch (error) {
      this.fail(error instanceof EventStreamError ? TOO_BIG : ABNORMAL, error)
    } finally {
      reader.cancel().catch(() => {})
    }
  }

  /** A frame for the link; the hello's session secret is kept first, so sends may follow it at once. */
  private frame(data: string): void {
    if (this.session === undefined) {
      const session = helloSession(data)
      if (session !== undefined) {
        this.session = session
        void this.flush()
      }
    }
    this.onmessage?.({ data, lastEventId: this.lastEventId })
  }

  /** `event: close`: the server's code when it is one a WebSocket could carry, else "abnormal". */
  private serverClosed(data: string): void {
    let code = ABNORMAL
    let reason = ''
    try {
      const body = JSON.parse(data) as { code?: unknown; reason?: unknown } | null
      if (typeof body?.code === 'number' && Number.isInteger(body.code) && body.code >= 1000 && body.code <= 4999) code = body.code
      if (typeof body?.reason === 'string') reason = body.reason.slice(0, 123)
    } catch {
      // Not JSON: closed all the same.
    }
    this.close(code, reason)
  }

  /** Sends the queued frames in one POST, unless one is in flight: its return sends the rest. */
  private async flush(): Promise<void> {
    if (this.posting || this.queue.length === 0 || this.session === undefined || this.readyState !== OPEN) return
    this.posting = true
    const body = this.queue.splice(0).join('\n')
    let status: number
    try {
      const headers = { ...(await this.options.headers()), 'content-type': 'application/x-ndjson', 'x-mizan-session': this.session }
      if (this.readyState !== OPEN) return
      const response = await this.options.fetch(this.options.url, { method: 'POST', headers, body, signal: this.controller.signal })
      status = response.status
      void response.body?.cancel().catch(() => {})
    } catch (error) {
      return this.fail(ABNORMAL, error)
    } finally {
      this.posting = false
    }
    // Frames that did not reach the server leave calls unanswered: the connection is lost.
    if (status !== 204 && status !== 202) return this.fail(status === 413 ? TOO_BIG : status === 400 || status === 403 || status === 415 ? POLICY : ABNORMAL, undefined)
    void this.flush()
  }

  private fail(code: number, error: unknown): void {
    if (this.readyState === CLOSED) return
    if (error !== undefined) this.onerror?.({ error })
    this.close(code)
  }
}

/** The `session` of a hello frame, or `undefined` for any other frame. */
function helloSession(data: string): string | undefined {
  // Cheap test first: most frames are not hellos, and a hello comes first.
  if (!data.includes('"hello"')) return undefined
  try {
    const frame = JSON.parse(data) as { type?: unknown; session?: unknown } | null
    return frame?.type === 'hello' && typeof frame.session === 'string' ? frame.session : undefined
  } catch {
    return undefined
  }
}

import type { ServerSocket } from '../connection.js'

/**
 * Where an event stream's text goes: the Node adapter writes straight to the response, the fetch
 * adapter enqueues into a `ReadableStream`.
 */
export interface EventSink {
  /** Writes text; `false` when the sink's buffer is past its mark (the text is kept all the same). */
  write(text: string): boolean
  /** Bytes written but not yet taken by the client. */
  buffered(): number
  /** Calls `drained` once what is buffered now has been taken (or the sink is gone). */
  whenDrained(drained: () => void): void
  /** Ends the stream. */
  end(): void
}

const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

type Event = 'pong' | 'close' | 'error'

/**
 * A {@link ServerSocket} over a Server-Sent Events stream, so that an event stream runs the same
 * `Connection` as a WebSocket. Each frame is one `data:` event; a heartbeat is a comment; closing
 * sends an `event: close` with the code and reason, as a WebSocket's close frame carries them.
 *
 * Until the adapter attaches its sink, text waits here (the hello may be ready before the
 * response's head is written); the peer counts as open from the start.
 */
export class SsePeer implements ServerSocket {
  readonly OPEN = OPEN
  private state = OPEN
  private sink: EventSink | undefined
  private waiting: string[] = []
  private waitingBytes = 0
  /** Listeners in the order added: a connection holds a few, so one small list costs less than a map of lists. */
  private listeners: [event: Event, listener: () => void][] = []

  get readyState(): number {
    return this.state
  }

  get bufferedAmount(): number {
    return this.sink === undefined ? this.waitingBytes : this.sink.buffered()
  }

  /** The adapter's sink: what waited is written now, the rest as it comes. */
  attach(sink: EventSink): void {
    if (this.state === CLOSED) return sink.end()
    this.sink = sink
    const waiting = this.waiting
    this.waiting = []
    this.waitingBytes = 0
    if (waiting.length > 0) sink.write(waiting.join(''))
    if (this.state === CONNECTING) this.finish()
  }

  send(text: string, written?: (error?: Error) => void): void {
    this.sendWithId(text, undefined)
    if (written === undefined) return
    if (this.state !== OPEN || this.sink === undefined) return written()
    this.sink.whenDrained(() => written())
  }

  /** Writes one frame as a `data:` event, preceded by its `id:` when it has a usable one. */
  sendWithId(text: string, eventId: string | undefined): void {
    if (this.state !== OPEN) return
    this.write(eventText(text, eventId))
  }

  /** A heartbeat comment; answered at once while the stream can still be written (see Connection.ping). */
  ping(): void {
    if (this.state !== OPEN) return
    this.write(': ping\n\n')
    if (this.state === OPEN) this.emit('pong')
  }

  close(code?: number, reason?: string): void {
    if (this.state !== OPEN) return
    this.write(`event: close\ndata: ${JSON.stringify({ code: code ?? 1000, reason: reason ?? '' })}\n\n`)
    this.end()
  }

  terminate(): void {
    if (this.state === OPEN) this.end()
  }

  /** The client went away (the response closed, the stream was cancelled): nothing more is written. */
  gone(): void {
    if (this.state === CLOSED) return
    this.state = CLOSED
    this.waiting = []
    this.emit('close')
  }

  on(event: Event, listener: () => void): this {
    this.listeners.push([event, listener])
    return this
  }

  once(event: 'close', listener: () => void): this {
    const wrapped = () => {
      this.off(event, wrapped)
      listener()
    }
    return this.on(event, wrapped)
  }

  private off(event: Event, listener: () => void): void {
    const at = this.listeners.findIndex(([each, added]) => each === event && added === listener)
    if (at !== -1) this.listeners.splice(at, 1)
  }

  private emit(event: Event): void {
    for (const [each, listener] of [...this.listeners]) if (each === event) listener()
  }

  private write(text: string): void {
    if (this.sink !== undefined) {
      this.sink.write(text)
      return
    }
    this.waiting.push(text)
    this.waitingBytes += text.length
  }

  /** Ends the stream once what waits for the sink is written. */
  private end(): void {
    if (this.sink === undefined) {
      // Ended before the adapter attached: `attach` writes what waits, then ends.
      this.state = CONNECTING
      return
    }
    this.finish()
  }

  private finish(): void {
    this.sink!.end()
    this.gone()
  }
}

/**
 * One server frame as an event: `id:` first when given, then a `data:` line per line of the frame.
 * A frame is JSON, which has no raw newline; it is split all the same, so that nothing in it can
 * ever start a field of its own. An id with a line break is dropped: it would end the field.
 */
export function eventText(text: string, eventId?: string): string {
  const id = eventId === undefined || eventId.includes('\n') || eventId.includes('\r') ? '' : `id: ${eventId}\n`
  const data = text.includes('\n') || text.includes('\r') ? text.split(/\r\n|\r|\n/).join('\ndata: ') : text
  return `${id}data: ${data}\n\n`
}

/**
 * Reading a `text/event-stream` body (Server-Sent Events) as it arrives. The body comes off the
 * network: a line, and the data of one event, are bounded in bytes, so memory holds at most one
 * event; the work is linear in the bytes read; no input throws anything but {@link EventStreamError}.
 */

/** One event of the stream. */
export interface StreamEvent {
  /** The `event:` field; `'message'` when the event named none. */
  type: string
  /** The `data:` lines, joined with `\n`. */
  data: string
  /** The last `id:` the stream has sent, this event's or an earlier one's (`''` before any). */
  lastEventId: string
}

/** A line or an event longer than the bound: the stream cannot be read further. */
export class EventStreamError extends Error {
  override readonly name = 'EventStreamError'
}

const LF = 0x0a
const CR = 0x0d

/**
 * An incremental event-stream parser: {@link push} it the body's chunks, it returns the events they
 * complete. Lines end with CRLF, LF or CR (a CR at the end of a chunk and an LF at the start of the
 * next are one line end). Comments (`: ping`) and unknown fields are ignored; an event without
 * `data` is not dispatched, though its `id` counts; an event cut by the end of the body is dropped.
 *
 * Lines are split on the CR and LF bytes before decoding: UTF-8 never uses those bytes inside a
 * character, so a character split across chunks is decoded whole.
 */
export class EventStreamParser {
  private readonly decoder = new TextDecoder()
  /** The current line's bytes, as pieces of the chunks they came in. */
  private pieces: Uint8Array[] = []
  private lineBytes = 0
  /** The last chunk ended with a CR: an LF that starts the next one ends no further line. */
  private afterCR = false
  /** No line has been read yet: a byte order mark at the very start is skipped. */
  private first = true
  private data: string[] = []
  private dataBytes = 0
  private eventType = ''
  private idBuffer = ''
  private lastId = ''

  /** @param maxBytes bytes of one line, and of one event's data, at most. */
  constructor(private readonly maxBytes: number) {}

  /** The bytes held for the event being read: never more than twice the bound. */
  get buffered(): number {
    return this.lineBytes + this.dataBytes
  }

  /** Reads a chunk; returns the events it completed, in order. Throws {@link EventStreamError} past the bound. */
  push(chunk: Uint8Array): StreamEvent[] {
    const events: StreamEvent[] = []
    let start = 0
    if (this.afterCR && chunk.length > 0) {
      this.afterCR = false
      if (chunk[0] === LF) start = 1
    }
    for (let at = start; at < chunk.length; at++) {
      const byte = chunk[at]
      if (byte !== LF && byte !== CR) continue
      this.append(chunk.subarray(start, at))
      this.line(events)
      if (byte === CR) {
        if (at + 1 === chunk.length) this.afterCR = true
        else if (chunk[at + 1] === LF) at++
      }
      start = at + 1
    }
    if (start < chunk.length) this.append(chunk.subarray(start))
    return events
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.lineBytes += bytes.length
    if (this.lineBytes > this.maxBytes) throw new EventStreamError(`A line of the event stream is longer than ${this.maxBytes} bytes`)
    this.pieces.push(bytes)
  }

  private line(events: StreamEvent[]): void {
    let text = this.decode()
    if (this.first) {
      this.first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (text === '') return this.dispatch(events)
    if (text.charCodeAt(0) === 0x3a /* : */) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.charCodeAt(0) === 0x20) value = value.slice(1)
    switch (field) {
      case 'data':
        // Counted in UTF-16 units, at most the bytes they came from: the bound holds either way.
        this.dataBytes += value.length + 1
        if (this.dataBytes > this.maxBytes) throw new EventStreamError(`An event of the event stream is longer than ${this.maxBytes} bytes`)
        this.data.push(value)
        return
      case 'event':
        this.eventType = value
        return
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value
        return
    }
  }

  private dispatch(events: StreamEvent[]): void {
    this.lastId = this.idBuffer
    if (this.data.length > 0) events.push({ type: this.eventType === '' ? 'message' : this.eventType, data: this.data.join('\n'), lastEventId: this.lastId })
    this.data = []
    this.dataBytes = 0
    this.eventType = ''
  }

  private decode(): string {
    const pieces = this.pieces
    this.pieces = []
    this.lineBytes = 0
    if (pieces.length === 0) return ''
    if (pieces.length === 1) return this.decoder.decode(pieces[0])
    const whole = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0))
    let offset = 0
    for (const piece of pieces) {
      whole.set(piece, offset)
      offset += piece.length
    }
    return this.decoder.decode(whole)
  }
}

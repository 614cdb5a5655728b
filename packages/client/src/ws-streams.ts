import { MizanClientError, errorFromShape } from './errors.js'
import type { ClientInvalidation, InvalidationSource } from './http-link.js'
import { decodeErrorShape, decodeInvalidations, entryValue, notAReply, readEntry , undecodable } from './reply.js'
import type { ClientTransformer } from './serializer.js'
import { ValueStream } from './value-stream.js'

/**
 * The streamed calls of the WebSocket link. A call streams once its first `yield` frame comes
 * (`{"type":"yield","id","value":{"json","meta"?}}`): it resolves to a {@link ValueStream} fed by
 * the frames of its id, until the `result` frame with its end (`"done": true` and the return value
 * as `data`) or its error. A reader that stops sends `{"type":"cancel","id"}`. The frames of one
 * stream are handled in order, whatever the time each takes to decode.
 */

/** What the streams need of the link. */
export interface WsStreamsSettings {
  transformer: ClientTransformer
  onInvalidate: (invalidations: ClientInvalidation[], source: InvalidationSource) => void
  /** The reader of stream `id` stopped before its end: tell the server (the link sends `cancel`). */
  stopped: (id: string) => void
}

/** A call waiting for its answer, as the link holds it. */
export interface WaitingCall {
  path: string
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

interface OpenStream {
  readonly path: string
  readonly stream: ValueStream
  /** The frames of this stream, handled one after the other. */
  chain: Promise<void>
}

export class WsStreams {
  private readonly open = new Map<string, OpenStream>()

  constructor(private readonly settings: WsStreamsSettings) {}

  /** Streams still running: the socket stays open for them. */
  get size(): number {
    return this.open.size
  }

  has(id: string): boolean {
    return this.open.has(id)
  }

  /** The procedure path of stream `id` (`''` when there is none). */
  pathOf(id: string): string {
    return this.open.get(id)?.path ?? ''
  }

  /** A result frame of a call that was not streaming yet, and says it ends a stream (one that yielded nothing). */
  static isEnd(result: unknown): boolean {
    return typeof result === 'object' && result !== null && (result as { done?: unknown }).done === true
  }

  /** Makes call `id` a stream and resolves it to that stream; its frames then go to {@link yielded} and {@link result}. */
  start(id: string, call: WaitingCall): void {
    const stream = new ValueStream(() => {
      if (this.open.get(id)?.stream !== stream) return
      this.open.delete(id)
      this.settings.stopped(id)
    })
    this.open.set(id, { path: call.path, stream, chain: Promise.resolve() })
    call.resolve(stream)
  }

  /** A `yield` frame: the value, decoded, to the stream's reader. A value that does not decode fails the stream. */
  yielded(id: string, value: unknown): void {
    this.then(id, async (state) => {
      const envelope = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { json?: unknown; meta?: unknown }) : undefined
      try {
        if (envelope === undefined) throw new TypeError('not a value envelope')
        state.stream.push(await this.settings.transformer.decode(envelope.json, envelope.meta))
      } catch (error) {
        this.end(id, state, () => state.stream.fail(undecodable(state.path, 0, error)))
      }
    })
  }

  /** The `result` frame of stream `id`: its return value, or its error; invalidations announced first. */
  result(id: string, result: unknown): void {
    this.then(id, async (state) => {
      const entry = readEntry(result)
      if (entry?.invalidate !== undefined && entry.invalidate.length > 0) {
        this.settings.onInvalidate(await decodeInvalidations(this.settings.transformer, entry.invalidate), { path: state.path, input: undefined })
      }
      if (entry === undefined || entry.failed) {
        const error = entry?.error === undefined ? notAReply(state.path) : errorFromShape(await decodeErrorShape(this.settings.transformer, entry.error), state.path)
        return this.end(id, state, () => state.stream.fail(error))
      }
      let value: unknown
      try {
        value = await entryValue(this.settings.transformer, entry)
      } catch (error) {
        return this.end(id, state, () => state.stream.fail(undecodable(state.path, 0, error)))
      }
      this.end(id, state, () => state.stream.end(value))
    })
  }

  /** An `error` frame for stream `id`: the stream fails with it. */
  failed(id: string, error: MizanClientError): void {
    this.then(id, async (state) => this.end(id, state, () => state.stream.fail(error)))
  }

  /** The call's signal fired: its stream stops at once, and the server is told. */
  cancel(id: string, reason: unknown): void {
    this.open.get(id)?.stream.cancel(reason)
  }

  /** The socket closed: every stream fails, since its server side is gone with the connection. */
  closeAll(): void {
    for (const [id, state] of this.open) {
      this.open.delete(id)
      state.stream.fail(new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: 'The WebSocket closed before the stream ended' }, state.path))
    }
  }

  /** Runs `step` for stream `id` after its earlier frames; nothing when the stream is gone. */
  private then(id: string, step: (state: OpenStream) => Promise<void>): void {
    const state = this.open.get(id)
    if (state === undefined) return
    state.chain = state.chain.then(() => (this.open.get(id) === state ? step(state) : undefined)).catch(() => {})
  }

  private end(id: string, state: OpenStream, close: () => void): void {
    if (this.open.get(id) === state) this.open.delete(id)
    close()
  }
}


import { nodeCrypto } from '../builtins.js'
import type { Dispatcher } from '../dispatch.js'
import { MizanError, toErrorShape } from '../errors.js'
import type { InputDecoder } from '../input/decoder.js'
import type { MaybePromise } from '../maybe-promise.js'
import { resultText } from '../result-wire.js'
import { markDone } from '../streams/lines.js'
import { CallStream } from '../streams/call-stream.js'
import { whenLoaded } from '../transformer.js'
import type { CallEnv, CallResult } from '../dispatch.js'
import type { Transformer } from '@mizan/wire'
import type { ConnectionAudience } from './audience.js'
import type { Hub, PushTarget } from './hub.js'
import { ChannelJoins, pathOf } from './channel-joins.js'
import { RateLimiter, type SocketLimits } from './limits.js'

/**
 * What a connection uses of its `ws` socket. Written here rather than imported from `ws`, so that
 * Mizan's declarations load in an app that has not installed `@types/ws`.
 */
export interface ServerSocket {
  readonly readyState: number
  readonly OPEN: number
  readonly bufferedAmount: number
  /** Sends a frame; `written` runs once it has been written out (with an error if it never will be). */
  send(text: string, written?: (error?: Error) => void): void
  close(code?: number, reason?: string): void
  terminate(): void
  ping(): void
  on(event: 'pong' | 'close' | 'error', listener: () => void): unknown
  once(event: 'close', listener: () => void): unknown
  /**
   * Sends a frame under an event id, for transports that resume from one (Server-Sent Events);
   * those without it send the frame alone.
   */
  sendWithId?(text: string, eventId: string): void
}

/** What every connection of a socket server shares. */
export interface ConnectionSettings {
  readonly hub: Hub
  readonly dispatcher: Dispatcher
  readonly transformer: Transformer
  /** Turns frames into inputs within the input limits, the same way HTTP does. */
  readonly decoder: InputDecoder
  readonly limits: SocketLimits
  readonly isDev: boolean
  /** Called once a connection's socket has closed (the socket server forgets it then). */
  readonly closed?: (connection: Connection) => void
}

/** A call running on the connection, under its id: a `cancel` frame stops it. */
interface RunningCall {
  cancelled: boolean
  /** Once the call turned out to stream. */
  stream?: CallStream
}

/** Close codes the client acts on. */
export const CLOSE = {
  /** The server is restarting or shutting down: reconnect. */
  restart: 1012,
  /** Too many messages, or a malformed stream: reconnecting at once would do the same. */
  policy: 1008,
  /** A message over the size limit. */
  tooBig: 1009,
  /**
   * The server cannot take the connection now (its ticket replay store is full or unreachable): a
   * capacity problem, not an auth failure. The client reconnects with backoff, with a new ticket.
   */
  tryAgainLater: 1013,
} as const

/**
 * One WebSocket connection: frames in, frames out. Calls go through the dispatcher like HTTP
 * calls; subscriptions through the hub. A transport only frames and unframes.
 */
export class Connection implements PushTarget {
  readonly id = nodeCrypto().randomUUID()
  // Most connections sit idle for most of their life, and a server holds thousands: what only a
  // subscription, a call or a stream needs (maps, the rate limiter, the abort controller, the call
  // environment) is made the first time one comes, and never for a connection that stays idle.
  private channelJoins: ChannelJoins | undefined
  /** Channel subscriptions, made with the first `subscribe` frame. */
  private get joins(): ChannelJoins {
    if (this.channelJoins === undefined) {
      this.channelJoins = new ChannelJoins(this)
      // A frame after the end joins nothing, and leaves no listener behind.
      if (this.disposed) this.channelJoins.dispose()
    }
    return this.channelJoins
  }
  private callMap: Map<string, RunningCall> | undefined
  /** Calls running, by id: a `cancel` may name one before it has streamed, or while it streams. */
  private get calls(): Map<string, RunningCall> {
    return (this.callMap ??= new Map())
  }
  private streamSet: Set<CallStream> | undefined
  /** Streams sending, at most `maxSubscriptions` (the limit of long-lived things a connection holds). */
  private get streams(): Set<CallStream> {
    return (this.streamSet ??= new Set())
  }
  private limiter: RateLimiter | undefined
  /** Its bucket starts full, so making it at the first frame rather than at the connection changes nothing. */
  private get rate(): RateLimiter {
    return (this.limiter ??= new RateLimiter(this.settings.limits.messagesPerSecond))
  }
  private aborter: AbortController | undefined
  /** Until the hello: settles once the pushes are placed (with a cursor, whether all it missed was replayed). */
  private placing: Promise<boolean | undefined> | undefined
  /** Settles `closed`, once something waits for it. */
  private settleClosed: (() => void) | undefined
  private socketClosed = false
  alive = true

  constructor(
    private readonly ws: ServerSocket,
    readonly ctx: unknown,
    readonly settings: ConnectionSettings,
    private readonly audience: ConnectionAudience,
    /** The client's address, read once from the upgrade request: calls on this connection count under it. */
    private readonly address?: string,
    /**
     * The push cursor the client reconnected with (`?after=` on a WebSocket's URL, an event stream's
     * `Last-Event-ID`): client input, of which only its own push groups' entries count.
     */
    after?: string,
  ) {
    this.placing = settings.hub.listen(this, audience, after)
    ws.on('pong', () => (this.alive = true))
    ws.on('close', () => this.onClose())
    ws.on('error', () => this.dispose())
  }

  private callEnv: CallEnv | undefined
  /** The call environment the dispatcher sees for calls made on this connection. */
  get env(): CallEnv {
    return (this.callEnv ??= {
      signal: () => this.signal(),
      connectionId: this.id,
      clientAddress: () => this.address,
    })
  }

  /** The signal of the calls on this connection: aborted once it is gone. */
  private signal(): AbortSignal {
    if (this.aborter === undefined) {
      this.aborter = new AbortController()
      if (this.disposed) this.aborter.abort()
    }
    return this.aborter.signal
  }

  private onClose(): void {
    this.socketClosed = true
    this.dispose()
    this.settings.closed?.(this)
    this.settleClosed?.()
  }

  /**
   * Sends a serialized frame; `eventId` names it on transports that can resume (ignored by others).
   * Before the hello, frames wait (a replay of missed pushes is placed before it): the hello is
   * always a connection's first frame.
   */
  sendText(text: string, eventId?: string): void {
    if (!this.welcomed) {
      ;(this.early ??= []).push([text, eventId])
      return
    }
    this.write(text, eventId)
  }

  /** Frames sent before the hello, sent right after it. */
  private early: [text: string, eventId: string | undefined][] | undefined
  private welcomed = false

  private write(text: string, eventId: string | undefined): void {
    const ws = this.ws
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > this.settings.limits.maxBufferedBytes) {
      // A consumer this far behind is dropped, so it can never hold memory or slow the others.
      ws.terminate()
      return
    }
    if (eventId !== undefined && ws.sendWithId !== undefined) ws.sendWithId(text, eventId)
    else ws.send(text)
  }

  /**
   * Sends the hello frame: the connection id (for HTTP calls to name it), what may be called here,
   * the push cursor at open (`eid`), whether every push missed since the cursor the client came
   * back with was replayed (`resumed`), and what the transport adds (an event stream's `session`).
   */
  async hello(websocketPaths: readonly string[], extra?: Record<string, unknown>): Promise<void> {
    const placing = this.placing
    this.placing = undefined
    const resumed = await placing
    const eid = this.settings.hub.cursorOf(this, this.audience)
    const frame: Record<string, unknown> = { type: 'hello', connection: this.id, websocket: websocketPaths, ...extra }
    if (eid !== undefined) frame.eid = eid
    if (resumed !== undefined) frame.resumed = resumed
    this.welcomed = true
    this.write(JSON.stringify(frame), eid)
    const early = this.early
    this.early = undefined
    if (early !== undefined) for (const [text, eventId] of early) this.write(text, eventId)
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason)
  }

  /** Cuts the connection without a closing handshake. */
  terminate(): void {
    this.ws.terminate()
  }

  private closing: Promise<void> | undefined
  /** Resolves once the connection has closed. */
  get closed(): Promise<void> {
    return (this.closing ??= this.socketClosed ? Promise.resolve() : new Promise((resolve) => (this.settleClosed = resolve)))
  }

  /** For the heartbeat: pings, and closes a connection that did not answer the last ping. */
  ping(): void {
    if (!this.alive) {
      this.ws.terminate()
      return
    }
    this.alive = false
    this.ws.ping()
  }

  sendFrame(frame: Record<string, unknown>): void {
    this.sendText(JSON.stringify(frame))
  }

  /** Whether the socket is still open. */
  isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN
  }

  /** One incoming frame; the socket server feeds them in order, including those that came before the hello. */
  receive(data: unknown, isBinary: boolean): void {
    if (!this.rate.take()) return this.close(CLOSE.policy, 'too many messages')
    if (isBinary) return this.close(CLOSE.policy, 'binary frames are not part of the protocol')
    let frame: { type?: unknown; id?: unknown; [key: string]: unknown }
    try {
      // A frame wraps its input two levels deep: { "input": ... } inside the frame object.
      const parsed = this.settings.decoder.parse(String(data), 2, 'message')
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MizanError('BAD_REQUEST', 'A frame is a JSON object')
      frame = parsed as typeof frame
    } catch (error) {
      return this.sendFrame({ type: 'error', error: toErrorShape(error, this.settings.isDev) })
    }
    const id = typeof frame.id === 'string' ? frame.id : undefined
    // A `send` is answered under its own ref, so its failure is not mistaken for a refused join.
    const ref = frame.type === 'send' && typeof frame.ref === 'string' ? frame.ref : id
    const fail = (error: unknown) => {
      if (!(error instanceof MizanError) || error.status >= 500) {
        this.settings.dispatcher.onError({ error, path: typeof frame.path === 'string' ? frame.path : '(websocket)', ctx: this.ctx })
      }
      this.sendFrame({ type: 'error', id: ref, error: toErrorShape(error, this.settings.isDev) })
    }
    if (id === undefined) return fail(new MizanError('BAD_REQUEST', 'A frame needs a string id'))
    switch (frame.type) {
      case 'call':
        return void this.call(id, frame).catch(fail)
      case 'subscribe':
        return void this.joins.join(id, frame).catch(fail)
      case 'unsubscribe':
        return this.channelJoins?.unsubscribe(id)
      case 'cancel':
        return this.cancel(id)
      case 'send':
        return void this.joins.forward(id, frame).catch(fail)
      default:
        // Never String() a value from the wire: `{"toString":1}` would throw out of this handler.
        return fail(new MizanError('BAD_REQUEST', typeof frame.type === 'string' ? `Unknown frame type ${JSON.stringify(frame.type)}` : 'A frame needs a string type'))
    }
  }

  private async call(id: string, frame: Record<string, unknown>): Promise<void> {
    const path = pathOf(frame)
    const proc = this.settings.dispatcher.resolve(path)
    if (proc === undefined) throw new MizanError('NOT_FOUND', `No procedure at "${path}"`)
    if (proc.def.options.websocket !== true) throw new MizanError('METHOD_NOT_SUPPORTED', `"${path}" is not served over WebSocket`)
    const running: RunningCall = { cancelled: false }
    // An id names one call: a call still running under it is the earlier frame's, stopped.
    this.cancel(id)
    this.calls.set(id, running)
    try {
      const input = this.decode(frame.input, frame.meta)
      let result = await this.settings.dispatcher.call(proc, this.ctx, input instanceof Promise ? await input : input, this.env, frame.shape)
      const streamed = result.ok && result.data instanceof CallStream
      if (result.ok && result.data instanceof CallStream) {
        const stream = result.data
        if (running.cancelled || this.disposed) return void (await stream.return())
        if (this.streams.size >= this.settings.limits.maxSubscriptions) {
          void stream.return()
          throw new MizanError('TOO_MANY_REQUESTS', `A connection streams at most ${this.settings.limits.maxSubscriptions} results at once`)
        }
        running.stream = stream
        this.streams.add(stream)
        try {
          result = await this.pump(id, stream, running)
        } finally {
          this.streams.delete(stream)
        }
        // Cancelled, or the connection went: nothing more is sent for this id.
        if (running.cancelled || this.disposed) return
      }
      if (running.cancelled) return
      const written = resultText(result, this.settings.transformer, this.settings.isDev, (error) => this.settings.dispatcher.onError({ error, path, ctx: this.ctx }))
      const text = written instanceof Promise ? await written : written
      // A stream's end says so (`"done": true`), as its last HTTP line does: one that yielded nothing is still a stream.
      this.sendText(`{"type":"result","id":${JSON.stringify(id)},"result":${streamed && result.ok ? markDone(text) : text}}`)
    } finally {
      if (this.calls.get(id) === running) this.calls.delete(id)
    }
  }

  /**
   * Sends a stream's values as `yield` frames, pulling the next only once the socket has taken the
   * last (see {@link sendPaced}); resolves with how it ended, for the `result` frame.
   */
  private async pump(id: string, stream: CallStream, running: RunningCall): Promise<CallResult> {
    const opening = `{"type":"yield","id":${JSON.stringify(id)},"value":`
    const { transformer } = this.settings
    for (;;) {
      let step: IteratorResult<unknown, unknown>
      try {
        step = await stream.next()
      } catch (error) {
        return { ok: false, error, invalidations: stream.invalidations }
      }
      if (step.done === true) return { ok: true, data: step.value, invalidations: stream.invalidations }
      if (running.cancelled || this.disposed) return { ok: true, data: undefined, invalidations: [] }
      let value: string
      try {
        value = await whenLoaded(() => valueText(transformer.serialize(step.value)))
      } catch (error) {
        // A value the transformer cannot write ends the stream as failed; those before it went.
        try {
          await stream.throw(error)
        } catch (settled) {
          return { ok: false, error: settled, invalidations: stream.invalidations }
        }
        return { ok: false, error, invalidations: stream.invalidations }
      }
      await this.sendPaced(opening + value + '}')
    }
  }

  /**
   * Sends a frame of a stream. While the socket's buffer holds less than {@link PACE_BYTES} it
   * returns at once; past that it waits until this frame has been written out, so a slow reader
   * holds the stream still instead of filling the buffer up to the slow-consumer limit.
   */
  private sendPaced(text: string): Promise<void> {
    const ws = this.ws
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount < Math.min(PACE_BYTES, this.settings.limits.maxBufferedBytes / 2)) {
      this.sendText(text)
      return Promise.resolve()
    }
    if (ws.bufferedAmount > this.settings.limits.maxBufferedBytes) {
      ws.terminate()
      return Promise.resolve()
    }
    // The callback runs once written, or with an error once the socket is gone: it always runs.
    return new Promise((resolve) => ws.send(text, () => resolve()))
  }

  /** A `cancel` frame: the call of `id` stops (a stream is returned, its `finally` runs); an unknown id is ignored. */
  private cancel(id: string): void {
    const running = this.calls.get(id)
    if (running === undefined) return
    running.cancelled = true
    this.calls.delete(id)
    void running.stream?.return()
  }

  /** A frame's value; later when superjson has to load first. */
  private decode(json: unknown, meta: unknown): MaybePromise<unknown> {
    return this.settings.decoder.value(json, meta)
  }

  private disposed = false

  private dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.aborter?.abort()
    this.settings.hub.unlisten(this, this.audience)
    this.channelJoins?.dispose()
    // Every stream stops: its handler's signal aborts (the connection's did) and its `finally` runs.
    if (this.streamSet !== undefined) for (const stream of this.streamSet) void stream.return()
    this.callMap?.clear()
  }
}

/**
 * Bytes waiting in a socket's buffer past which a stream waits for its frame to be written out
 * before pulling its next value (at most half the slow-consumer limit).
 */
const PACE_BYTES = 64 * 1024

/** A value's `{"json":...,"meta"?:...}` text; throws when JSON has no text for it. */
function valueText({ json, meta }: { json: unknown; meta?: unknown }): string {
  const text = JSON.stringify(json)
  if (text === undefined) throw new TypeError('Mizan: a streamed value has no JSON text')
  return meta === undefined ? `{"json":${text}}` : `{"json":${text},"meta":${JSON.stringify(meta)}}`
}

import { MizanClientError, encodeError, errorFromShape } from './errors.js'
import { decodeErrorShape, decodeInvalidations, entryValue, notAReply, readEntry, readInvalidations , undecodable } from './reply.js'
import { writeShape } from './wire-input.js'
import { LinkSockets } from './link-socket.js'
import { PushCursor } from './push-cursor.js'
import { WsStreams } from './ws-streams.js'
import type { LinkSocket, SocketStatus, Subscription, SubscriptionHandlers, WsLinkSettings } from './ws-types.js'

export type { RealtimeTransport, SocketStatus, Subscription, SubscriptionHandlers, SubscriptionStatus, WsLinkSettings } from './ws-types.js'

interface PendingCall {
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  path: string
}

interface SubscriptionState {
  path: string
  params: unknown
  handlers: SubscriptionHandlers<unknown>
  /** Joined on the current connection. */
  joined: boolean
  /** Has been joined before: a later join comes after a gap. */
  everJoined: boolean
  /** The queries the channel stands for, as the server declared them. */
  affects: string[]
  /** The last event id heard (or the `at` of its join): a rejoin asks for what came after it. */
  eid: string | undefined
  /** A message with an id was heard since the current join was sent. */
  heard: boolean
  /** Settles when the server first confirms (or refuses) the join: sends wait for it. */
  confirmed: Promise<void>
  confirm: (refusal?: unknown) => void
}

/** Close codes from the server with a meaning for the client. */
const RESTART = 1012
/** The ticket was refused (expired, replayed, invalid): get a new one, do not retry the old. */
const TICKET_REFUSED = 4401
/** Refused tickets in a row after which the client stops: something is wrong beyond a stale ticket. */
const MAX_TICKET_REFUSALS = 3

/**
 * The client's realtime connection: opened on first need, multiplexing calls, subscriptions and
 * pushes; reconnecting with jittered exponential backoff, resubscribing, reporting its status. It
 * travels over a WebSocket or, where none can open, over Server-Sent Events (`SseSocket`, which has
 * the WebSocket's shape: the frames are the same and read here alike).
 */
export class WsLink {
  private socket: LinkSocket | undefined
  /** Which transport each connection takes, and making its socket. */
  private readonly sockets: LinkSockets
  private status: SocketStatus = 'closed'
  /** Failed attempts since the last hello: the backoff exponent. Only a hello resets it. */
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private nextId = 1
  private hello: { connection: string; websocket: Set<string> } | undefined
  /** Where this client stands in its invalidation pushes: the hello's cursor, each push's entry merged in. */
  private readonly cursors = new PushCursor()
  /** A hello came before: the next one follows a reconnect, and may tell of missed pushes. */
  private welcomedOnce = false
  private ticketRefusals = 0
  /** A ticket is being fetched for the next connect. */
  private opening = false
  /** Kept open for calls (see {@link hold}): without subscriptions it neither closes nor stops reconnecting. */
  private held = false
  private readonly calls = new Map<string, PendingCall>()
  private readonly subscriptions = new Map<string, SubscriptionState>()
  private readonly statusListeners = new Set<(status: SocketStatus) => void>()
  /** Calls that resolved to a stream, while it runs. */
  private readonly streams: WsStreams

  constructor(private readonly settings: WsLinkSettings) {
    this.sockets = new LinkSockets(settings)
    this.streams = new WsStreams({
      transformer: settings.transformer,
      onInvalidate: settings.onInvalidate,
      stopped: (id) => {
        this.cancel(id)
        this.closeWhenIdle()
      },
    })
  }

  /** The id the server gave this connection, for HTTP calls to name it. */
  get connectionId(): string | undefined {
    return this.hello?.connection
  }

  /**
   * The push cursor the server gave (opaque, URL-safe), sent back on a reconnect (`?after=`) so
   * that the pushes missed meanwhile are replayed. A transport that reconnects by itself (SSE)
   * sends it as `Last-Event-ID`.
   */
  get pushCursor(): string | undefined {
    return this.cursors.toString()
  }

  /** True when the socket is open and the server serves `path` over it. */
  serves(path: string): boolean {
    return this.status === 'open' && this.hello?.websocket.has(path) === true
  }

  /**
   * Opens the socket for calls and keeps it open as a subscription would (reconnecting with the
   * same backoff), so that calls of the paths its hello lists go over it: the server said, in an
   * HTTP reply, that it serves some on the socket. Once held, later calls change nothing: a socket
   * that gave up (its tickets kept being refused) is opened again only by {@link reconnect} or a
   * subscription.
   */
  hold(): void {
    if (this.held) return
    this.held = true
    if (this.status === 'closed') this.open()
  }

  /**
   * Closes the socket and opens a new one at once, resubscribing: for when what the connection was
   * opened with has changed (the user signed in or out, and the new cookie must reach the server).
   */
  reconnect(): void {
    // What the connection opens with changed: the WebSocket may get through now.
    this.sockets.reset()
    const socket = this.socket
    if (socket === undefined) {
      // A held socket that gave up: the new sign-in may be let in.
      if (this.held && this.status === 'closed') {
        this.attempt = 0
        this.ticketRefusals = 0
        this.open()
      }
      return
    }
    this.socket = undefined
    this.hello = undefined
    for (const state of this.subscriptions.values()) state.joined = false
    socket.close(1000)
    this.attempt = 0
    this.open()
  }

  onStatus(listener: (status: SocketStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => void this.statusListeners.delete(listener)
  }

  /**
   * A query or mutation over the socket; `shape` (a selection or a name) goes in the call frame. A
   * call whose answer streams resolves to an `AsyncGenerator` (see `WsStreams`).
   */
  call(path: string, input: unknown, signal: AbortSignal | undefined, shape?: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      let shapeText: string | undefined
      try {
        shapeText = shape === undefined ? undefined : writeShape(shape)
      } catch (error) {
        return reject(encodeError(path, error, 'shape'))
      }
      const id = String(this.nextId++)
      this.calls.set(id, { resolve, reject, path })
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.calls.delete(id)) return this.streams.cancel(id, signal.reason)
          reject(signal.reason)
          // The server may be running it (a stream yet to send its first value): it can stop.
          this.cancel(id)
        },
        { once: true },
      )
      // An input that cannot be encoded fails this call alone; it never reaches the socket.
      this.frameWithValue({ type: 'call', id, path }, 'input', input)
        .then(
          // The shape is JSON text already: it closes the frame (`{…,"shape":…}`).
          (frame) => this.send(shapeText === undefined ? frame : `${frame.slice(0, -1)},"shape":${shapeText}}`),
          (error: unknown) => this.drop(id, encodeError(path, error)),
        )
        .catch((error: unknown) => this.drop(id, notSent(path, error)))
    })
  }

  /** Tells the server to stop call `id` (a stream); nothing to tell when the socket is not open. */
  private cancel(id: string): void {
    if (this.socket?.readyState === 1 /* OPEN */ && this.hello !== undefined) this.socket.send(JSON.stringify({ type: 'cancel', id }))
  }

  /** Fails a pending call (or send) that has not been answered yet. */
  private drop(id: string, error: MizanClientError): void {
    const call = this.calls.get(id)
    if (call === undefined) return
    this.calls.delete(id)
    call.reject(error)
  }

  subscribe(path: string, params: unknown, handlers: SubscriptionHandlers<unknown>): Subscription<unknown> {
    const id = `s${this.nextId++}`
    let confirm!: (refusal?: unknown) => void
    const confirmed = new Promise<void>((resolve, reject) => (confirm = (refusal) => (refusal === undefined ? resolve() : reject(refusal))))
    confirmed.catch(() => {}) // a refusal is reported through onError; a send then rejects with it
    const state: SubscriptionState = { path, params, handlers, joined: false, everJoined: false, affects: [], eid: undefined, heard: false, confirmed, confirm }
    this.subscriptions.set(id, state)
    if (this.status === 'open') void this.join(id, state)
    else {
      try {
        this.open()
      } catch (error) {
        // No WebSocket class here: the subscription cannot be, and its owner hears why.
        this.refuse(id, state, notSent(path, error))
      }
    }
    // `open` only once the server confirms the join.
    handlers.onStatus?.({ status: this.status === 'open' ? 'connecting' : this.status })
    return {
      unsubscribe: () => {
        if (!this.subscriptions.delete(id)) return
        if (state.joined) this.send(JSON.stringify({ type: 'unsubscribe', id }))
        this.closeWhenIdle()
      },
      send: async (message) => {
        await state.confirmed
        if (!state.joined || !this.subscriptions.has(id)) {
          throw new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: 'The subscription is not joined' }, path)
        }
        const ref = `m${this.nextId++}`
        let frame: string
        try {
          frame = await this.frameWithValue({ type: 'send', id, ref }, 'message', message)
        } catch (error) {
          throw encodeError(path, error)
        }
        // Settled by the server's `sent` (or an error under the same ref), like a call.
        await new Promise((resolve, reject) => {
          this.calls.set(ref, { resolve, reject, path })
          this.send(frame)
        })
      },
    }
  }

  private open(): void {
    if (this.socket !== undefined || this.timer !== undefined || this.opening) return
    const WebSocketImpl = this.sockets.webSocketClass()
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting')
    const getTicket = this.settings.ticket
    if (getTicket === undefined) return this.connect(WebSocketImpl, undefined)
    this.opening = true
    getTicket().then(
      (ticket) => {
        this.opening = false
        if (this.held || this.subscriptions.size > 0 || this.calls.size > 0) this.connect(WebSocketImpl, ticket)
        else this.setStatus('closed')
      },
      () => {
        this.opening = false
        this.retry(0)
      },
    )
  }

  private connect(WebSocketImpl: typeof globalThis.WebSocket | undefined, ticket: string | undefined): void {
    const socket: LinkSocket = this.sockets.open(WebSocketImpl, ticket, this.pushCursor, {
      message: (text) => this.receive(text),
      closed: (code, neverOpened) => this.closed(socket, code, neverOpened),
    })
    this.socket = socket
  }

  /** The connection closed; `neverOpened`: a WebSocket closed before it opened. */
  private closed(socket: LinkSocket, code: number, neverOpened = false): void {
    if (this.socket !== socket) return
    this.socket = undefined
    this.hello = undefined
    for (const [id, call] of this.calls) {
      this.calls.delete(id)
      call.reject(new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: 'The WebSocket closed before the call answered' }, call.path))
    }
    this.streams.closeAll()
    for (const state of this.subscriptions.values()) state.joined = false
    if (this.subscriptions.size === 0 && !this.held) return this.setStatus('closed')
    // The WebSocket cannot get through here (a proxy or a runtime that drops upgrades): SSE from
    // now on, at once, and still as the same connect (its status stays `connecting`).
    if (neverOpened && this.sockets.fallBack()) return this.open()
    if (code === TICKET_REFUSED && ++this.ticketRefusals >= MAX_TICKET_REFUSALS) return this.giveUp()
    this.retry(code)
  }

  private retry(code: number): void {
    this.setStatus('reconnecting')
    // A restart notice or a refused ticket (a fresh one is fetched) warrant one immediate retry;
    // otherwise back off, with full jitter so that clients of a restarted server spread out.
    const immediate = (code === RESTART || code === TICKET_REFUSED) && this.attempt === 0
    const delay = immediate ? 0 : Math.random() * Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** this.attempt)
    this.attempt++
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.open()
    }, delay)
  }

  /** Tickets keep being refused: stop, and tell every subscriber why instead of retrying forever. */
  private giveUp(): void {
    const error = new MizanClientError({ code: 'UNAUTHORIZED', status: 401, message: 'The server refused the WebSocket ticket' }, '')
    for (const [id, state] of this.subscriptions) {
      this.subscriptions.delete(id)
      if (state.handlers.onError !== undefined) safely(() => state.handlers.onError!(error))
    }
    this.setStatus('closed')
  }

  /**
   * Reads one frame. Frames come from the network: a frame that is not JSON, not an object, or of an
   * unknown type is ignored, and each field is checked before use, so no frame can throw here.
   */
  private receive(text: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return
    const frame = parsed as { type?: unknown; id?: unknown; [key: string]: unknown }
    // Ids are strings; any other (never String() a value from the wire: `{"toString":1}` throws) names nothing.
    const id = typeof frame.id === 'string' ? frame.id : ''
    switch (frame.type) {
      case 'hello':
        this.cursors.take(frame.eid, true)
        return this.welcomed(frame.connection, frame.websocket, frame.resumed)
      case 'result': {
        // The end of a stream that yielded nothing: the call resolves to an ended stream.
        if (!this.streams.has(id) && WsStreams.isEnd(frame.result)) this.startStream(id)
        if (this.streams.has(id)) return this.streams.result(id, frame.result)
        return void this.settleCall(id, frame.result)
      }
      case 'yield': {
        if (!this.streams.has(id)) this.startStream(id)
        return this.streams.yielded(id, frame.value)
      }
      case 'message': {
        const state = this.subscriptions.get(id)
        if (state !== undefined && isEventId(frame.eid)) {
          state.eid = frame.eid
          state.heard = true
        }
        return void this.deliver(id, frame.message)
      }
      case 'resync': {
        const state = this.subscriptions.get(id)
        if (state !== undefined) this.gap(state)
        return
      }
      case 'sent': {
        const call = this.calls.get(id)
        this.calls.delete(id)
        return call?.resolve(undefined)
      }
      case 'subscribed': {
        const state = this.subscriptions.get(id)
        if (state === undefined) return
        state.affects = Array.isArray(frame.affects) ? frame.affects.filter((path): path is string => typeof path === 'string') : []
        // Messages heard on this join are later than its `at`; without any, `at` is where it stands.
        if (!state.heard && isEventId(frame.at)) state.eid = frame.at
        state.confirm()
        if (!state.everJoined) safely(() => state.handlers.onStatus?.({ status: 'open' }))
        // Back after a gap: replayed in full, or what it stands for must be refetched.
        else if (frame.resumed === true) safely(() => state.handlers.onStatus?.({ status: 'open', resumed: true }))
        else this.gap(state)
        state.everJoined = true
        return
      }
      case 'invalidate':
        this.cursors.take(frame.eid, false)
        return void this.pushed(frame.invalidate)
      case 'error':
        return this.failed(typeof frame.id === 'string' ? frame.id : undefined, frame.error)
    }
  }

  /** Call `id` streams: it resolves to its stream, and leaves the pending calls. */
  private startStream(id: string): void {
    const call = this.calls.get(id)
    // Only calls stream: a channel send's ref (`m…`) waits here too, for its `sent`.
    if (call === undefined || !/^\d+$/.test(id)) return
    this.calls.delete(id)
    this.streams.start(id, call)
  }


  private welcomed(connection: unknown, websocket: unknown, resumed: unknown): void {
    // Only an accepted connection resets the backoff: a server that accepts the socket and then
    // refuses it must not be hammered.
    this.attempt = 0
    this.ticketRefusals = 0
    const paths = Array.isArray(websocket) ? websocket.filter((path): path is string => typeof path === 'string') : []
    this.hello = { connection: typeof connection === 'string' ? connection : '', websocket: new Set(paths) }
    // After a reconnect, pushes may have been missed unless the server replayed them all.
    const gap = this.welcomedOnce && resumed !== true
    this.welcomedOnce = true
    this.setStatus('open')
    if (gap && this.settings.onPushGap !== undefined) safely(this.settings.onPushGap)
    for (const [id, state] of this.subscriptions) void this.join(id, state)
  }

  private async join(id: string, state: SubscriptionState): Promise<void> {
    let frame: string
    try {
      frame = await this.frameWithValue({ type: 'subscribe', id, path: state.path }, 'params', state.params)
    } catch (error) {
      // Params that cannot be encoded can never join: refuse the subscription as the server would.
      return this.refuse(id, state, encodeError(state.path, error))
    }
    if (this.subscriptions.get(id) !== state) return
    state.joined = true
    state.heard = false
    // A rejoin asks for what came after the last id heard: the server replays it when it still can.
    this.send(state.everJoined && state.eid !== undefined ? `${frame.slice(0, -1)},"after":${JSON.stringify(state.eid)}}` : frame)
  }

  /**
   * Messages may have been missed (a reconnect, or the server's broker lost them): the subscriber
   * hears `resumed: false`, and what the channel stands for is invalidated like after a mutation.
   */
  private gap(state: SubscriptionState): void {
    safely(() => state.handlers.onStatus?.({ status: 'open', resumed: false }))
    if (state.affects.length > 0) this.settings.onInvalidate(state.affects.map((path) => ({ path })), { path: state.path, input: state.params })
  }

  private async settleCall(id: string, result: unknown): Promise<void> {
    const call = this.calls.get(id)
    if (call === undefined) return
    this.calls.delete(id)
    const entry = readEntry(result)
    if (entry?.invalidate !== undefined && entry.invalidate.length > 0) {
      this.settings.onInvalidate(await decodeInvalidations(this.settings.transformer, entry.invalidate), { path: call.path, input: undefined })
    }
    if (entry === undefined || entry.failed) {
      const error = entry?.error === undefined ? notAReply(call.path) : errorFromShape(await decodeErrorShape(this.settings.transformer, entry.error), call.path)
      return call.reject(error)
    }
    try {
      call.resolve(await entryValue(this.settings.transformer, entry))
    } catch (error) {
      call.reject(undecodable(call.path, 0, error))
    }
  }

  private async deliver(id: string, message: unknown): Promise<void> {
    const state = this.subscriptions.get(id)
    if (state === undefined) return
    const envelope = typeof message === 'object' && message !== null ? (message as { json?: unknown; meta?: unknown }) : undefined
    let value: unknown
    try {
      if (envelope === undefined) throw new TypeError('not a message envelope')
      value = await this.settings.transformer.decode(envelope.json, envelope.meta)
    } catch {
      // A message that does not decode is a message missed: tell the subscriber as after a gap.
      if (this.subscriptions.get(id) === state) this.gap(state)
      return
    }
    if (this.subscriptions.get(id) === state) safely(() => state.handlers.onMessage(value))
  }

  private async pushed(list: unknown): Promise<void> {
    const invalidations = readInvalidations(list)
    if (invalidations.length === 0) return
    this.settings.onInvalidate(await decodeInvalidations(this.settings.transformer, invalidations), { path: '', input: undefined })
  }

  private failed(id: string | undefined, error: unknown): void {
    if (id === undefined) return
    const shape = readEntry({ error })?.error
    if (this.streams.has(id)) return this.streams.failed(id, shape === undefined ? notAReply(this.streams.pathOf(id)) : errorFromShape(shape, this.streams.pathOf(id)))
    const call = this.calls.get(id)
    if (call !== undefined) {
      this.calls.delete(id)
      return call.reject(shape === undefined ? notAReply(call.path) : errorFromShape(shape, call.path))
    }
    const state = this.subscriptions.get(id)
    if (state === undefined) return
    const refusal = shape === undefined ? notAReply(state.path) : errorFromShape(shape, state.path)
    // A refused join is final until the app subscribes again: retrying would be refused again.
    const final = refusal.code === 'BAD_REQUEST' || refusal.code === 'UNAUTHORIZED' || refusal.code === 'FORBIDDEN' || refusal.code === 'NOT_FOUND'
    if (final) return this.refuse(id, state, refusal)
    state.confirm(refusal)
    if (state.handlers.onError !== undefined) safely(() => state.handlers.onError!(refusal))
  }

  /** Drops a subscription that cannot join, and tells its owner why. */
  private refuse(id: string, state: SubscriptionState, error: MizanClientError): void {
    state.confirm(error)
    if (state.handlers.onError !== undefined) safely(() => state.handlers.onError!(error))
    if (this.subscriptions.get(id) !== state) return
    this.subscriptions.delete(id)
    this.closeWhenIdle()
  }

  private closeWhenIdle(): void {
    if (this.held || this.subscriptions.size > 0 || this.calls.size > 0 || this.streams.size > 0) return
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const socket = this.socket
    this.socket = undefined
    this.hello = undefined
    socket?.close(1000)
    this.setStatus('closed')
  }

  private send(frame: string): void {
    if (this.socket?.readyState === 1 /* OPEN */ && this.hello !== undefined) return this.socket.send(frame)
    // Not open: subscriptions rejoin on the next hello; a call or send cannot wait that long.
    const { type, id, ref } = JSON.parse(frame) as { type: string; id: string; ref?: string }
    const pending = type === 'call' ? id : type === 'send' ? ref : undefined
    const call = pending === undefined ? undefined : this.calls.get(pending)
    if (call !== undefined) {
      this.calls.delete(pending!)
      call.reject(new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: 'The WebSocket is not open' }, call.path))
    }
    if (this.status !== 'open') this.open()
  }

  private async frameWithValue(frame: Record<string, unknown>, key: string, value: unknown): Promise<string> {
    if (value !== undefined) {
      const encoded = await this.settings.transformer.encode(value)
      frame[key] = encoded.json
      if (encoded.meta !== undefined) frame.meta = encoded.meta
    }
    return JSON.stringify(frame)
  }

  private setStatus(status: SocketStatus): void {
    if (this.status === status) return
    this.status = status
    for (const listener of this.statusListeners) listener(status)
    for (const state of this.subscriptions.values()) if (status !== 'open') safely(() => state.handlers.onStatus?.({ status }))
  }
}

/** An event id from the server, as the client keeps it (opaque, short). */
function isEventId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64
}

/** The error of a call or subscription that could not be handed to a socket. */
function notSent(path: string, cause: unknown): MizanClientError {
  return new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: `The call could not be sent: ${cause instanceof Error ? cause.message : String(cause)}` }, path, cause)
}

/** The error of an answer that is not a Mizan result. */

/**
 * Runs an app's callback. One that throws must not break the socket's handling of the frame, nor
 * (in Node, where an uncaught error ends the process) the program: it is reported, like a failing
 * event listener.
 */
function safely(callback: () => void): void {
  try {
    callback()
  } catch (error) {
    console.error('[mizan] a subscription handler threw:', error)
  }
}

import type { MizanClientError } from './errors.js'
import type { ClientInvalidation, InvalidationSource } from './http-link.js'
import type { ClientTransformer } from './serializer.js'

// The public types of the client's WebSocket: its status, a subscription and its callbacks, and
// the link's settings.

/** The state of the client's one WebSocket connection. */
export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** What a subscription is told about its connection. */
export interface SubscriptionStatus {
  status: SocketStatus
  /**
   * Set when the subscription rejoined after a gap. `true`: the server replayed every message
   * published meanwhile (its pub/sub keeps a history), nothing was missed. `false`: messages may
   * have been missed (no history, the gap was too long, or the broker lost them), and what it
   * stands for should be refetched (the client invalidates its `affects`).
   */
  resumed?: boolean
}

/** Callbacks of a subscription. */
export interface SubscriptionHandlers<Message> {
  onMessage: (message: Message) => void
  onStatus?: (status: SubscriptionStatus) => void
  /** The server refused the subscription (params, authorization): it is dropped, not retried. */
  onError?: (error: MizanClientError) => void
}

/** A live subscription. */
export interface Subscription<Send> {
  unsubscribe(): void
  /** Sends a message to the channel's `receive` handler (channels that declare one). */
  send(message: Send): Promise<void>
}

/**
 * How the client's realtime connection travels: `'websocket'` only, `'sse'` (Server-Sent Events
 * down, POSTs up) only, or `'auto'`: the WebSocket, and SSE when it cannot open.
 */
export type RealtimeTransport = 'auto' | 'websocket' | 'sse'

/** What the link uses of a connection: a browser `WebSocket`, or the SSE stand-in with its shape. */
export interface LinkSocket {
  readonly readyState: number
  send(text: string): void
  close(code?: number): void
}

/** Settings of the realtime link. */
export interface WsLinkSettings {
  url: string
  WebSocket: typeof globalThis.WebSocket | undefined
  /** Which transport to use; see {@link RealtimeTransport}. */
  transport: RealtimeTransport
  /** The event stream's URL (`{url}/_events`), for SSE. */
  eventsUrl: string
  /** The client's fetch, for SSE. */
  fetch: typeof fetch
  /** The client's headers, asked before each SSE request. */
  headers: () => Promise<Record<string, string>>
  /** Bytes of one line (and one event) of the event stream at most. */
  maxLineBytes: number
  transformer: ClientTransformer
  onInvalidate: (invalidations: ClientInvalidation[], source: InvalidationSource) => void
  /** First reconnect delay in ms; doubles per failed attempt, with full jitter. */
  backoffMs: number
  /** The longest reconnect delay in ms. */
  maxBackoffMs: number
  /** Gets a fresh ticket before each connect, when the server requires them. */
  ticket: (() => Promise<string>) | undefined
  /**
   * After a reconnect, invalidation pushes may have been missed (the server could not replay them
   * all): whatever the app shows may be stale.
   */
  onPushGap?: () => void
}

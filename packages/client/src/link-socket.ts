import { SseSocket } from './sse-socket.js'
import type { LinkSocket, WsLinkSettings } from './ws-types.js'

/** What the link hears of the socket it is given. */
export interface LinkSocketEvents {
  message(text: string): void
  /** The socket closed; `neverOpened`: a WebSocket that closed before it opened. */
  closed(code: number, neverOpened: boolean): void
}

/**
 * Makes each connection's socket: a WebSocket, or Server-Sent Events (`SseSocket`, which has the
 * WebSocket's shape) under `transport: 'sse'`, or under `'auto'` once a WebSocket cannot be used
 * here. It remembers that choice: `'auto'` settles on SSE when a WebSocket cannot be made or closes
 * before it ever opened, unless one of its WebSockets has opened before (then a failure is a
 * restarting server, not a path that drops upgrades).
 */
export class LinkSockets {
  /** `'auto'` settled on SSE: a WebSocket could not open here. {@link reset} tries one again. */
  private fellBack = false
  /** A WebSocket of this link has opened. */
  private socketWorked = false

  constructor(private readonly settings: WsLinkSettings) {}

  /**
   * The WebSocket class of the next connection, or `undefined` for SSE. Throws for
   * `'websocket'` without a class: before any ticket is fetched for a connection that cannot be.
   */
  webSocketClass(): typeof globalThis.WebSocket | undefined {
    const { transport } = this.settings
    if (transport === 'sse' || (transport === 'auto' && this.fellBack)) return undefined
    const WebSocketImpl = this.settings.WebSocket ?? globalThis.WebSocket
    if (WebSocketImpl === undefined && transport === 'websocket') {
      throw new TypeError('Mizan: no WebSocket here; pass createClient({ WebSocket }) (on Node 20, from the `ws` package)')
    }
    return WebSocketImpl
  }

  /**
   * Opens a connection's socket. The ticket goes in the first frame of a WebSocket, in a header of
   * an event stream, never in a URL; the push cursor goes as `?after=` on a WebSocket's URL (positions,
   * never credentials) and as an event stream's `Last-Event-ID`.
   */
  open(WebSocketImpl: typeof globalThis.WebSocket | undefined, ticket: string | undefined, cursor: string | undefined, events: LinkSocketEvents): LinkSocket {
    if (WebSocketImpl === undefined) return this.openEvents(ticket, cursor, events)
    const url = cursor === undefined ? this.settings.url : `${this.settings.url}${this.settings.url.includes('?') ? '&' : '?'}after=${encodeURIComponent(cursor)}`
    let socket: WebSocket
    try {
      socket = new WebSocketImpl(url)
    } catch (error) {
      // A WebSocket refused outright (a content policy, say): under 'auto', SSE; the ticket is unspent.
      if (this.settings.transport !== 'auto') throw error
      this.fellBack = true
      return this.openEvents(ticket, cursor, events)
    }
    let opened = false
    socket.onopen = () => {
      opened = true
      this.socketWorked = true
      if (ticket !== undefined) socket.send(JSON.stringify({ type: 'auth', ticket }))
    }
    socket.onmessage = (event) => events.message(String(event.data))
    socket.onclose = (event) => events.closed(event.code, !opened)
    // A failed connection is reported by the close that follows; the error itself says nothing more.
    socket.onerror = () => {}
    return socket
  }

  /**
   * A WebSocket closed before it ever opened: under `'auto'`, when none of this link's has opened,
   * SSE from now on. Returns whether it fell back (the link then connects again at once).
   */
  fallBack(): boolean {
    if (this.settings.transport !== 'auto' || this.socketWorked) return false
    this.fellBack = true
    return true
  }

  /** What the connection opens with changed (a sign-in): the WebSocket may get through now. */
  reset(): void {
    this.fellBack = false
  }

  private openEvents(ticket: string | undefined, cursor: string | undefined, events: LinkSocketEvents): LinkSocket {
    const socket = new SseSocket({
      url: this.settings.eventsUrl,
      fetch: this.settings.fetch,
      headers: this.settings.headers,
      ticket,
      lastEventId: cursor,
      maxLineBytes: this.settings.maxLineBytes,
    })
    socket.onmessage = (event) => events.message(event.data)
    socket.onclose = (event) => events.closed(event.code, false)
    return socket
  }
}

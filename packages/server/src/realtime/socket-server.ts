import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket, WebSocketServer } from 'ws'
import { TICKET_CLOSE_CODE, TicketError, type TicketClaims, type TicketIssuer } from './ticket.js'
import { ResponseHeaders, type ContextOptions, type MizanRequest } from '../http/exchange.js'
import { CLOSE, type Connection, type ConnectionSettings } from './connection.js'
import { ConnectionSet } from './connection-set.js'
import { openConnection, receiveSafely, type OpeningSettings } from './open-connection.js'
import { originAllowed } from './origin.js'
import { nodeClientAddress, type ClientAddressOf } from '../rate-limit/address.js'

/** Options of the WebSocket transport (`createMizanServer({ websocket })`). */
export interface WebSocketOptions {
  /** Where sockets connect. Default `{basePath}/_ws`. */
  path?: string
  /**
   * Origins a browser may connect from. Default: the page's own origin (the `Origin` header's host
   * equals `Host`); connections without `Origin` (servers, scripts) are allowed.
   */
  origins?: readonly string[] | ((origin: string) => boolean)
  /**
   * Require a ticket: the client gets one from `POST {basePath}/_session` (authenticated as any
   * HTTP call) and sends it in its first frame; `createContext` then sees its claims (`ticket.sub`
   * is the principal). Refused tickets close with 4401: get a new one; a ticket the server could not
   * check (its replay store full or down) closes with 1013: try again later. Use it when the socket
   * cannot carry the HTTP credentials (cross-origin, bearer tokens).
   */
  tickets?: TicketIssuer
  /** Milliseconds a connection may take to send its ticket. Default 5,000. */
  authTimeoutMs?: number
}

export interface SocketServerSettings extends OpeningSettings {
  readonly path: string
  readonly origins: WebSocketOptions['origins']
  readonly createContext: (options: ContextOptions) => unknown
  readonly tickets: TicketIssuer | undefined
  readonly authTimeoutMs: number
  /** The server's `clientAddress` option; the upgrade request's socket peer when absent. */
  readonly clientAddress?: ClientAddressOf | undefined
}

/**
 * Accepts WebSocket upgrades on the Mizan path and runs their connections. The `ws` library loads
 * with the first upgrade (or with {@link SocketServer.load}): a server that never takes a socket
 * never imports it.
 */
export class SocketServer {
  private wss: WebSocketServer | undefined
  private loading: Promise<WebSocketServer> | undefined
  private closed = false
  /** Every open connection, WebSocket or event stream: the server's close reaches them all. */
  readonly connections = new ConnectionSet()

  /** What every connection shares, with the hook that forgets a connection once it closed. */
  readonly settings: SocketServerSettings

  constructor(settings: SocketServerSettings) {
    // Each connection tells the set when it closes: one shared hook rather than a listener per connection.
    this.settings = { ...settings, closed: (connection) => this.connections.remove(connection) }
  }

  /**
   * Loads `ws` and makes the server that upgrades sockets, once. `listen()` calls it just after
   * listening when the app has realtime features, so the first upgrade seldom waits for it.
   */
  load(): Promise<void> {
    return this.server().then(() => undefined)
  }

  private server(): Promise<WebSocketServer> {
    return (this.loading ??= import('ws').then(
      ({ WebSocketServer }) => (this.wss = new WebSocketServer({ noServer: true, maxPayload: this.settings.limits.maxMessageSize })),
      (error: unknown) => {
        // The upgrades waiting on it fail; the next one tries again.
        this.loading = undefined
        throw error
      },
    ))
  }

  /** Takes an upgrade request; returns `false` (touching nothing) when it is not for this server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const pathname = (req.url ?? '/').split('?')[0]
    if (pathname !== this.settings.path) return false
    if (this.closed) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return true
    }
    if (!this.originAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return true
    }
    if (this.wss !== undefined) {
      this.upgrade(this.wss, req, socket, head)
      return true
    }
    // The first upgrade waits for `ws`. A socket that fails meanwhile must not throw from an
    // unheard 'error' event; one that closed, or a server that closed, is not upgraded.
    const onError = () => socket.destroy()
    socket.on('error', onError)
    this.server().then(
      (wss) => {
        socket.off('error', onError)
        if (this.closed || socket.destroyed) socket.destroy()
        else this.upgrade(wss, req, socket, head)
      },
      (error: unknown) => {
        this.settings.dispatcher.onError({ error, path: '(websocket)', ctx: undefined })
        socket.destroy()
      },
    )
    return true
  }

  private upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Frames can arrive while the ticket is checked and the context built: the inbox keeps them, in order.
    wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, req, new Inbox(ws)))
  }

  /**
   * Sets up an upgraded socket's connection. Nothing that outlives it (the connection, its frame
   * handler) is made in a scope holding the upgrade request: an idle connection must not keep
   * the request, its headers and its buffers alive for as long as it is open.
   */
  private async open(ws: WebSocket, req: IncomingMessage, inbox: Inbox): Promise<void> {
    let ticket: TicketClaims | undefined
    if (this.settings.tickets !== undefined) {
      ticket = await this.verifyTicket(ws, inbox)
      if (ticket === undefined) return
    }
    let ctx: unknown
    let address: string | undefined
    try {
      ctx = await this.settings.createContext(contextOptions(req, ticket))
      address = nodeClientAddress(req, this.settings.clientAddress)
    } catch (error) {
      this.settings.dispatcher.onError({ error, path: '(websocket)', ctx: undefined })
      ws.close(1011, 'context failed')
      return
    }
    if (ws.readyState !== ws.OPEN) return
    const connection = await openConnection(this.settings, this.connections, { socket: ws, ctx, address, heartbeatMs: this.settings.limits.heartbeatMs, after: cursorOf(req) })
    if (connection !== undefined) inbox.handOver(frameHandler(connection, this.settings, ctx))
  }

  /**
   * Reads and checks the ticket of the first frame. A refused ticket closes with 4401 (get a new
   * one); no ticket frame in time with 1008; a ticket that could not be checked (the replay store
   * is full or unreachable) is reported to `onError` and closes with 1013: the server's capacity,
   * not the client's credentials, is at fault, and a valid ticket is never refused silently.
   */
  private async verifyTicket(ws: WebSocket, inbox: Inbox): Promise<TicketClaims | undefined> {
    let text: string
    try {
      text = ticketOf(await inbox.next(this.settings.authTimeoutMs))
    } catch {
      if (ws.readyState === ws.OPEN) ws.close(CLOSE.policy, 'ticket required')
      return undefined
    }
    try {
      return await this.settings.tickets!.verify(text)
    } catch (error) {
      if (error instanceof TicketError) {
        if (ws.readyState === ws.OPEN) ws.close(TICKET_CLOSE_CODE, `ticket ${error.reason}`)
        return undefined
      }
      this.settings.dispatcher.onError({ error, path: '(websocket ticket)', ctx: undefined })
      if (ws.readyState === ws.OPEN) ws.close(CLOSE.tryAgainLater, 'ticket store unavailable: try again later')
      return undefined
    }
  }

  /** The number of open connections, over every transport. */
  get size(): number {
    return this.connections.size
  }

  /** False once the server closes: no connection opens any more, over any transport. */
  get accepting(): boolean {
    return !this.closed
  }

  /**
   * Tells every client, over every transport, to reconnect (close code 1012) and stops accepting.
   * A client that does not finish the closing handshake within `graceMs` is cut off.
   */
  async close(graceMs = 1000): Promise<void> {
    this.closed = true
    await this.connections.close(graceMs)
    const wss = this.wss
    if (wss !== undefined) await new Promise<void>((resolve) => wss.close(() => resolve()))
  }

  private originAllowed(req: IncomingMessage): boolean {
    return originAllowed(req.headers.origin, req.headers.host, this.settings.origins)
  }
}

/** A connection's frame handler, made in a scope of its own so that it holds only what it uses. */
function frameHandler(connection: Connection, settings: ConnectionSettings, ctx: unknown): (data: unknown, isBinary: boolean) => void {
  return (data, isBinary) => receiveSafely(connection, settings, ctx, data, isBinary)
}

type Frame = [data: unknown, isBinary: boolean]

/** Holds a socket's frames until its connection is ready for them, then hands them over in order. */
class Inbox {
  private readonly frames: Frame[] = []
  private waiting: ((frame: Frame) => void) | undefined
  private readonly hold = (data: unknown, isBinary: boolean) => {
    const waiting = this.waiting
    this.waiting = undefined
    if (waiting !== undefined) waiting([data, isBinary])
    else this.frames.push([data, isBinary])
  }

  constructor(private readonly ws: WebSocket) {
    ws.on('message', this.hold)
  }

  /** The next frame, within `timeoutMs`. */
  next(timeoutMs: number): Promise<Frame> {
    const queued = this.frames.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame in time')), timeoutMs)
      const closed = () => reject(new Error('closed'))
      this.ws.once('close', closed)
      this.waiting = (frame) => {
        clearTimeout(timer)
        // Not left on the socket for the rest of its life once the frame came.
        this.ws.off('close', closed)
        resolve(frame)
      }
    })
  }

  /** From now on frames go to `receive`: first the held ones, then new ones as they come. */
  handOver(receive: (data: unknown, isBinary: boolean) => void): void {
    this.ws.off('message', this.hold)
    for (const [data, isBinary] of this.frames.splice(0)) receive(data, isBinary)
    this.ws.on('message', receive)
  }
}

/** The ticket of a connection's first frame, `{"type":"auth","ticket":"..."}`: never in the URL, where logs keep it. */
function ticketOf([data]: Frame): string {
  try {
    const frame = JSON.parse(String(data)) as { type?: unknown; ticket?: unknown }
    if (frame.type === 'auth' && typeof frame.ticket === 'string') return frame.ticket
  } catch {
    // not a ticket: refused below
  }
  throw new Error('the first frame must be {"type":"auth","ticket":...}')
}

/**
 * The push cursor of a reconnecting client: `?after=` on the upgrade URL (positions, never
 * credentials). Past 512 characters it is ignored: the connection opens without resuming.
 */
function cursorOf(req: IncomingMessage): string | undefined {
  const url = req.url ?? ''
  const query = url.indexOf('?')
  if (query === -1 || url.length > 4096) return undefined
  const after = new URLSearchParams(url.slice(query + 1)).get('after')
  return after === null || after.length > 512 ? undefined : after
}

function contextOptions(req: IncomingMessage, ticket?: TicketClaims): ContextOptions {
  const headers: MizanRequest['headers'] = {
    get: (name) => {
      const value = req.headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  }
  const options: ContextOptions = { req: { method: req.method ?? 'GET', url: req.url ?? '/', headers }, resHeaders: new ResponseHeaders(), transport: 'ws', node: { req } }
  if (ticket !== undefined) options.ticket = ticket
  return options
}

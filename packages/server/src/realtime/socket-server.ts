import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { ResponseHeaders, type ContextOptions, type MizanRequest } from '../http/exchange.js'
import { CLOSE, Connection, type ConnectionSettings } from './connection.js'

/** Options of the WebSocket transport (`createMizanServer({ websocket })`). */
export interface WebSocketOptions {
  /** Where sockets connect. Default `{basePath}/_ws`. */
  path?: string
  /**
   * Origins a browser may connect from. Default: the page's own origin (the `Origin` header's host
   * equals `Host`); connections without `Origin` (servers, scripts) are allowed.
   */
  origins?: readonly string[] | ((origin: string) => boolean)
}

interface SocketServerSettings extends ConnectionSettings {
  readonly path: string
  readonly origins: WebSocketOptions['origins']
  readonly createContext: (options: ContextOptions) => unknown
  /** Procedures served over the socket, announced in the hello frame. */
  readonly websocketPaths: readonly string[]
}

/** Accepts WebSocket upgrades on the Mizan path and runs their connections. */
export class SocketServer {
  private readonly wss: WebSocketServer
  private readonly connections = new Set<Connection>()
  private readonly heartbeat: NodeJS.Timeout

  constructor(private readonly settings: SocketServerSettings) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: settings.limits.maxMessageSize })
    this.heartbeat = setInterval(() => this.connections.forEach((connection) => connection.ping()), settings.limits.heartbeatMs)
    this.heartbeat.unref()
  }

  /** Takes an upgrade request; returns `false` (touching nothing) when it is not for this server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const pathname = (req.url ?? '/').split('?')[0]
    if (pathname !== this.settings.path) return false
    if (!this.originAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return true
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void (async () => {
        let ctx: unknown
        try {
          ctx = await this.settings.createContext(contextOptions(req))
        } catch (error) {
          this.settings.dispatcher.onError({ error, path: '(websocket)', ctx: undefined })
          ws.close(1011, 'context failed')
          return
        }
        if (ws.readyState !== ws.OPEN) return
        const connection = new Connection(ws, ctx, this.settings)
        this.connections.add(connection)
        ws.on('close', () => this.connections.delete(connection))
        connection.hello(this.settings.websocketPaths)
      })()
    })
    return true
  }

  /** The number of open connections. */
  get size(): number {
    return this.connections.size
  }

  /**
   * Tells every client to reconnect (close code 1012) and stops accepting. A client that does not
   * finish the closing handshake within `graceMs` is cut off.
   */
  async close(graceMs = 1000): Promise<void> {
    clearInterval(this.heartbeat)
    const open = [...this.connections]
    for (const connection of open) connection.close(CLOSE.restart, 'server restarting')
    const allClosed = Promise.all(open.map((connection) => connection.closed))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([allClosed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
    for (const connection of this.connections) connection.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }

  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin
    if (origin === undefined) return true
    const allowed = this.settings.origins
    if (typeof allowed === 'function') return allowed(origin)
    if (allowed !== undefined) return allowed.includes(origin)
    try {
      return new URL(origin).host === req.headers.host
    } catch {
      return false
    }
  }
}

function contextOptions(req: IncomingMessage): ContextOptions {
  const headers: MizanRequest['headers'] = {
    get: (name) => {
      const value = req.headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  }
  return { req: { method: req.method ?? 'GET', url: req.url ?? '/', headers }, resHeaders: new ResponseHeaders(), transport: 'ws', node: { req } }
}

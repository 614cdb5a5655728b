import type { ConnectionAudience } from './audience.js'
import { Connection, type ConnectionSettings, type ServerSocket } from './connection.js'
import type { ConnectionSet } from './connection-set.js'

/** What opening a connection needs, the same for every transport. */
export interface OpeningSettings extends ConnectionSettings {
  /** Procedures served over realtime connections, announced in the hello frame. */
  readonly websocketPaths: readonly string[]
}

/** One connection to open, once its transport is up and its context built. */
export interface Opening {
  readonly socket: ServerSocket
  readonly ctx: unknown
  /** The client's address: calls on the connection count under it. */
  readonly address?: string | undefined
  /** Milliseconds between this transport's heartbeats. */
  readonly heartbeatMs: number
  /** Fields the transport adds to the hello frame. */
  readonly hello?: Record<string, unknown>
  /** The push cursor the client came back with, as it came (the connection reads only its own groups in it). */
  readonly after?: string | undefined
  /** Settled with the hello frame's: what the transport must be sure of before the client hears it. */
  readonly ready?: Promise<unknown>
}

/**
 * Runs what every transport does once its socket is up and the context is built: places the
 * connection among the push audiences, makes the {@link Connection}, registers its heartbeat, waits
 * until the pub/sub can deliver its pushes, then sends the hello frame. Resolves with the
 * connection, or `undefined` when the socket closed meanwhile or the audience could not be worked
 * out (the socket is then closed with 1011 and the error reported).
 */
export async function openConnection(settings: OpeningSettings, connections: ConnectionSet, opening: Opening): Promise<Connection | undefined> {
  const { socket, ctx } = opening
  // Which pushes it may hear, settled before the hello: from its hello on, a connection hears
  // every push it may, and until then none (it is not subscribed to any).
  let audience: ConnectionAudience
  try {
    audience = await settings.hub.audienceOf(ctx, auditReport(settings, ctx))
  } catch (error) {
    // `principal(ctx)` (or onError itself) threw: the connection cannot be placed safely.
    settings.dispatcher.onError({ error, path: '(websocket)', ctx })
    socket.close(1011, 'context failed')
    return undefined
  }
  if (socket.readyState !== socket.OPEN) return undefined
  const connection = new Connection(socket, ctx, settings, audience, opening.address, opening.after)
  connections.add(connection, opening.heartbeatMs)
  await Promise.all([settings.hub.ready(audience), opening.ready])
  if (socket.readyState !== socket.OPEN) return undefined
  await connection.hello(settings.websocketPaths, opening.hello)
  return connection
}

/** Feeds one frame to a connection: whatever escapes `receive` closes this connection only, never the process. */
export function receiveSafely(connection: Connection, settings: ConnectionSettings, ctx: unknown, data: unknown, isBinary: boolean): void {
  try {
    connection.receive(data, isBinary)
  } catch (error) {
    settings.dispatcher.onError({ error, path: '(websocket)', ctx })
    connection.close(1011, 'internal error')
  }
}

/** The audience's report of a failing rule, in a scope of its own: it holds the context only. */
function auditReport(settings: ConnectionSettings, ctx: unknown): (error: unknown, path: string) => void {
  return (error, path) => settings.dispatcher.onError({ error, path, ctx })
}

import { nodeCrypto } from '../../builtins.js'
import { MizanError } from '../../errors.js'
import type { ContextOptions, HttpExchange, HttpReply } from '../../http/exchange.js'
import { addResponseHeaders, MethodNotAllowed, tooLarge, type HttpSettings } from '../../http/handle.js'
import { openConnection } from '../open-connection.js'
import { originAllowed } from '../origin.js'
import type { SocketServer } from '../socket-server.js'
import { TicketError, type TicketClaims } from '../ticket.js'
import { EventBody } from './event-body.js'
import { framesOf, isFramesType } from './frames.js'
import { SsePeer } from './peer.js'
import { SseSessions } from './sessions.js'

/** The request header that names an event stream session on a POST of frames. */
export const SESSION_HEADER = 'x-mizan-session'
/** The request header that carries a socket ticket when an event stream opens. */
export const TICKET_HEADER = 'x-mizan-ticket'

/** A session secret: 128 random bits, base64url (22 characters). */
const SECRET = /^[A-Za-z0-9_-]{22}$/
/** Characters of a `Last-Event-ID` kept; a longer one is ignored. */
const MAX_LAST_EVENT_ID = 512

/**
 * `{basePath}/_events`: realtime over Server-Sent Events. `GET` opens a stream that runs a
 * `Connection` like a WebSocket's; `POST` carries the client's frames to it (see docs/protocol.md).
 */
export class SseEndpoint {
  private sessionsOf: SseSessions | undefined

  constructor(
    /** The socket server, made on first need: it holds every connection, whatever its transport. */
    private readonly sockets: () => SocketServer,
  ) {}

  private get sessions(): SseSessions {
    const { settings } = this.sockets()
    return (this.sessionsOf ??= new SseSessions(settings.hub.pubsub, settings, settings.tickets === undefined))
  }

  /** Answers a request to `{basePath}/_events`. */
  reply(exchange: HttpExchange, http: HttpSettings): Promise<HttpReply> {
    const { settings } = this.sockets()
    if (exchange.method !== 'GET' && exchange.method !== 'POST') return Promise.reject(new MethodNotAllowed('GET, POST', 'An event stream is opened with GET and written to with POST'))
    if (!originAllowed(exchange.header('origin'), exchange.header('host'), settings.origins)) {
      return Promise.reject(new MizanError('FORBIDDEN', 'This origin may not open realtime connections'))
    }
    return exchange.method === 'GET' ? this.open(exchange, http) : this.post(exchange, http)
  }

  private async open(exchange: HttpExchange, http: HttpSettings): Promise<HttpReply> {
    const sockets = this.sockets()
    const { settings } = sockets
    if (!sockets.accepting) throw new MizanError('SERVICE_UNAVAILABLE', 'The server is shutting down', { headers: { 'retry-after': '1' } })
    const ticket = settings.tickets === undefined ? undefined : await this.verifyTicket(exchange)
    const ctx = await contextOf(exchange, http, ticket)
    const lastEventId = exchange.header('last-event-id')
    const secret = nodeCrypto().randomBytes(16).toString('base64url')
    const peer = new SsePeer()
    const sessions = this.sessions
    const forwarded = sessions.listen(secret)
    peer.once('close', () => {
      sessions.delete(secret)
      forwarded.leave()
    })
    void openConnection(settings, sockets.connections, {
      socket: peer,
      ctx,
      address: exchange.clientAddress(),
      heartbeatMs: settings.limits.sseHeartbeatMs,
      hello: { session: secret },
      after: lastEventId !== undefined && lastEventId.length <= MAX_LAST_EVENT_ID ? lastEventId : undefined,
      ready: forwarded.ready,
    }).then(
      (connection) => {
        if (connection !== undefined && peer.readyState === peer.OPEN) sessions.add(secret, { connection, peer, ctx, principal: principalString(settings.hub.principalOf(ctx)) })
      },
      (error: unknown) => {
        settings.dispatcher.onError({ error, path: '(events)', ctx })
        peer.close(1011, 'internal error')
      },
    )
    const headers: Record<string, string | string[]> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    }
    addResponseHeaders(headers, exchange.resHeaders)
    return { status: 200, headers, body: new EventBody(peer) }
  }

  /**
   * The ticket of the `x-mizan-ticket` header (never the URL, which logs keep): missing or refused
   * is 401; one the server could not check (its replay store full or down) is 503, reported.
   */
  private async verifyTicket(exchange: HttpExchange): Promise<TicketClaims> {
    const { settings } = this.sockets()
    const text = exchange.header(TICKET_HEADER)
    if (text === undefined || text === '') throw new MizanError('UNAUTHORIZED', `Send a ticket from _session in the ${TICKET_HEADER} header`)
    try {
      return await settings.tickets!.verify(text)
    } catch (error) {
      if (error instanceof TicketError) throw new MizanError('UNAUTHORIZED', error.message)
      settings.dispatcher.onError({ error, path: '(events ticket)', ctx: undefined })
      throw new MizanError('SERVICE_UNAVAILABLE', 'The ticket could not be checked: try again later', { headers: { 'retry-after': '5' } })
    }
  }

  private async post(exchange: HttpExchange, http: HttpSettings): Promise<HttpReply> {
    const { settings } = this.sockets()
    const secret = exchange.header(SESSION_HEADER)
    if (secret === undefined || !SECRET.test(secret)) throw new MizanError('BAD_REQUEST', `Name the event stream's session in the ${SESSION_HEADER} header`)
    const type = exchange.header('content-type')
    if (!isFramesType(type)) throw new MizanError('UNSUPPORTED_MEDIA_TYPE', 'Send frames with content-type: application/x-ndjson')
    const limit = http.limits.maxBodySize
    const length = exchange.header('content-length')
    if (length !== undefined && Number(length) > limit) throw tooLarge(limit)
    const frames = framesOf(await exchange.readBody(limit), settings.limits.maxMessageSize)
    // Without tickets the request's own credentials must be the stream's: a session id alone is not enough.
    const principal = settings.tickets === undefined ? principalString(settings.hub.principalOf(await contextOf(exchange, http, undefined))) : undefined
    const sessions = this.sessions
    const session = sessions.get(secret)
    if (session !== undefined) {
      if (principal !== undefined && principal !== session.principal) throw new MizanError('FORBIDDEN', 'This event stream belongs to someone else')
      sessions.feed(session, frames)
      return { status: 204, headers: { 'cache-control': 'no-store' }, body: null }
    }
    if (!sessions.shared) throw new MizanError('NOT_FOUND', 'No such event stream: open a new one')
    await sessions.forward(secret, frames, principal)
    return { status: 202, headers: { 'cache-control': 'no-store' }, body: null }
  }
}

/** The context of an event stream request (transport `sse`), its failures reported like any other. */
async function contextOf(exchange: HttpExchange, http: HttpSettings, ticket: TicketClaims | undefined): Promise<unknown> {
  const options: ContextOptions = { ...exchange.contextOptions(), transport: 'sse' }
  if (ticket !== undefined) options.ticket = ticket
  try {
    return await http.createContext(options)
  } catch (error) {
    http.dispatcher.onError({ error, path: '_events', ctx: undefined })
    throw error
  }
}

function principalString(principal: string | number | null | undefined): string | null {
  return principal === null || principal === undefined ? null : String(principal)
}

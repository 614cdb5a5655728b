import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A small node:http server speaking the realtime protocol over Server-Sent Events, as a client sees
 * it: `GET /api/mizan/_events` (a hello with the session secret, then frames), `POST` of client
 * frames with `x-mizan-session`, `POST /_session` for tickets. It refuses every WebSocket upgrade
 * (destroys the socket), as a proxy or a serverless runtime does. Tests steer it and read what it
 * saw; `events` emits `stream`, `post`, `frame`, `upgrade` and `gone` (an event stream closed).
 */
export async function startEventsServer(options: { tickets?: (ticket: string | undefined) => boolean } = {}) {
  const events = new EventEmitter()
  const streams = new Map<string, ServerResponse>()
  const seen = {
    /** Headers and URL of each event stream request. */
    gets: [] as { url: string; headers: IncomingMessage['headers'] }[],
    /** The body of each frames POST, as sent. */
    posts: [] as string[],
    /** Every client frame, with the session it came on. */
    frames: [] as { session: string; frame: { type: string; id: string; path?: string; [key: string]: unknown } }[],
    upgrades: 0,
    /** The `x-mizan-connection` of other HTTP calls. */
    connections: [] as (string | undefined)[],
  }
  /** Status for the next frames POSTs instead of delivering them (tests push 404, 413...). */
  const refusePosts: number[] = []
  let sessions = 0
  let tickets = 0

  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname
    if (path === '/api/mizan/_session' && req.method === 'POST') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ticket: `t${++tickets}` }))
    if (path === '/api/mizan/_events' && req.method === 'GET') return openStream(req, res)
    if (path === '/api/mizan/_events' && req.method === 'POST') return void receive(req, res)
    // Any other call: an answer that names the call's path.
    seen.connections.push(req.headers['x-mizan-connection'] as string | undefined)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: path.slice('/api/mizan/'.length) }))
  })
  server.on('upgrade', (_req, socket) => {
    seen.upgrades++
    socket.destroy()
    events.emit('upgrade')
  })

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    seen.gets.push({ url: req.url!, headers: req.headers })
    if (options.tickets !== undefined && !options.tickets(req.headers['x-mizan-ticket'] as string | undefined)) return void res.writeHead(401).end()
    const n = ++sessions
    const session = `secret-${n}`
    streams.set(session, res)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
    write(session, { type: 'hello', connection: `conn-${n}`, websocket: ['live'], session })
    res.on('close', () => {
      streams.delete(session)
      events.emit('gone', session)
    })
    events.emit('stream', session)
  }

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = ''
    for await (const chunk of req) body += chunk
    const session = req.headers['x-mizan-session'] as string | undefined
    seen.posts.push(body)
    const refusal = refusePosts.shift()
    if (session === undefined || !streams.has(session)) res.writeHead(404).end()
    else if (refusal !== undefined) res.writeHead(refusal).end()
    else {
      res.writeHead(204).end()
      for (const line of body.split('\n')) answer(session, JSON.parse(line))
    }
    events.emit('post', body)
  }

  function answer(session: string, frame: (typeof seen.frames)[number]['frame']): void {
    seen.frames.push({ session, frame })
    if (frame.type === 'subscribe') write(session, { type: 'subscribed', id: frame.id, affects: [] })
    if (frame.type === 'call') write(session, { type: 'result', id: frame.id, result: { data: `${frame.path} over the stream` } })
    events.emit('frame', frame)
  }

  function write(session: string, frame: unknown): void {
    streams.get(session)?.write(`data: ${JSON.stringify(frame)}\n\n`)
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/mizan`,
    wsUrl: `ws://127.0.0.1:${port}/api/mizan/_ws`,
    seen,
    events,
    refusePosts,
    /** Event streams open now, by session. */
    streams,
    /** Sends a `message` frame to subscription `id` on every open stream. */
    publish(id: string, message: unknown): void {
      for (const session of streams.keys()) write(session, { type: 'message', id, message: { json: message } })
    },
    /** Ends every stream with `event: close` and this code, as a restarting server does. */
    closeStreams(code: number): void {
      for (const res of streams.values()) res.end(`event: close\ndata: ${JSON.stringify({ code, reason: 'restarting' })}\n\n`)
    },
    /** Resolves when `event` has been emitted with a value passing `test`. */
    next<T = unknown>(event: string, test: (value: T) => boolean = () => true): Promise<T> {
      return new Promise((resolve) => {
        const listener = (value: T) => {
          if (!test(value)) return
          events.off(event, listener)
          resolve(value)
        }
        events.on(event, listener)
      })
    },
    async close(): Promise<void> {
      for (const res of streams.values()) res.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

// Baseline for the SSE fan-out: a bare node:http Server-Sent Events broadcast, no framework. It
// speaks the protocol of Mizan's SSE transport, so the same load drives both and the bytes on the
// wire are the same: `GET /_events` opens a stream whose first event is a hello with a session;
// `POST /_events` (`x-mizan-session`) with a subscribe frame adds the stream to one set and answers
// `subscribed` on the stream; a publish validates the message, builds its event once, and writes
// that one string to every stream of the set.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { z } from 'zod'
import { servePublishes } from './publisher.mjs'

const message = z.object({ p: z.string(), seq: z.number(), t: z.number() })
const sessions = new Map()
const subscribers = new Set()

const server = http.createServer((req, res) => {
  if (req.url !== '/_events') return res.writeHead(404).end()
  if (req.method === 'GET') {
    const session = randomBytes(16).toString('base64url')
    sessions.set(session, res)
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' })
    res.write(`data: ${JSON.stringify({ type: 'hello', connection: session, websocket: [], session })}\n\n`)
    res.on('close', () => {
      sessions.delete(session)
      subscribers.delete(res)
    })
    return
  }
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    const stream = sessions.get(req.headers['x-mizan-session'])
    if (stream === undefined) return res.writeHead(404).end()
    const frame = JSON.parse(body)
    if (frame.type === 'subscribe' && frame.path === 'feed') {
      subscribers.add(stream)
      stream.write(`data: ${JSON.stringify({ type: 'subscribed', id: frame.id })}\n\n`)
    }
    res.writeHead(204).end()
  })
})

servePublishes((payload) => {
  // Every subscriber subscribed with id "s1", so one event fits all: the same bytes Mizan sends.
  const text = `data: ${JSON.stringify({ type: 'message', id: 's1', message: { json: message.parse(payload) } })}\n\n`
  for (const res of subscribers) res.write(text)
})

server.listen(0, '127.0.0.1', () => console.log(server.address().port))

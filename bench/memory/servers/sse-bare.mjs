// Baseline for the SSE row: a bare node:http Server-Sent Events server that keeps each stream's
// response in a Set, writes a hello event when it opens and a comment every 15 s (as Mizan's
// heartbeat does). Nothing else per connection: the request, the response and the socket are what
// any event stream on Node holds.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { serveMemoryReadings } from './report.mjs'

const streams = new Set()
const server = http.createServer((req, res) => {
  if (req.url !== '/_events') return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' })
  res.write(`data: ${JSON.stringify({ type: 'hello', session: randomBytes(16).toString('base64url') })}\n\n`)
  streams.add(res)
  res.on('close', () => streams.delete(res))
})

setInterval(() => {
  for (const res of streams) res.write(': ping\n\n')
}, 15_000).unref()

serveMemoryReadings(() => streams.size)
server.listen(0, '127.0.0.1', () => console.log(server.address().port))

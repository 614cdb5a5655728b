// Baseline: a plain `ws` server that keeps its sockets in a Set and pings them every 30 s (as
// Mizan's heartbeat does), closing one that missed the last pong. Nothing else per connection.
import { WebSocketServer } from 'ws'
import { serveMemoryReadings } from './report.mjs'

const sockets = new Set()
const alive = new WeakSet()
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })

wss.on('connection', (ws) => {
  sockets.add(ws)
  alive.add(ws)
  ws.on('pong', () => alive.add(ws))
  ws.on('close', () => sockets.delete(ws))
})

setInterval(() => {
  for (const ws of sockets) {
    if (!alive.has(ws)) {
      ws.terminate()
      continue
    }
    alive.delete(ws)
    ws.ping()
  }
}, 30_000).unref()

serveMemoryReadings(() => sockets.size)
wss.on('listening', () => console.log(wss.address().port))

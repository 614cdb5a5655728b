// Baseline: a plain `ws` server, no framework. It speaks the same frames as Mizan, so the same load
// generator drives both and the bytes on the wire are the same:
//  - RPC: `{"type":"call","id","path":"echo","input":{"n"}}` → `{"type":"result","id","result":{"data":{"n"}}}`,
//    the input validated with the same zod schema Mizan uses, nothing more;
//  - fan-out: `{"type":"subscribe","id"}` adds the socket to one set (`{"type":"subscribed","id"}`);
//    a publish validates the message, serializes it once, and sends that one string to every socket.
// Publishes are ordered over IPC by ws.mjs (see publisher.mjs), the same way for every server.
import { WebSocketServer } from 'ws'
import { z } from 'zod'
import { servePublishes } from './publisher.mjs'

const input = z.object({ n: z.number() })
const message = z.object({ p: z.string(), seq: z.number(), t: z.number() })

const subscribers = new Set()
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })

wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    let frame
    try {
      frame = JSON.parse(String(data))
    } catch {
      return ws.send(JSON.stringify({ type: 'error', error: { code: 'BAD_REQUEST' } }))
    }
    if (frame.type === 'call' && frame.path === 'echo') {
      const parsed = input.safeParse(frame.input)
      if (!parsed.success) return ws.send(JSON.stringify({ type: 'error', id: frame.id, error: { code: 'BAD_REQUEST' } }))
      return ws.send(JSON.stringify({ type: 'result', id: frame.id, result: { data: { n: parsed.data.n } } }))
    }
    if (frame.type === 'subscribe' && frame.path === 'feed') {
      subscribers.add(ws)
      return ws.send(JSON.stringify({ type: 'subscribed', id: frame.id }))
    }
    ws.send(JSON.stringify({ type: 'error', id: frame.id, error: { code: 'NOT_FOUND' } }))
  })
  ws.on('close', () => subscribers.delete(ws))
})

servePublishes((payload) => {
  // Every subscriber subscribed with id "s1", so one frame fits all: the same bytes Mizan sends.
  const text = JSON.stringify({ type: 'message', id: 's1', message: { json: message.parse(payload) } })
  for (const ws of subscribers) ws.send(text)
})

wss.on('listening', () => console.log(wss.address().port))

// Baseline: a plain `ws` server, no framework. It speaks the same frames as Mizan, so the same load
// generator drives both and the bytes on the wire are the same:
//  - RPC: `{"type":"call","id","path":"echo","input":{"n"}}` → `{"type":"result","id","result":{"data":{"n"}}}`,
//    the input validated with the same zod schema Mizan uses, nothing more;
//  - fan-out: `{"type":"subscribe","id","path":"feed"}` adds the socket to one set
//    (`{"type":"subscribed","id"}`); a publish validates the message, serializes it once, and sends
//    that one string to every socket. With `"path":"inbox"` the socket joins a second set, which
//    hears invalidation pushes instead: `{"type":"invalidate","invalidate":[{"path":"inbox","input"}]}`,
//    the frame Mizan pushes, built once and sent to every socket of that set.
// Publishes are ordered over IPC by ws.mjs (see publisher.mjs), the same way for every server.
import { WebSocketServer } from 'ws'
import { z } from 'zod'
import { servePublishes } from './publisher.mjs'

const input = z.object({ n: z.number() })
const message = z.object({ p: z.string(), seq: z.number(), t: z.number() })

const subscribers = new Set()
const listeners = new Set()
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
    if (frame.type === 'subscribe' && (frame.path === 'feed' || frame.path === 'inbox')) {
      ;(frame.path === 'feed' ? subscribers : listeners).add(ws)
      return ws.send(JSON.stringify({ type: 'subscribed', id: frame.id }))
    }
    ws.send(JSON.stringify({ type: 'error', id: frame.id, error: { code: 'NOT_FOUND' } }))
  })
  ws.on('close', () => {
    subscribers.delete(ws)
    listeners.delete(ws)
  })
})

servePublishes((payload, kind) => {
  if (kind === 'invalidate') {
    const text = JSON.stringify({ type: 'invalidate', invalidate: [{ path: 'inbox', input: message.parse(payload) }] })
    for (const ws of listeners) ws.send(text)
    return
  }
  // Every subscriber subscribed with id "s1", so one frame fits all: the same bytes Mizan sends.
  const text = JSON.stringify({ type: 'message', id: 's1', message: { json: message.parse(payload) } })
  for (const ws of subscribers) ws.send(text)
})

wss.on('listening', () => console.log(wss.address().port))

// Idle-connection load: opens N connections to one server and keeps them open, doing nothing.
// idle-memory.mjs runs this pinned to CPU 1 with its job as one JSON argument, and talks to it in
// JSON lines. First `warm` connections open (the server's code paths for a connection run, compile
// and load what they load lazily, before the first reading): this prints { event: 'warm' }. On
// { cmd: 'open' } it opens N more and prints { event: 'ready', connections, connectSeconds,
// loadCpuSeconds } once each is in the state the row asks for, then waits; { cmd: 'count' } answers
// { event: 'count', closed }, and { cmd: 'exit' } closes them all.
//
//   transport 'ws': a WebSocket; with `hello`, ready at the server's hello frame (Mizan), else at
//     'open' (raw ws). With `join`, it then subscribes to the channel `room` ({ room: 'lobby' }:
//     every connection in the same group, as users of one chat room) and is ready at `subscribed`.
//   transport 'sse': a `GET` of the event stream, ready once the response's headers arrived with
//     status 200 and `text/event-stream`, and with `hello`, once its first event (the hello) did.
// A connection that fails or closes before it is ready fails the run; one that closes later is
// counted (`closed`), since an idle benchmark that lost connections measured fewer of them.
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { WebSocket } from 'ws'

const { url, connections, warm = 0, transport = 'ws', hello = false, join = false, concurrency = 50 } = JSON.parse(process.argv[2])

let closed = 0
const open = []
await openMany(warm)
print({ event: 'warm', connections: open.length })

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line)
  if (command.cmd === 'open') {
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    const opened = await openMany(connections)
    const cpu = process.cpuUsage(cpuBefore)
    print({ event: 'ready', connections: opened, connectSeconds: (performance.now() - started) / 1000, loadCpuSeconds: (cpu.user + cpu.system) / 1e6 })
  }
  if (command.cmd === 'count') print({ event: 'count', closed })
  if (command.cmd === 'exit') {
    for (const each of open) each.close()
    process.exit(0)
  }
}

/** Opens `count` connections, `concurrency` at a time (the listen backlog stays short); resolves with how many opened. */
async function openMany(count) {
  let next = 0
  const before = open.length
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++
        open.push(await (transport === 'sse' ? openStream() : openSocket()))
      }
    }),
  )
  return open.length - before
}

function openSocket() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    let ready = false
    const done = () => {
      ready = true
      resolve({ close: () => ws.terminate() })
    }
    ws.once('open', () => {
      if (!hello) done()
    })
    ws.on('error', (error) => (ready ? undefined : reject(error)))
    ws.on('close', () => (ready ? closed++ : reject(new Error('closed before ready'))))
    ws.on('message', (data) => {
      if (ready) return
      const frame = JSON.parse(String(data))
      if (frame.type === 'hello') {
        if (!join) return done()
        ws.send(JSON.stringify({ type: 'subscribe', id: 's1', path: 'room', params: { room: 'lobby' } }))
      } else if (frame.type === 'subscribed' && frame.id === 's1') done()
      else reject(new Error(`unexpected frame: ${data}`))
    })
  })
}

function openStream() {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.resume()
        return reject(new Error(`${url}: status ${res.statusCode}, ${res.headers['content-type']}`))
      }
      // Read and drop the events (keep-alives), so the server's side never backs up.
      res.once('close', () => closed++)
      const ready = () => resolve({ close: () => req.destroy() })
      if (!hello) {
        res.resume()
        return ready()
      }
      res.once('data', () => {
        res.resume()
        ready()
      })
    })
    req.once('error', reject)
  })
}

function print(value) {
  console.log(JSON.stringify(value))
}

// Fan-out load: N connections (WebSockets, or Server-Sent Events streams with `transport: 'sse'`),
// each subscribed to the same group, counting what arrives. How a connection opens and joins is
// its transport's (connect-ws.mjs, connect-sse.mjs); what arrives is counted here.
// ws.mjs runs this pinned to CPU 1 and talks to it in JSON lines: this process prints
// { event: 'ready' } once every connection is subscribed; then, per phase, ws.mjs writes
// { cmd: 'expect', phase, count } to stdin (this answers { event: 'expecting' }), has the server
// publish, and this prints { event: 'phase', ... } once `count` messages of that phase arrived, or
// when none arrived for `idleMs` (the missing ones count as lost).
//
// Every connection speaks the Mizan frames (the raw server speaks them too): it waits for the hello
// frame where there is one, sends { type: 'subscribe', id: 's1', path: 'feed', params }, and is
// ready at { type: 'subscribed' }.
//
// mode 'invalidate': what arrives are invalidation pushes, { type: 'invalidate', invalidate:
// [{ path: 'inbox', input: { p, seq, t } }] }. Each connection is signed in as its own user
// (`authorization: Bearer u<i>` on the upgrade). A server with a hello (Mizan) pushes to a
// connection from its hello on, so it is ready then; the raw server is told with a subscribe to
// path 'inbox'.
// Latency = receipt time - the `t` the server put in the message, both performance.timeOrigin +
// performance.now(), on the same machine.
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { connectSse } from './connect-sse.mjs'
import { connectWs } from './connect-ws.mjs'

const { url, subscribers, hello, mode = 'channel', transport = 'ws', idleMs = 3000, connectConcurrency = 50 } = JSON.parse(process.argv[2])
const invalidations = mode === 'invalidate'
const connect = transport === 'sse' ? connectSse : connectWs

const now = () => performance.timeOrigin + performance.now()
const phases = new Map()
let closed = 0
let errors = 0
let firstError

// --- connect and subscribe, connectConcurrency at a time (the listen backlog stays short) ---
const sockets = []
let nextIndex = 0
const connectStarted = performance.now()
await Promise.all(Array.from({ length: connectConcurrency }, async () => {
  while (nextIndex < subscribers) {
    sockets.push(await connect({ url, index: nextIndex++, hello, invalidations, received, fail, closed: () => closed++ }))
  }
}))
const connectSeconds = (performance.now() - connectStarted) / 1000
print({ event: 'ready', connections: sockets.length, connectSeconds })

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line)
  if (command.cmd === 'expect') {
    startPhase(command.phase, command.count)
    print({ event: 'expecting', phase: command.phase })
  } else if (command.cmd === 'exit') {
    for (const connection of sockets) connection.terminate()
    process.exit(0)
  }
}

function received(data) {
  const at = now()
  let frame
  try {
    frame = JSON.parse(String(data))
  } catch (error) {
    return fail(error)
  }
  const message = invalidations ? inboxInput(frame) : frame.type === 'message' && frame.id === 's1' ? frame.message?.json : undefined
  if (typeof message?.t !== 'number') return fail(new Error(`unexpected frame ${data}`))
  const phase = phases.get(message.p)
  if (phase === undefined) return fail(new Error(`message of an unannounced phase ${message.p}`))
  phase.add(at, message)
}

/** The input of the one `inbox` entry of an invalidation push, or undefined. */
function inboxInput(frame) {
  const entries = frame.type === 'invalidate' ? frame.invalidate : undefined
  return Array.isArray(entries) && entries.length === 1 && entries[0].path === 'inbox' ? entries[0].input : undefined
}

function startPhase(name, count) {
  const latencies = new Float64Array(count)
  const cpuBefore = process.cpuUsage()
  const opened = performance.now()
  let got = 0
  let extra = 0
  let firstPublish = Infinity
  let lastReceipt = 0
  let lastSeen = 0
  // One watchdog per phase rather than a timer reset per message (timers would cost more than
  // the bookkeeping): it ends the phase after idleMs without a message, or 3 × idleMs before the first.
  const watchdog = setInterval(() => {
    const quiet = performance.now() - (got === 0 ? opened : lastSeen)
    if (quiet > (got === 0 ? 3 * idleMs : idleMs)) finish()
  }, 100)
  const finish = () => {
    clearInterval(watchdog)
    phases.delete(name)
    const cpu = process.cpuUsage(cpuBefore)
    const sorted = latencies.subarray(0, got).sort()
    const pick = (q) => (got === 0 ? null : sorted[Math.min(got - 1, Math.floor(q * got))])
    const seconds = (lastReceipt - firstPublish) / 1000
    print({
      event: 'phase',
      phase: name,
      expected: count,
      received: got,
      lost: count - got,
      duplicates: extra,
      // From the first publish to the last receipt: the time it took to deliver them all.
      seconds,
      deliveredPerSec: got / seconds,
      latencyP50: pick(0.5),
      latencyP99: pick(0.99),
      latencyMax: got === 0 ? null : sorted[got - 1],
      // Connections closed since the start: the server's slow-consumer guard (maxBufferedBytes) closes them.
      closed,
      errors,
      firstError,
      loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
    })
  }
  const phase = {
    add(at, message) {
      if (got === count) return void extra++
      latencies[got++] = at - message.t
      if (message.t < firstPublish) firstPublish = message.t
      lastReceipt = at
      lastSeen = at - performance.timeOrigin
      if (got === count) finish()
    },
  }
  phases.set(name, phase)
  return phase
}

function fail(error) {
  errors++
  firstError ??= String(error?.stack ?? error)
}

function print(value) {
  console.log(JSON.stringify(value))
}

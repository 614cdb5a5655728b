// RPC load: K calls in flight over ONE WebSocket, each answer followed at once by the next call.
// ws.mjs runs this in its own process pinned to CPU 1, away from the server on CPU 0, and reads
// the JSON lines it prints: { event: 'start' } when the measured run begins, then the result.
//
// Drivers:
//   frames-mizan  a bare `ws` client sending Mizan's frames (also what the raw server speaks):
//                 the transport alone, no client library
//   frames-trpc   the same for tRPC's frames ({ id, method: 'query', params: { path, input } })
//   client-mizan  Mizan's own client (`client.echo.query`), the socket opened by a subscription
//   client-trpc   tRPC's own client (createTRPCClient + wsLink + createWSClient)
// Every answer is checked (the n sent comes back); anything else counts as an error.
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'

const job = JSON.parse(process.argv[2])
const { driver, inflight, warmup, duration } = job

let phase = 'warmup'
let done = 0
let errors = 0
let firstError
let latencies = new Float64Array(1 << 20)

function record(ms) {
  if (phase !== 'measure') return
  if (done === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2)
    bigger.set(latencies)
    latencies = bigger
  }
  latencies[done++] = ms
}

function fail(error) {
  errors++
  firstError ??= String(error?.stack ?? error)
}

const drivers = { 'frames-mizan': framesMizan, 'frames-trpc': framesTrpc, 'client-mizan': clientMizan, 'client-trpc': clientTrpc }
const start = await drivers[driver]()

// Warm-up, then the measured window; the drivers read `phase` and stop issuing calls at 'stop'.
start()
await sleep(warmup * 1000)
phase = 'measure'
console.log(JSON.stringify({ event: 'start' }))
const cpuBefore = process.cpuUsage()
const t0 = performance.now()
await sleep(duration * 1000)
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpuBefore)
phase = 'stop'

const sorted = latencies.subarray(0, done).sort()
const pick = (q) => (done === 0 ? null : sorted[Math.min(done - 1, Math.floor(q * done))])
console.log(
  JSON.stringify({
    event: 'result',
    perSec: done / seconds,
    ok: done,
    seconds,
    latencyP50: pick(0.5),
    latencyP99: pick(0.99),
    latencyMax: done === 0 ? null : sorted[done - 1],
    errors,
    firstError,
    loadCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  }),
)
process.exit(0)

/** Opens a bare socket; resolves once open (and, for Mizan, once its hello frame arrived). */
function openSocket(url, waitForHello) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true })
    ws.once('error', reject)
    if (!waitForHello) return ws.once('open', () => resolve(ws))
    ws.once('message', (data) => {
      const frame = JSON.parse(String(data))
      if (frame.type !== 'hello' || !frame.websocket.includes('echo')) return reject(new Error(`expected a hello serving echo, got ${data}`))
      resolve(ws)
    })
  })
}

/** K ids in flight on one socket: `encode(n)` makes the frame, `decode(frame)` returns { id, n } or throws. */
async function framesLoop(ws, encode, decode) {
  const sent = new Map()
  let next = 0
  const send = () => {
    const n = next++
    sent.set(n, performance.now())
    ws.send(encode(n))
  }
  ws.on('message', (data) => {
    const now = performance.now()
    let n
    try {
      n = decode(JSON.parse(String(data)))
    } catch (error) {
      return fail(error)
    }
    const at = sent.get(n)
    if (at === undefined) return fail(new Error(`answer to an unknown call: ${data}`))
    sent.delete(n)
    record(now - at)
    if (phase !== 'stop') send()
  })
  ws.on('close', (code) => phase !== 'stop' && fail(new Error(`socket closed (${code})`)))
  return () => {
    for (let i = 0; i < inflight; i++) send()
  }
}

async function framesMizan() {
  const ws = await openSocket(job.url, job.hello)
  return framesLoop(
    ws,
    (n) => `{"type":"call","id":"${n}","path":"echo","input":{"n":${n}}}`,
    (frame) => {
      if (frame.type !== 'result' || frame.result?.data?.n !== Number(frame.id)) throw new Error(`unexpected frame ${JSON.stringify(frame)}`)
      return Number(frame.id)
    },
  )
}

async function framesTrpc() {
  const ws = await openSocket(job.url, false)
  return framesLoop(
    ws,
    (n) => `{"id":${n},"method":"query","params":{"path":"echo","input":{"n":${n}}}}`,
    (frame) => {
      if (frame.result?.type !== 'data' || frame.result.data?.n !== frame.id) throw new Error(`unexpected frame ${JSON.stringify(frame)}`)
      return frame.id
    },
  )
}

/** K async workers, each awaiting its call and making the next. */
function clientLoop(call) {
  let next = 0
  const worker = async () => {
    while (phase !== 'stop') {
      const n = next++
      const at = performance.now()
      try {
        const result = await call(n)
        if (result?.n !== n) throw new Error(`wrong answer ${JSON.stringify(result)} for ${n}`)
        record(performance.now() - at)
      } catch (error) {
        if (phase !== 'stop') fail(error)
      }
    }
  }
  return () => {
    for (let i = 0; i < inflight; i++) void worker()
  }
}

async function clientMizan() {
  const { createClient } = await import('../../packages/client/dist/index.js')
  const client = createClient({
    url: job.httpUrl,
    wsUrl: job.url,
    WebSocket,
    // Every call must go over the socket: one that fell back to HTTP would be an error here.
    fetch: () => Promise.reject(new Error('a call went over HTTP, not the WebSocket')),
  })
  // Mizan opens its socket for a subscription; `websocket: true` calls then go over it.
  await new Promise((resolve, reject) => {
    client.feed.subscribe({ room: 'rpc' }, { onMessage: () => {}, onStatus: (s) => s.status === 'open' && resolve(), onError: reject })
  })
  return clientLoop((n) => client.echo.query({ n }))
}

async function clientTrpc() {
  const { createTRPCClient, createWSClient, wsLink } = await import('@trpc/client')
  // Node 20 has no global WebSocket: the `ws` class goes in through the WebSocket option.
  const wsClient = createWSClient({ url: job.url, WebSocket })
  const client = createTRPCClient({ links: [wsLink({ client: wsClient })] })
  // The first call opens the socket; it is not counted (the warm-up is not).
  const first = await client.echo.query({ n: -1 })
  if (first?.n !== -1) throw new Error(`tRPC answered ${JSON.stringify(first)}`)
  return clientLoop((n) => client.echo.query({ n }))
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// Idle-connection memory: what a server process holds per open, idle realtime connection. Each
// server runs in its own process pinned to CPU 0 (with --expose-gc); a load process pinned to
// CPU 1 opens N connections that then do nothing. The server reports process.memoryUsage() after
// forced garbage collections before the connections open and once they are all open; the
// difference over N is the memory per connection (RSS and V8 heap), compared with a raw `ws`
// server that keeps its sockets in a Set and pings them. A few warm-up connections open (and stay
// open) before the first reading, so that code compiled or loaded on a server's first connections
// is not counted as memory per connection.
// Usage: node bench/idle-memory.mjs [--quick] [--connections 5000] [--warm 100] [--rounds 3] [--only raw,mizan,...]
import http from 'node:http'
import path from 'node:path'
import { canPin, nextMessage, stop } from './lib/children.mjs'
import { cpuWindow, judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { startLoad } from './lib/load-process.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { chooseServers, readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion as readMizanVersion, requireBuild, requireDependencies, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { startServer } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { fmtPercent, printTable } from './lib/table.mjs'

const memoryDir = path.join(benchDir, 'memory')

const config = readConfig()
requireDependencies(['ws', 'zod'])
requireBuild(['server'])
const mizanVersion = readMizanVersion()

// Every row: the server script (memory/servers/<server>.mjs), the job of the load process, and,
// for a transport a build may not have, `available(port)`: a row whose endpoint is missing is
// skipped (and said so), not failed.
const ROWS = [
  { name: 'raw', server: 'raw', label: `raw ws ${versionOf('ws')}, sockets in a Set, pinged`, job: { transport: 'ws', path: '' } },
  { name: 'mizan', server: 'mizan', label: `Mizan ${mizanVersion} WebSocket, hello done, nothing joined`, job: { transport: 'ws', path: '/_ws', hello: true } },
  { name: 'mizan-joined', server: 'mizan', label: `Mizan ${mizanVersion} WebSocket, one channel joined`, job: { transport: 'ws', path: '/_ws', hello: true, join: true } },
  { name: 'sse-bare', server: 'sse-bare', label: 'bare node:http SSE, responses in a Set, pinged', job: { transport: 'sse', path: '/_events', hello: true } },
  { name: 'mizan-sse', server: 'mizan', label: `Mizan ${mizanVersion} SSE (GET /_events)`, job: { transport: 'sse', path: '/_events', hello: true }, available: servesEventStream, baseline: 'sse-bare' },
]
const rows = chooseServers(ROWS, config.only)

const machine = describeMachine()
const command = commandLine(import.meta.url)
printMachine(machine, command)
console.log(canPin ? 'pinning: server on CPU 0, load on CPU 1 (taskset), a fresh server process per measurement' : 'pinning: NOT PINNED (taskset or a second core missing)')
console.log(
  `memory: ${config.connections.toLocaleString('en-US')} idle connections per server (after ${config.warm} warm-up ones), ${config.rounds} round(s) interleaved; ` +
    "the server's process.memoryUsage() after forced GCs (--expose-gc) before and after they open; per connection = difference / connections",
)
console.log()

const runs = []
const skipped = new Map()
for (let round = 1; round <= config.rounds; round++) {
  for (const row of rows) {
    if (skipped.has(row.name)) continue
    const result = await measure(row)
    if (result.skipped !== undefined) {
      skipped.set(row.name, result.skipped)
      console.log(`round ${round}/${config.rounds}  ${row.name.padEnd(13)} skipped: ${result.skipped}`)
      continue
    }
    runs.push({ round, row: row.name, ...result })
    console.log(
      `round ${round}/${config.rounds}  ${row.name.padEnd(13)} RSS ${kib(result.rssPerConnection).padStart(9)}/conn  heap ${kib(result.heapPerConnection).padStart(9)}/conn  ` +
        `external ${kib(result.externalPerConnection).padStart(9)}/conn  (${result.serverConnections ?? 'n/a'} open on the server)  ` +
        `server CPU ${fmtPercent(result.serverCpu)}  load CPU ${fmtPercent(result.loadCpu)}  other ${fmtPercent(result.otherCpu)}` +
        (result.closed > 0 ? `  !! ${result.closed} connections closed while idle` : ''),
    )
  }
}

const summary = summarize()
printSummary(summary)
writeResults('memory', { command, machine }, {
  pinned: canPin,
  config,
  versions: { ws: versionOf('ws'), zod: versionOf('zod'), mizan: mizanVersion },
  rows: ROWS.map(({ available, ...row }) => row),
  skipped: Object.fromEntries(skipped),
  runs,
  summary,
}, { quick: config.quick, partial: config.partial, disturbance: judgeDisturbance(runs) })
const broken = summary.filter((row) => row.failures > 0)
if (broken.length > 0) {
  console.error(`\nFAILED: ${broken.map((row) => `${row.label} (${row.failures} connections closed while idle)`).join(', ')}`)
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------

/** One row, one round: a fresh server, a reading, N connections opened, a second reading. */
async function measure(row) {
  const { child, port } = await startServer(row.name, path.join(memoryDir, 'servers', `${row.server}.mjs`), { nodeArgs: ['--expose-gc'], ipc: true })
  let load
  try {
    if (row.available !== undefined && !(await row.available(port, row.job.path))) return { skipped: `no ${row.job.path} endpoint on this build` }
    const job = { ...row.job, url: `${row.job.transport === 'sse' ? 'http' : 'ws'}://127.0.0.1:${port}${row.job.path}`, connections: config.connections, warm: config.warm }
    load = startLoad(path.join(memoryDir, 'idle-load.mjs'), job, { stdin: true, cwd: benchDir })
    await load.next('warm')
    const before = await reading(child)
    load.send({ cmd: 'open' })
    const started = performance.now()
    const cpu = cpuWindow(child.pid)
    const ready = await load.next('ready')
    const seconds = (performance.now() - started) / 1000
    const loadCpu = ready.loadCpuSeconds / seconds
    const { serverCpu, otherCpu } = cpu.end(seconds, loadCpu)
    const after = await reading(child)
    load.send({ cmd: 'count' })
    const { closed } = await load.next('count')
    const per = (field) => (after[field] - before[field]) / ready.connections
    return {
      connections: ready.connections,
      serverConnections: after.connections,
      connectSeconds: ready.connectSeconds,
      before,
      after,
      rssPerConnection: per('rss'),
      heapPerConnection: per('heapUsed'),
      externalPerConnection: per('external'),
      closed,
      serverCpu,
      loadCpu,
      otherCpu,
    }
  } finally {
    load?.send({ cmd: 'exit' })
    await load?.exited.catch(() => {})
    await stop(child)
  }
}

/** The server's memory after forced GCs (see memory/servers/report.mjs). */
function reading(child) {
  const answer = nextMessage(child, (message) => message?.event === 'memory')
  child.send({ cmd: 'measure' })
  return answer
}

/** Whether the server answers `GET path` with an event stream (a transport this build may lack). */
function servesEventStream(port, streamPath) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: streamPath, agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      resolve(res.statusCode === 200 && String(res.headers['content-type']).startsWith('text/event-stream'))
      req.destroy()
    })
    req.once('error', () => resolve(false))
  })
}

function summarize() {
  const rawRss = median(runs.filter((run) => run.row === 'raw').map((run) => run.rssPerConnection))
  const rawHeap = median(runs.filter((run) => run.row === 'raw').map((run) => run.heapPerConnection))
  // A row with a baseline of its own (SSE against bare SSE) is compared with it as well.
  const baselineOf = (name) => {
    const mine = runs.filter((run) => run.row === name)
    return mine.length === 0 ? undefined : { rss: median(mine.map((run) => run.rssPerConnection)), heap: median(mine.map((run) => run.heapPerConnection)) }
  }
  return rows
    .filter((row) => !skipped.has(row.name))
    .map((row) => {
      const mine = runs.filter((run) => run.row === row.name)
      const rssPerConnection = median(mine.map((run) => run.rssPerConnection))
      const heapPerConnection = median(mine.map((run) => run.heapPerConnection))
      return {
        name: row.name,
        label: row.label,
        connections: config.connections,
        rssPerConnection,
        heapPerConnection,
        externalPerConnection: median(mine.map((run) => run.externalPerConnection)),
        rssRatioToRaw: rssPerConnection / rawRss,
        heapRatioToRaw: heapPerConnection / rawHeap,
        ...(row.baseline !== undefined && baselineOf(row.baseline) !== undefined
          ? { baseline: row.baseline, rssRatioToBaseline: rssPerConnection / baselineOf(row.baseline).rss, heapRatioToBaseline: heapPerConnection / baselineOf(row.baseline).heap }
          : {}),
        // The target is for the idle connection that joined nothing; the others are reported beside it.
        target: row.name === 'mizan' ? { rssRatio: 1.2 } : undefined,
        failures: mine.reduce((sum, run) => sum + run.closed, 0),
      }
    })
}

function printSummary(summary) {
  printTable(
    ['server', 'RSS/conn (median)', 'heap/conn', 'external/conn', 'RSS vs raw ws', 'heap vs raw ws', 'target'],
    summary.map((row) => [
      row.label,
      kib(row.rssPerConnection),
      kib(row.heapPerConnection),
      kib(row.externalPerConnection),
      `${row.rssRatioToRaw.toFixed(2)}×`,
      `${row.heapRatioToRaw.toFixed(2)}×`,
      (row.target === undefined ? '' : `≤ ${row.target.rssRatio}× raw RSS: ${row.rssRatioToRaw <= row.target.rssRatio ? 'yes' : 'NO'}`) +
        (row.rssRatioToBaseline === undefined ? '' : `${row.rssRatioToBaseline.toFixed(2)}× ${row.baseline} RSS, ${row.heapRatioToBaseline.toFixed(2)}× its heap`),
    ]),
    { left: [0, 6] },
  )
  console.log()
  console.log(`Medians over ${config.rounds} round(s) of ${config.connections.toLocaleString('en-US')} connections. RSS: what the whole server process holds; heap: V8's used heap; external: Buffers and other memory V8 tracks outside its heap.`)
  warnIfDisturbed(runs, { what: 'measurements (while the connections opened)' })
}

function kib(bytes) {
  return bytes === null || bytes === undefined || Number.isNaN(bytes) ? 'n/a' : `${(bytes / 1024).toFixed(2)} KiB`
}

function readConfig() {
  const { values, integer } = readOptions({
    options: { connections: { type: 'string' }, warm: { type: 'string', default: '100' }, rounds: { type: 'string' }, only: { type: 'string' } },
    quick: { connections: ['1000', '5000'], rounds: ['1', '3'] },
    usage: 'node bench/idle-memory.mjs [--quick: 1,000 connections, 1 round] [--connections N=5000] [--warm N=100] [--rounds N=3] [--only raw,mizan,mizan-joined,mizan-sse]',
  })
  return {
    connections: integer('connections', 1),
    warm: integer('warm', 0),
    rounds: integer('rounds', 1),
    only: values.only?.split(','),
    quick: values.quick,
    partial: values.only !== undefined,
  }
}

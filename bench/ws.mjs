// WebSocket benchmark, two measures in one run, each server in its own process pinned to CPU 0 and
// the load in another process pinned to CPU 1:
//  1. RPC round trips/s over ONE socket, K calls in flight: raw `ws` echo, Mizan (`websocket: true`
//     query, driven by bare frames and by Mizan's client), tRPC 11's WS adapter (bare frames, and
//     its own client);
//  2. fan-out: one publish to N subscribers (N sockets, one group), Mizan channel vs a raw `ws`
//     broadcast: a burst (delivered messages/s) and a paced run (publish→receipt latency);
//     and the same for invalidation pushes: an `auth: true` mutation's invalidation of an
//     `auth: true` query pushed to N signed-in sockets (each push checked against its audience),
//     vs a raw `ws` broadcast of the same frame;
//  3. fan-out over Server-Sent Events: the same channel phases to N event streams, Mizan's SSE
//     transport (`{basePath}/_events`) vs a bare node:http SSE broadcast of the same events.
// Usage: node bench/ws.mjs [--quick] [--duration 5] [--warmup 2] [--rounds 3] [--inflight 64]
//        [--subscribers 1000] [--publishes 200] [--paced 200] [--interval 50] [--only rpc|fanout|push|sse]
//        [--cpu-prof: each server process writes a CPU profile to bench/results/profiles/]
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { canPin, nextMessage, stop } from './lib/children.mjs'
import { cpuWindow, judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { startLoad } from './lib/load-process.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion as readMizanVersion, requireBuild, requireDependencies, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { startServer } from './lib/servers.mjs'
import { median, medianOrNull } from './lib/stats.mjs'
import { fmtInt, fmtMs, fmtPercent, printTable } from './lib/table.mjs'

const wsDir = path.join(benchDir, 'ws')

const config = readConfig()
requireDependencies(['ws', '@trpc/server', '@trpc/client', 'zod'])
requireBuild(['server', 'client'])

const mizanVersion = readMizanVersion()
const trpcVersion = versionOf('@trpc/server')

// `hello`: the server sends a hello frame first (Mizan), which the bare-frame drivers wait for.
const RPC = [
  { name: 'raw', server: 'raw', driver: 'frames-mizan', label: `raw ws ${versionOf('ws')} echo`, wsPath: '', hello: false },
  { name: 'mizan-frames', server: 'mizan', driver: 'frames-mizan', label: `Mizan ${mizanVersion}, bare frames`, wsPath: '/_ws', hello: true },
  { name: 'mizan-client', server: 'mizan', driver: 'client-mizan', label: `Mizan ${mizanVersion}, Mizan client`, wsPath: '/_ws', hello: true },
  { name: 'trpc-frames', server: 'trpc', driver: 'frames-trpc', label: `tRPC ${trpcVersion}, bare frames`, wsPath: '', hello: false },
  { name: 'trpc-client', server: 'trpc', driver: 'client-trpc', label: `tRPC ${trpcVersion}, tRPC client`, wsPath: '', hello: false },
]
/** The measure name of each fan-out mode, in the summary and the results file. */
const MEASURE_OF_MODE = { channel: 'fan-out', invalidate: 'invalidation push', sse: 'SSE fan-out' }

// mode 'channel': channel messages; 'invalidate': invalidation pushes; 'sse': channel messages over
// Server-Sent Events (the `baseline` row of a mode is what its other rows are compared with).
const FANOUT = [
  { name: 'raw', server: 'raw', mode: 'channel', label: `raw ws ${versionOf('ws')} broadcast`, wsPath: '', hello: false, baseline: true },
  { name: 'mizan', server: 'mizan', mode: 'channel', label: `Mizan ${mizanVersion} channel`, wsPath: '/_ws', hello: true },
  { name: 'raw-push', server: 'raw', mode: 'invalidate', label: `raw ws ${versionOf('ws')} broadcast, invalidate frame`, wsPath: '', hello: false, baseline: true },
  { name: 'mizan-push', server: 'mizan', mode: 'invalidate', label: `Mizan ${mizanVersion} invalidation push, auth: true target`, wsPath: '/_ws', hello: true },
  { name: 'raw-sse', server: 'sse-bare', mode: 'sse', transport: 'sse', label: 'bare node:http SSE broadcast', wsPath: '/_events', hello: true, baseline: true },
  { name: 'mizan-sse', server: 'mizan', mode: 'sse', transport: 'sse', label: `Mizan ${mizanVersion} channel over SSE`, wsPath: '/_events', hello: true },
].filter((row) => config.fanoutModes.includes(row.mode))

const machine = describeMachine()
const command = commandLine(import.meta.url)
const burstBytes = Buffer.byteLength(JSON.stringify({ type: 'message', id: 's1', message: { json: { p: 'burst', seq: 199, t: Date.now() + 0.123 } } }))
const pushBytes = Buffer.byteLength(JSON.stringify({ type: 'invalidate', invalidate: [{ path: 'inbox', input: { p: 'burst', seq: 199, t: Date.now() + 0.123 } }] }))

printMachine(machine, command)
console.log(canPin ? 'pinning: server on CPU 0, load on CPU 1 (taskset), a fresh server process per measurement' : 'pinning: NOT PINNED (taskset or a second core missing): the numbers mean less')
if (config.rpc) {
  console.log(
    `rpc:     ${config.inflight} calls in flight over one WebSocket, ${config.warmup} s warm-up + ${config.duration} s measured, ` +
      `${config.rounds} round(s) interleaved; echo({ n }) → { n }, zod-validated input everywhere`,
  )
}
if (config.fanoutModes.includes('channel')) {
  console.log(
    `fan-out: ${config.subscribers} sockets subscribed to one group; warm-up burst of ${config.warmupPublishes} publishes, then a burst of ` +
      `${config.publishes} publishes (one per event-loop turn) and ${config.paced} publishes paced every ${config.interval} ms; ` +
      `~${burstBytes} B frames; publisher inside the server process, ordered over IPC`,
  )
}
if (config.fanoutModes.includes('sse')) {
  console.log(`sse:     the channel phases to ${config.subscribers} Server-Sent Events streams (GET /_events, joined by a POSTed subscribe frame); bare SSE writes the same events`)
}
if (config.fanoutModes.includes('invalidate')) {
  console.log(
    `push:    the same phases with invalidation pushes to ${config.subscribers} signed-in sockets: Mizan runs an auth: true mutation that ` +
      `invalidates an auth: true query with { p, seq, t } (one publish to the signed-in audience class); raw broadcasts the same ~${pushBytes} B frame`,
  )
}
console.log('Mizan server: createMizanServer({ websocket: { messagesPerSecond: 1e9 } }) (the default 50/s per connection would throttle RPC); other socket limits default (maxBufferedBytes 1 MiB)')
console.log()

const rpcRuns = []
const fanoutRuns = []
for (let round = 1; round <= config.rounds; round++) {
  if (config.rpc) {
    for (const row of RPC) {
      const result = await measureRpc(row, round)
      rpcRuns.push({ round, row: row.name, ...result })
      console.log(
        `round ${round}/${config.rounds}  rpc     ${row.name.padEnd(13)} ${fmtInt(result.perSec).padStart(8)} calls/s  p99 ${fmtMs(result.latencyP99).padStart(8)}  ` +
          `server CPU ${fmtPercent(result.serverCpu)}  load CPU ${fmtPercent(result.loadCpu)}  other ${fmtPercent(result.otherCpu)}` +
          (result.errors > 0 ? `  !! ${result.errors} errors: ${result.firstError}` : ''),
      )
    }
  }
  if (config.fanout) {
    for (const row of FANOUT) {
      const result = await measureFanout(row, round)
      fanoutRuns.push({ round, row: row.name, ...result })
      for (const phase of [result.burst, result.paced]) {
        console.log(
          `round ${round}/${config.rounds}  fan-out ${row.name.padEnd(10)} ${phase.phase.padEnd(5)} ${fmtInt(phase.deliveredPerSec).padStart(9)} msg/s  ` +
            `p99 ${fmtMs(phase.latencyP99).padStart(8)}  max ${fmtMs(phase.latencyMax).padStart(8)}  server CPU ${fmtPercent(phase.serverCpu)}  load CPU ${fmtPercent(phase.loadCpu)}  other ${fmtPercent(phase.otherCpu)}` +
            (phase.lost > 0 || phase.closed > 0 || phase.errors > 0 ? `  !! ${phase.lost} lost, ${phase.closed} connections dropped, ${phase.errors} errors ${phase.firstError ?? ''}` : ''),
        )
      }
    }
  }
}

const summary = summarize()
printSummary(summary)
writeResults('ws', { command, machine }, {
  pinned: canPin,
  config,
  versions: { ...Object.fromEntries(['ws', '@trpc/server', '@trpc/client', 'zod'].map((name) => [name, versionOf(name)])), mizan: mizanVersion },
  mizanServerOptions: { websocket: { messagesPerSecond: 1e9 } },
  rpc: { rows: RPC, runs: rpcRuns },
  fanout: { rows: FANOUT, runs: fanoutRuns },
  summary: summary.rows,
}, { quick: config.quick, partial: config.partial, disturbance: judgeDisturbance(measuredRuns()) })
const broken = summary.rows.filter((row) => row.failures > 0)
if (broken.length > 0) {
  console.error(`\nFAILED: ${broken.map((row) => `${row.label} (${row.failureDetail})`).join(', ')}`)
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------

/** One RPC row: a fresh server on CPU 0, the load on CPU 1, the server's CPU read while measured. */
async function measureRpc(row, round) {
  const { child, port } = await startWsServer(row.server, `rpc-${row.name}-r${round}`)
  try {
    const job = {
      driver: row.driver,
      url: `ws://127.0.0.1:${port}${row.wsPath}`,
      httpUrl: `http://127.0.0.1:${port}`,
      hello: row.hello,
      inflight: config.inflight,
      warmup: config.warmup,
      duration: config.duration,
    }
    const load = startLoad(path.join(wsDir, 'rpc-load.mjs'), job, { cwd: benchDir })
    await load.next('start')
    const cpu = cpuWindow(child.pid)
    const { event, ...numbers } = await load.next('result')
    const { serverCpu, otherCpu } = cpu.end(numbers.seconds, numbers.loadCpu)
    await load.exited
    return { ...numbers, serverCpu, otherCpu }
  } finally {
    await stop(child)
  }
}

/**
 * One fan-out row: a fresh server, N subscribed sockets from one load process, then three phases
 * (warm-up burst, burst, paced), each ordered from here: the load is told what to expect, the
 * server is told to publish, and the load reports once everything arrived.
 */
async function measureFanout(row, round) {
  const { child, port } = await startWsServer(row.server, `fanout-${row.name}-r${round}`)
  const transport = row.transport ?? 'ws'
  const job = { url: `${transport === 'sse' ? 'http' : 'ws'}://127.0.0.1:${port}${row.wsPath}`, subscribers: config.subscribers, hello: row.hello, mode: row.mode === 'sse' ? 'channel' : row.mode, transport }
  const load = startLoad(path.join(wsDir, 'fanout-load.mjs'), job, { stdin: true, cwd: benchDir })
  try {
    const ready = await load.next('ready')
    const phase = async (name, count, intervalMs) => {
      load.send({ cmd: 'expect', phase: name, count: count * config.subscribers })
      await load.next('expecting')
      const published = nextMessage(child, (message) => message.event === 'published' && message.phase === name)
      const cpu = cpuWindow(child.pid)
      const started = performance.now()
      child.send({ cmd: 'publish', phase: name, count, intervalMs, kind: row.mode === 'invalidate' ? 'invalidate' : 'channel' })
      const { event, ...numbers } = await load.next('phase')
      const wall = (performance.now() - started) / 1000
      const loadCpu = numbers.loadCpuSeconds / wall
      const { serverCpu, otherCpu } = cpu.end(wall, loadCpu)
      const publish = await published
      return { ...numbers, publishes: count, intervalMs, publishSeconds: publish.seconds, serverCpu, loadCpu, otherCpu }
    }
    const warmup = await phase('warm', config.warmupPublishes, 0)
    const burst = await phase('burst', config.publishes, 0)
    const paced = await phase('paced', config.paced, config.interval)
    return { connections: ready.connections, connectSeconds: ready.connectSeconds, warmup, burst, paced }
  } finally {
    load.send({ cmd: 'exit' })
    await load.exited.catch(() => {})
    await stop(child)
  }
}

/** Starts `ws/servers/<name>.mjs` on CPU 0, with an IPC channel (the publisher), and waits for its port. */
function startWsServer(name, profileName) {
  const profile = config.cpuProf
    ? ['--import', pathToFileURL(path.join(wsDir, 'exit-on-sigterm.mjs')).href, '--cpu-prof', `--cpu-prof-dir=${path.join(benchDir, 'results/profiles')}`, `--cpu-prof-name=${profileName}.cpuprofile`]
    : []
  return startServer(name, path.join(wsDir, 'servers', `${name}.mjs`), { nodeArgs: profile, ipc: true })
}

function summarize() {
  const rows = []
  if (config.rpc) {
    const rawRate = median(rpcRuns.filter((run) => run.row === 'raw').map((run) => run.perSec))
    for (const row of RPC) {
      const mine = rpcRuns.filter((run) => run.row === row.name)
      const perSec = median(mine.map((run) => run.perSec))
      const errors = mine.reduce((sum, run) => sum + run.errors, 0)
      rows.push({
        measure: 'rpc',
        name: row.name,
        label: row.label,
        unit: 'calls/s',
        perSec,
        latencyP99: median(mine.map((run) => run.latencyP99)),
        ratioToRaw: perSec / rawRate,
        target: row.server === 'mizan' ? { ratio: 0.5 } : undefined,
        serverCpu: medianOrNull(mine.map((run) => run.serverCpu)),
        loadCpu: median(mine.map((run) => run.loadCpu)),
        failures: errors,
        failureDetail: errors > 0 ? `${errors} errors, first: ${mine.find((run) => run.firstError)?.firstError}` : '',
      })
    }
  }
  if (config.fanout) {
    for (const mode of config.fanoutModes) {
      for (const phase of ['burst', 'paced']) {
        const rawRow = FANOUT.find((row) => row.baseline && row.mode === mode)
        const rawRate = median(fanoutRuns.filter((run) => run.row === rawRow.name).map((run) => run[phase].deliveredPerSec))
        for (const row of FANOUT.filter((row) => row.mode === mode)) {
          const mine = fanoutRuns.filter((run) => run.row === row.name).map((run) => run[phase])
          const perSec = median(mine.map((run) => run.deliveredPerSec))
          const lost = mine.reduce((sum, run) => sum + run.lost, 0)
          const dropped = mine.reduce((sum, run) => sum + run.closed, 0)
          const errors = mine.reduce((sum, run) => sum + run.errors, 0)
          rows.push({
            measure: `${MEASURE_OF_MODE[mode]} ${phase}`,
            name: row.name,
            label: row.label,
            unit: 'msg/s',
            perSec,
            latencyP99: median(mine.map((run) => run.latencyP99)),
            ratioToRaw: perSec / rawRate,
            // The throughput target holds for the burst (capacity); the latency one for the paced run,
            // where a publish does not queue behind the ones before it.
            target: row.baseline ? undefined : phase === 'burst' ? { ratio: 0.5 } : { p99: 50 },
            serverCpu: medianOrNull(mine.map((run) => run.serverCpu)),
            loadCpu: median(mine.map((run) => run.loadCpu)),
            failures: lost + dropped + errors,
            failureDetail: `${lost} messages lost, ${dropped} connections dropped by the server, ${errors} errors`,
          })
        }
      }
    }
  }
  return { rows }
}

function verdict(row) {
  if (row.target === undefined) return ''
  if (row.target.ratio !== undefined) return `≥ ${row.target.ratio}× raw: ${row.ratioToRaw >= row.target.ratio ? 'yes' : 'NO'}`
  return `p99 ≤ ${row.target.p99} ms: ${row.latencyP99 <= row.target.p99 ? 'yes' : 'NO'}`
}

function printSummary({ rows }) {
  printTable(
    ['measure', 'server', 'rate (median)', 'p99', 'vs baseline', 'server CPU', 'load CPU', 'errors', 'target'],
    rows.map((row) => [
      row.measure,
      row.label,
      `${fmtInt(row.perSec)} ${row.unit}`,
      fmtMs(row.latencyP99),
      `${row.ratioToRaw.toFixed(2)}×`,
      fmtPercent(row.serverCpu),
      fmtPercent(row.loadCpu),
      row.failures === 0 ? '0' : `${row.failures} !!`,
      verdict(row),
    ]),
    { left: [0, 1, 8], groups: rows.map((row) => row.measure) },
  )
  console.log()
  console.log(`Medians over ${config.rounds} round(s). rpc: completed round trips/s over one socket, ${config.inflight} in flight; p99 = call to answer.`)
  if (config.fanout) {
    console.log(
      `fan-out burst: ${config.publishes} publishes × ${config.subscribers} subscribers as fast as the server issues them; rate = messages delivered / ` +
        '(last receipt − first publish); its p99 includes the queue behind earlier publishes.',
    )
    console.log(`fan-out paced: ${config.paced} publishes, one every ${config.interval} ms (the rate is the offered one); p99 = publish → receipt.`)
    if (config.fanoutModes.includes('invalidate')) {
      console.log('invalidation push: the same phases, each publish an auth: true mutation whose invalidation goes to every signed-in socket (Mizan) or a broadcast of the same frame (raw).')
    }
  }
  console.log('CPU: share of one core while measured (server on CPU 0, load on CPU 1). Near 100 % is that side\'s limit.')
  warnIfDisturbed(measuredRuns(), { what: 'measurements (see "other" above)' })
}

/** Every measurement of the run, each with the CPU other processes used meanwhile. */
function measuredRuns() {
  return [...rpcRuns, ...fanoutRuns.flatMap((run) => [run.burst, run.paced])]
}

function readConfig() {
  const { values, integer } = readOptions({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      inflight: { type: 'string', default: '64' },
      subscribers: { type: 'string', default: '1000' },
      publishes: { type: 'string', default: '200' },
      paced: { type: 'string' },
      interval: { type: 'string', default: '50' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
    },
    quick: { duration: ['2', '5'], warmup: ['1', '2'], rounds: ['1', '3'], paced: ['60', '200'] },
    usage:
      'node bench/ws.mjs [--quick: 2 s, 1 round, 60 paced publishes] [--duration S=5] [--warmup S=2] [--rounds N=3] [--inflight K=64]\n' +
      '                  [--subscribers N=1000] [--publishes N=200] [--paced N=200] [--interval MS=50] [--only rpc|fanout|push|sse]\n' +
      '                  [--cpu-prof: a CPU profile of each server process in bench/results/profiles/]',
  })
  if (values.only !== undefined && !['rpc', 'fanout', 'push', 'sse'].includes(values.only)) {
    console.error(`--only is rpc, fanout (channels, pushes and SSE), push (invalidation pushes only) or sse (the SSE fan-out only) (got "${values.only}")`)
    process.exit(2)
  }
  return {
    duration: integer('duration', 1),
    warmup: integer('warmup', 0),
    rounds: integer('rounds', 1),
    inflight: integer('inflight', 1),
    subscribers: integer('subscribers', 1),
    publishes: integer('publishes', 1),
    warmupPublishes: 50,
    paced: integer('paced', 1),
    interval: integer('interval', 1),
    rpc: values.only === undefined || values.only === 'rpc',
    fanout: values.only !== 'rpc',
    // Which fan-outs: channel messages, invalidation pushes.
    fanoutModes: values.only === 'rpc' ? [] : values.only === 'push' ? ['invalidate'] : values.only === 'sse' ? ['sse'] : ['channel', 'invalidate', 'sse'],
    quick: values.quick,
    partial: values.only !== undefined,
    cpuProf: values['cpu-prof'],
  }
}

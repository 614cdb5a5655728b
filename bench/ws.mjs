// WebSocket benchmark, two measures in one run, each server in its own process pinned to CPU 0 and
// the load in another process pinned to CPU 1:
//  1. RPC round trips/s over ONE socket, K calls in flight: raw `ws` echo, Mizan (`websocket: true`
//     query, driven by bare frames and by Mizan's client), tRPC 11's WS adapter (bare frames, and
//     its own client);
//  2. fan-out: one publish to N subscribers (N sockets, one group), Mizan channel vs a raw `ws`
//     broadcast: a burst (delivered messages/s) and a paced run (publish→receipt latency).
// Usage: node bench/ws.mjs [--quick] [--duration 5] [--warmup 2] [--rounds 3] [--inflight 64]
//        [--subscribers 1000] [--publishes 200] [--paced 200] [--interval 50] [--only rpc|fanout]
//        [--cpu-prof: each server process writes a CPU profile to bench/results/profiles/]
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const rootDir = path.resolve(benchDir, '..')
const wsDir = path.join(benchDir, 'ws')

const config = readConfig()
checkPrerequisites()

const mizanVersion = JSON.parse(readFileSync(path.join(rootDir, 'packages/server/package.json'), 'utf8')).version
const trpcVersion = versionOf('@trpc/server')

// `hello`: the server sends a hello frame first (Mizan), which the bare-frame drivers wait for.
const RPC = [
  { name: 'raw', server: 'raw', driver: 'frames-mizan', label: `raw ws ${versionOf('ws')} echo`, wsPath: '', hello: false },
  { name: 'mizan-frames', server: 'mizan', driver: 'frames-mizan', label: `Mizan ${mizanVersion}, bare frames`, wsPath: '/_ws', hello: true },
  { name: 'mizan-client', server: 'mizan', driver: 'client-mizan', label: `Mizan ${mizanVersion}, Mizan client`, wsPath: '/_ws', hello: true },
  { name: 'trpc-frames', server: 'trpc', driver: 'frames-trpc', label: `tRPC ${trpcVersion}, bare frames`, wsPath: '', hello: false },
  { name: 'trpc-client', server: 'trpc', driver: 'client-trpc', label: `tRPC ${trpcVersion}, tRPC client`, wsPath: '', hello: false },
]
const FANOUT = [
  { name: 'raw', server: 'raw', label: `raw ws ${versionOf('ws')} broadcast`, wsPath: '', hello: false },
  { name: 'mizan', server: 'mizan', label: `Mizan ${mizanVersion} channel`, wsPath: '/_ws', hello: true },
]

// Pinning keeps server and load generator off each other's core; without it the numbers mean little.
const canPin = os.availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100
const machine = {
  cores: os.availableParallelism(),
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  loadAverage: Number(os.loadavg()[0].toFixed(2)),
}
const command = ['node', path.relative(process.cwd(), fileURLToPath(import.meta.url)) || 'ws.mjs', ...process.argv.slice(2)].join(' ')
const burstBytes = Buffer.byteLength(JSON.stringify({ type: 'message', id: 's1', message: { json: { p: 'burst', seq: 199, t: Date.now() + 0.123 } } }))

console.log(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage}`)
console.log(`command: ${command}`)
console.log(canPin ? 'pinning: server on CPU 0, load on CPU 1 (taskset), a fresh server process per measurement' : 'pinning: NOT PINNED (taskset or a second core missing): the numbers mean less')
if (config.rpc) {
  console.log(
    `rpc:     ${config.inflight} calls in flight over one WebSocket, ${config.warmup} s warm-up + ${config.duration} s measured, ` +
      `${config.rounds} round(s) interleaved; echo({ n }) → { n }, zod-validated input everywhere`,
  )
}
if (config.fanout) {
  console.log(
    `fan-out: ${config.subscribers} sockets subscribed to one group; warm-up burst of ${config.warmupPublishes} publishes, then a burst of ` +
      `${config.publishes} publishes (one per event-loop turn) and ${config.paced} publishes paced every ${config.interval} ms; ` +
      `~${burstBytes} B frames; publisher inside the server process, ordered over IPC`,
  )
}
console.log('Mizan server: createMizanServer({ websocket: { messagesPerSecond: 1e9 } }) (the default 50/s per connection would throttle RPC); other socket limits default (maxBufferedBytes 1 MiB)')
console.log()

const children = new Set()
process.on('exit', () => children.forEach((child) => child.kill()))
process.on('SIGINT', () => process.exit(130))

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
          `round ${round}/${config.rounds}  fan-out ${row.name.padEnd(6)} ${phase.phase.padEnd(5)} ${fmtInt(phase.deliveredPerSec).padStart(9)} msg/s  ` +
            `p99 ${fmtMs(phase.latencyP99).padStart(8)}  max ${fmtMs(phase.latencyMax).padStart(8)}  server CPU ${fmtPercent(phase.serverCpu)}  load CPU ${fmtPercent(phase.loadCpu)}  other ${fmtPercent(phase.otherCpu)}` +
            (phase.lost > 0 || phase.closed > 0 || phase.errors > 0 ? `  !! ${phase.lost} lost, ${phase.closed} connections dropped, ${phase.errors} errors ${phase.firstError ?? ''}` : ''),
        )
      }
    }
  }
}

const summary = summarize()
printTable(summary)
writeResults(summary)
const broken = summary.rows.filter((row) => row.failures > 0)
if (broken.length > 0) {
  console.error(`\nFAILED: ${broken.map((row) => `${row.label} (${row.failureDetail})`).join(', ')}`)
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------

/** One RPC row: a fresh server on CPU 0, the load on CPU 1, the server's CPU read while measured. */
async function measureRpc(row, round) {
  const { child, port } = await startServer(row.server, `rpc-${row.name}-r${round}`)
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
    const load = startLoad('rpc-load.mjs', job)
    await load.next('start')
    const cpu0 = cpuSeconds(child.pid)
    const busy0 = machineBusySeconds()
    const result = await load.next('result')
    const server = (cpuSeconds(child.pid) - cpu0) / result.seconds
    const busy = (machineBusySeconds() - busy0) / result.seconds
    await load.exited
    const { event, ...numbers } = result
    return { ...numbers, serverCpu: nullIfNaN(server), otherCpu: nullIfNaN(Math.max(0, busy - server - result.loadCpu)) }
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
  const { child, port } = await startServer(row.server, `fanout-${row.name}-r${round}`)
  const job = { url: `ws://127.0.0.1:${port}${row.wsPath}`, subscribers: config.subscribers, hello: row.hello }
  const load = startLoad('fanout-load.mjs', job, true)
  try {
    const ready = await load.next('ready')
    const phase = async (name, count, intervalMs) => {
      load.send({ cmd: 'expect', phase: name, count: count * config.subscribers })
      await load.next('expecting')
      const published = waitFor(child, (message) => message.event === 'published' && message.phase === name)
      const cpu0 = cpuSeconds(child.pid)
      const busy0 = machineBusySeconds()
      const started = performance.now()
      child.send({ cmd: 'publish', phase: name, count, intervalMs })
      const result = await load.next('phase')
      const wall = (performance.now() - started) / 1000
      const server = (cpuSeconds(child.pid) - cpu0) / wall
      const busy = (machineBusySeconds() - busy0) / wall
      const { event, ...numbers } = result
      const publish = await published
      const loadCpu = numbers.loadCpuSeconds / wall
      return {
        ...numbers,
        publishes: count,
        intervalMs,
        publishSeconds: publish.seconds,
        serverCpu: nullIfNaN(server),
        loadCpu,
        otherCpu: nullIfNaN(Math.max(0, busy - server - loadCpu)),
      }
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

function pinned(cpu, args) {
  return canPin ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]
}

/** Spawns `ws/servers/<name>.mjs` on CPU 0, with an IPC channel (the publisher), and waits for its port. */
function startServer(name, profileName) {
  const profile = config.cpuProf
    ? ['--import', pathToFileURL(path.join(wsDir, 'exit-on-sigterm.mjs')).href, '--cpu-prof', `--cpu-prof-dir=${path.join(benchDir, 'results/profiles')}`, `--cpu-prof-name=${profileName}.cpuprofile`]
    : []
  const [file, args] = pinned(0, [...profile, path.join(wsDir, 'servers', `${name}.mjs`)])
  // NODE_ENV=production for all: tRPC and Mizan both read it (error details, dev checks).
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } })
  children.add(child)
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${name}: no port printed within 10 s`)), 10_000)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const port = Number.parseInt(out, 10)
      if (out.includes('\n') && port > 0) {
        clearTimeout(timer)
        resolve({ child, port })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name}: server exited (code ${code}) before listening`))
    })
  })
}

function stop(child) {
  children.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill()
  })
}

/** Resolves with the first IPC message from `child` that `match` accepts. */
function waitFor(child, match) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (!match(message)) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message)
    }
    const onExit = (code) => reject(new Error(`server exited (code ${code})`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Runs a load script on CPU 1; `next(event)` resolves with its next JSON line of that event. */
function startLoad(script, job, withStdin = false) {
  const [file, args] = pinned(1, [path.join(wsDir, script), JSON.stringify(job)])
  const child = spawn(file, args, { stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'inherit'], cwd: benchDir })
  children.add(child)
  const queue = []
  const waiting = []
  let failure
  const settle = () => {
    while (waiting.length > 0) {
      const { event, resolve, reject } = waiting[0]
      const index = queue.findIndex((message) => message.event === event)
      if (index !== -1) {
        waiting.shift()
        resolve(queue.splice(index, 1)[0])
      } else if (failure !== undefined) {
        waiting.shift()
        reject(failure)
      } else return
    }
  }
  createInterface({ input: child.stdout }).on('line', (line) => {
    queue.push(JSON.parse(line))
    settle()
  })
  const exited = new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      children.delete(child)
      failure = new Error(`${script} exited with code ${code}`)
      // Lines still unread by readline: let them arrive before the waiting ones fail.
      setImmediate(settle)
      if (code === 0 || code === null) resolve()
      else reject(failure)
    })
  })
  exited.catch(() => {})
  return {
    next: (event) => new Promise((resolve, reject) => {
      waiting.push({ event, resolve, reject })
      settle()
    }),
    send: (message) => child.stdin?.writable && child.stdin.write(JSON.stringify(message) + '\n'),
    exited,
  }
}

/** CPU seconds all cores have spent busy so far (every state but idle and iowait), from /proc/stat. */
function machineBusySeconds() {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    return (user + nice + system + irq + softirq + steal) / clockTicks
  } catch {
    return Number.NaN
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return Number.NaN
  }
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
    for (const phase of ['burst', 'paced']) {
      const rawRate = median(fanoutRuns.filter((run) => run.row === 'raw').map((run) => run[phase].deliveredPerSec))
      for (const row of FANOUT) {
        const mine = fanoutRuns.filter((run) => run.row === row.name).map((run) => run[phase])
        const perSec = median(mine.map((run) => run.deliveredPerSec))
        const lost = mine.reduce((sum, run) => sum + run.lost, 0)
        const dropped = mine.reduce((sum, run) => sum + run.closed, 0)
        const errors = mine.reduce((sum, run) => sum + run.errors, 0)
        rows.push({
          measure: phase === 'burst' ? 'fan-out burst' : `fan-out paced`,
          name: row.name,
          label: row.label,
          unit: 'msg/s',
          perSec,
          latencyP99: median(mine.map((run) => run.latencyP99)),
          ratioToRaw: perSec / rawRate,
          // The throughput target holds for the burst (capacity); the latency one for the paced run,
          // where a publish does not queue behind the ones before it.
          target: row.server !== 'mizan' ? undefined : phase === 'burst' ? { ratio: 0.5 } : { p99: 50 },
          serverCpu: medianOrNull(mine.map((run) => run.serverCpu)),
          loadCpu: median(mine.map((run) => run.loadCpu)),
          failures: lost + dropped + errors,
          failureDetail: `${lost} messages lost, ${dropped} connections dropped by the server, ${errors} errors`,
        })
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

function printTable({ rows }) {
  const header = ['measure', 'server', 'rate (median)', 'p99', 'vs raw ws', 'server CPU', 'load CPU', 'errors', 'target']
  const lines = rows.map((row) => [
    row.measure,
    row.label,
    `${fmtInt(row.perSec)} ${row.unit}`,
    fmtMs(row.latencyP99),
    `${row.ratioToRaw.toFixed(2)}×`,
    fmtPercent(row.serverCpu),
    fmtPercent(row.loadCpu),
    row.failures === 0 ? '0' : `${row.failures} !!`,
    verdict(row),
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)))
  const left = new Set([0, 1, 8])
  const format = (cells) => cells.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()
  console.log()
  console.log(format(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  let previous
  for (const [i, line] of lines.entries()) {
    if (previous !== undefined && rows[i].measure !== previous) console.log()
    previous = rows[i].measure
    console.log(format(line))
  }
  console.log()
  console.log(`Medians over ${config.rounds} round(s). rpc: completed round trips/s over one socket, ${config.inflight} in flight; p99 = call to answer.`)
  if (config.fanout) {
    console.log(
      `fan-out burst: ${config.publishes} publishes × ${config.subscribers} subscribers as fast as the server issues them; rate = messages delivered / ` +
        '(last receipt − first publish); its p99 includes the queue behind earlier publishes.',
    )
    console.log(`fan-out paced: ${config.paced} publishes, one every ${config.interval} ms (the rate is the offered one); p99 = publish → receipt.`)
  }
  console.log('CPU: share of one core while measured (server on CPU 0, load on CPU 1). Near 100 % is that side\'s limit.')
  const measured = [...rpcRuns, ...fanoutRuns.flatMap((run) => [run.burst, run.paced])]
  const disturbed = measured.filter((run) => run.otherCpu > 0.1)
  if (disturbed.length > 0) {
    console.log(`warning: other processes used over 10 % of a core in ${disturbed.length} of ${measured.length} measurements (see "other" above): those numbers are skewed.`)
  }
}

function writeResults(summary) {
  const dir = path.join(benchDir, 'results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'ws.json')
  const versions = Object.fromEntries(['ws', '@trpc/server', '@trpc/client', 'zod'].map((name) => [name, versionOf(name)]))
  versions.mizan = mizanVersion
  const data = {
    date: new Date().toISOString(),
    command,
    machine,
    pinned: canPin,
    config,
    versions,
    mizanServerOptions: { websocket: { messagesPerSecond: 1e9 } },
    rpc: { rows: RPC, runs: rpcRuns },
    fanout: { rows: FANOUT, runs: fanoutRuns },
    summary: summary.rows,
  }
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n')
  console.log(`results: ${path.relative(process.cwd(), file)}`)
}

function readConfig() {
  const { values } = parseArgs({
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
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log(
      'node bench/ws.mjs [--quick: 2 s, 1 round, 60 paced publishes] [--duration S=5] [--warmup S=2] [--rounds N=3] [--inflight K=64]\n' +
        '                  [--subscribers N=1000] [--publishes N=200] [--paced N=200] [--interval MS=50] [--only rpc|fanout]\n' +
        '                  [--cpu-prof: a CPU profile of each server process in bench/results/profiles/]',
    )
    process.exit(0)
  }
  if (values.only !== undefined && values.only !== 'rpc' && values.only !== 'fanout') {
    console.error(`--only is rpc or fanout (got "${values.only}")`)
    process.exit(2)
  }
  // --quick only changes the defaults: an explicit flag still wins.
  values.duration ??= values.quick ? '2' : '5'
  values.warmup ??= values.quick ? '1' : '2'
  values.rounds ??= values.quick ? '1' : '3'
  values.paced ??= values.quick ? '60' : '200'
  const number = (name, min) => {
    const value = Number(values[name])
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer >= ${min} (got "${values[name]}")`)
      process.exit(2)
    }
    return value
  }
  return {
    duration: number('duration', 1),
    warmup: number('warmup', 0),
    rounds: number('rounds', 1),
    inflight: number('inflight', 1),
    subscribers: number('subscribers', 1),
    publishes: number('publishes', 1),
    warmupPublishes: 50,
    paced: number('paced', 1),
    interval: number('interval', 1),
    rpc: values.only !== 'fanout',
    fanout: values.only !== 'rpc',
    quick: values.quick,
    cpuProf: values['cpu-prof'],
  }
}

/** Fails early, with the command that fixes it, when the benchmark's inputs are missing. */
function checkPrerequisites() {
  for (const name of ['ws', '@trpc/server', '@trpc/client', 'zod']) {
    if (!existsSync(path.join(benchDir, 'node_modules', name))) {
      console.error('The benchmark dependencies are not installed: run `npm install --prefix bench` from the repo root.')
      process.exit(1)
    }
  }
  for (const pkg of ['server', 'client']) {
    if (!existsSync(path.join(rootDir, `packages/${pkg}/dist/index.js`))) {
      console.error(`Mizan is not built (packages/${pkg}/dist is missing): run \`npm run build\` at the repo root first.`)
      process.exit(1)
    }
  }
}

function versionOf(name) {
  return JSON.parse(readFileSync(path.join(benchDir, 'node_modules', name, 'package.json'), 'utf8')).version
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function medianOrNull(values) {
  return values.some((value) => value === null) ? null : median(values)
}

function nullIfNaN(value) {
  return Number.isNaN(value) ? null : value
}

function fmtPercent(share) {
  return share === null || share === undefined ? 'n/a' : `${Math.round(share * 100)} %`
}

function fmtInt(value) {
  return Math.round(value).toLocaleString('en-US')
}

function fmtMs(ms) {
  return ms === null || ms === undefined ? 'n/a' : ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`
}

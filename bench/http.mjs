// HTTP benchmark: the same `greet` query served by bare node:http, tRPC, oRPC and Mizan, each in
// its own process pinned to CPU 0, loaded by autocannon in a process pinned to CPU 1.
// Usage: node bench/http.mjs [--duration 10] [--rounds 3] [--warmup 2] [--connections 100] [--pipelining 1] [--quick]
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const rootDir = path.resolve(benchDir, '..')

const config = readConfig()
checkPrerequisites()

const input = JSON.stringify({ name: 'world' })
const SERVERS = [
  {
    name: 'bare',
    label: `node:http ${process.version}`,
    path: `/greet?input=${encodeURIComponent(input)}`,
    expected: { data: { message: 'hello world' } },
  },
  {
    name: 'trpc',
    label: `tRPC ${versionOf('@trpc/server')}`,
    path: `/greet?input=${encodeURIComponent(input)}`,
    expected: { result: { data: { message: 'hello world' } } },
  },
  {
    name: 'orpc',
    label: `oRPC ${versionOf('@orpc/server')}`,
    // The RPC protocol's GET form: the serialized input `{ json, meta? }` in the `data` parameter.
    path: `/greet?data=${encodeURIComponent(JSON.stringify({ json: { name: 'world' } }))}`,
    expected: { json: { message: 'hello world' } },
  },
  {
    name: 'mizan',
    label: `Mizan ${JSON.parse(readFileSync(path.join(rootDir, 'packages/server/package.json'), 'utf8')).version}`,
    path: `/greet?input=${encodeURIComponent(input)}`,
    expected: { data: { message: 'hello world' } },
  },
  // The origin cache: the same query, but its handler takes 1 ms and its answer is cached, so every
  // measured request is a hit. Compare with the uncached Mizan and bare rows of the same run.
  {
    name: 'mizan-cache-memory',
    label: 'Mizan, cache hit (memory)',
    path: `/greet?input=${encodeURIComponent(input)}`,
    expected: { data: { message: 'hello world' } },
  },
  {
    name: 'mizan-cache-redis',
    label: 'Mizan, cache hit (Redis)',
    path: `/greet?input=${encodeURIComponent(input)}`,
    expected: { data: { message: 'hello world' } },
  },
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
  // Recorded for the reader; the "other" CPU of each run is the precise check for interference.
  loadAverage: Number(os.loadavg()[0].toFixed(2)),
}
const command = ['node', path.relative(process.cwd(), fileURLToPath(import.meta.url)) || 'http.mjs', ...process.argv.slice(2)].join(' ')

console.log(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage}`)
console.log(`command: ${command}`)
console.log(
  `load:    autocannon ${versionOf('autocannon')}, ${config.connections} connections, pipelining ${config.pipelining}, ` +
    `${config.warmup} s warm-up + ${config.duration} s measured, ${config.rounds} round(s) interleaved, ` +
    (canPin ? 'server on CPU 0, load on CPU 1' : 'NOT PINNED (taskset or a second core missing)'),
)
for (const server of SERVERS) console.log(`         ${server.name.padEnd(18)} GET ${server.path}`)
console.log()

// Every live child, so that an interrupted run leaves no server behind.
const children = new Set()
process.on('exit', () => children.forEach((child) => child.kill()))
process.on('SIGINT', () => process.exit(130))

const rounds = []
for (let round = 1; round <= config.rounds; round++) {
  for (const server of SERVERS) {
    const result = await measure(server)
    rounds.push({ round, server: server.name, ...result })
    console.log(
      `round ${round}/${config.rounds}  ${server.name.padEnd(18)} ${fmtInt(result.reqPerSec).padStart(8)} req/s  ` +
        `p99 ${String(result.latencyP99).padStart(3)} ms  server CPU ${fmtPercent(result.serverCpu)}  load CPU ${fmtPercent(result.loadCpu)}  other ${fmtPercent(result.otherCpu)}` +
        (failures(result) > 0 ? `  !! ${describeFailures(result)}` : ''),
    )
  }
}

const summary = summarize(rounds)
printTable(summary)
writeResults(summary)

const broken = summary.filter((row) => row.failures > 0)
if (broken.length > 0) {
  console.error(`\nFAILED: ${broken.map((row) => `${row.server} (${row.failureDetail})`).join(', ')} answered errors or wrong bodies under load.`)
  process.exit(1)
}

/** Starts one server, checks its answer, loads it, stops it. A fresh process per round keeps rounds independent. */
async function measure(server) {
  const { child, port } = await startServer(server.name)
  try {
    const url = `http://127.0.0.1:${port}${server.path}`
    await checkAnswer(server, url)
    return await runLoad(url, JSON.stringify(server.expected), child.pid)
  } finally {
    await stop(child)
  }
}

function pinned(cpu, args) {
  return canPin ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]
}

/** Spawns `servers/<name>.mjs` on CPU 0 and waits for the port it prints once listening. */
function startServer(name) {
  const [file, args] = pinned(0, [path.join(benchDir, 'servers', `${name}.mjs`)])
  // NODE_ENV=production for all: tRPC and Mizan both read it (error details, dev checks).
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } })
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

/** One request before the load: a server answering wrongly would make its numbers meaningless. */
async function checkAnswer(server, url) {
  const response = await fetch(url)
  const body = await response.text()
  const want = JSON.stringify(server.expected)
  const type = response.headers.get('content-type') ?? ''
  if (response.status !== 200 || body !== want || !type.includes('application/json')) {
    console.error(`\n${server.name} answered wrongly to GET ${url}`)
    console.error(`  got:  ${response.status} ${type} ${body}`)
    console.error(`  want: 200 application/json ${want}`)
    process.exit(1)
  }
}

/**
 * Runs load.mjs on CPU 1 and returns its result, with the share of CPU 0 the server used while
 * measured: below 1, the server had time to spare and the load generator was the limit.
 */
function runLoad(url, expectBody, serverPid) {
  const { connections, pipelining, warmup, duration } = config
  const job = JSON.stringify({ url, expectBody, connections, pipelining, warmup, duration })
  const [file, args] = pinned(1, [path.join(benchDir, 'load.mjs'), job])
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  children.add(child)
  return new Promise((resolve, reject) => {
    let out = ''
    let cpuAtStart
    let busyAtStart
    let result
    child.stdout.on('data', (chunk) => {
      out += chunk
      let newline
      while ((newline = out.indexOf('\n')) !== -1) {
        const message = JSON.parse(out.slice(0, newline))
        out = out.slice(newline + 1)
        if (message.event === 'start') {
          cpuAtStart = cpuSeconds(serverPid)
          busyAtStart = machineBusySeconds()
        }
        if (message.event === 'result') {
          const { event, ...numbers } = message
          const server = (cpuSeconds(serverPid) - cpuAtStart) / numbers.seconds
          const busy = (machineBusySeconds() - busyAtStart) / numbers.seconds
          // What neither the server nor the load generator used: other processes skewing the run.
          const other = Math.max(0, busy - server - numbers.loadCpu)
          result = { ...numbers, serverCpu: Number.isNaN(server) ? null : server, otherCpu: Number.isNaN(other) ? null : other }
        }
      }
    })
    child.once('exit', (code) => {
      children.delete(child)
      if (code !== 0 || result === undefined) return reject(new Error(`load generator exited with code ${code}`))
      resolve(result)
    })
  })
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
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return Number.NaN
  }
}

function failures(result) {
  // A non-2xx response is also a wrong body, so the two overlap: the larger of them counts. Socket
  // errors got no response at all; autocannon counts timeouts among them.
  return Math.max(result.non2xx, result.mismatches) + result.errors
}

function describeFailures(result) {
  return `${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts), ${result.mismatches} wrong bodies`
}

function summarize(rows) {
  const byServer = SERVERS.map((server) => {
    const mine = rows.filter((row) => row.server === server.name)
    const total = { non2xx: 0, errors: 0, timeouts: 0, mismatches: 0 }
    for (const row of mine) for (const key of Object.keys(total)) total[key] += row[key]
    return {
      server: server.name,
      label: server.label,
      reqPerSec: median(mine.map((row) => row.reqPerSec)),
      latencyP99: median(mine.map((row) => row.latencyP99)),
      serverCpu: mine.some((row) => row.serverCpu === null) ? null : median(mine.map((row) => row.serverCpu)),
      failures: mine.reduce((sum, row) => sum + failures(row), 0),
      failureDetail: describeFailures(total),
    }
  })
  const bare = byServer[0].reqPerSec
  return byServer.map((row) => ({ ...row, ratioToBare: row.reqPerSec / bare }))
}

function printTable(summary) {
  const header = ['server', 'req/s (median)', 'p99 latency', 'vs node:http', 'server CPU', 'errors']
  const lines = summary.map((row) => [
    row.label,
    fmtInt(row.reqPerSec),
    `${row.latencyP99} ms`,
    `${row.ratioToBare.toFixed(2)}×`,
    fmtPercent(row.serverCpu),
    row.failures === 0 ? '0' : `${row.failures} !!`,
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)))
  const format = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  console.log()
  console.log(format(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  for (const line of lines) console.log(format(line))
  console.log(`\nreq/s counts 2xx responses only; req/s, p99 and server CPU are medians over ${config.rounds} round(s);`)
  console.log('errors = failed requests (non-2xx, wrong body, socket error) over all rounds.')
  if (summary.some((row) => row.serverCpu !== null && row.serverCpu < 0.9)) {
    console.log('A server CPU well below 100 % means that server was not saturated: the load generator (or another process) was the limit.')
  }
  const disturbed = rounds.filter((row) => row.otherCpu > 0.1)
  if (disturbed.length > 0) {
    console.log(`warning: other processes used over 10 % of a core in ${disturbed.length} of ${rounds.length} runs (see "other" above): those numbers are skewed.`)
  }
}

function writeResults(summary) {
  const dir = path.join(benchDir, 'results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'http.json')
  const versions = Object.fromEntries(['@trpc/server', '@orpc/server', 'zod', 'autocannon'].map((name) => [name, versionOf(name)]))
  const servers = SERVERS.map(({ name, label, path: url, expected }) => ({ name, label, request: `GET ${url}`, expected }))
  const data = { date: new Date().toISOString(), command, machine, pinned: canPin, config, versions, servers, rounds, summary }
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n')
  console.log(`results: ${path.relative(process.cwd(), file)}`)
}

function readConfig() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '100' },
      pipelining: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log('node bench/http.mjs [--duration S=10] [--rounds N=3] [--warmup S=2] [--connections N=100] [--pipelining N=1] [--quick: 3 s, 1 round]')
    process.exit(0)
  }
  const number = (name, min) => {
    const value = Number(values[name])
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer >= ${min} (got "${values[name]}")`)
      process.exit(2)
    }
    return value
  }
  // --quick only changes the defaults: an explicit --duration or --rounds still wins.
  values.duration ??= values.quick ? '3' : '10'
  values.rounds ??= values.quick ? '1' : '3'
  return {
    duration: number('duration', 1),
    rounds: number('rounds', 1),
    warmup: number('warmup', 0),
    connections: number('connections', 1),
    pipelining: number('pipelining', 1),
  }
}

/** Fails early, with the command that fixes it, when the benchmark's inputs are missing. */
function checkPrerequisites() {
  if (!existsSync(path.join(benchDir, 'node_modules/autocannon'))) {
    console.error('The benchmark dependencies are not installed: run `npm install --prefix bench` from the repo root.')
    process.exit(1)
  }
  if (!existsSync(path.join(rootDir, 'packages/server/dist/index.js'))) {
    console.error('Mizan is not built (packages/server/dist is missing): run `npm run build` at the repo root first.')
    process.exit(1)
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

function fmtPercent(share) {
  return share === null ? 'n/a' : `${Math.round(share * 100)} %`
}

function fmtInt(value) {
  return Math.round(value).toLocaleString('en-US')
}

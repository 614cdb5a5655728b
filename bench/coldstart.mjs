// Cold start: wall time from spawning a server process to the moment it listens, for the same small
// app (bench/servers/: the `greet` query of the HTTP benchmark) served by bare node:http, tRPC, oRPC
// and Mizan. Each server prints its port once listening; the time runs from just before the spawn
// to that line. Fresh processes, pinned to CPU 0, interleaved rounds.
// Usage: node bench/coldstart.mjs [--rounds 40] [--warmup 3] [--quick]
import path from 'node:path'
import { createInterface } from 'node:readline'
import { canPin, spawnPinned, stop } from './lib/children.mjs'
import { judgeDisturbance, machineBusySeconds, processCpuSeconds, processThreadsCpuSeconds, warnIfDisturbed } from './lib/cpu.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion, requireBuild, requireDependencies, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { median } from './lib/stats.mjs'
import { fmtMs, fmtPercent, printTable } from './lib/table.mjs'

const config = readConfig()
requireDependencies(['@trpc/server', '@orpc/server', 'zod'])
requireBuild(['wire', 'server'])

const input = encodeURIComponent(JSON.stringify({ name: 'world' }))
const SERVERS = [
  { name: 'bare', label: `node:http ${process.version}`, path: `/greet?input=${input}`, expected: { data: { message: 'hello world' } } },
  { name: 'trpc', label: `tRPC ${versionOf('@trpc/server')}`, path: `/greet?input=${input}`, expected: { result: { data: { message: 'hello world' } } } },
  {
    name: 'orpc',
    label: `oRPC ${versionOf('@orpc/server')}`,
    path: `/greet?data=${encodeURIComponent(JSON.stringify({ json: { name: 'world' } }))}`,
    expected: { json: { message: 'hello world' } },
  },
  { name: 'mizan', label: `Mizan ${mizanVersion()}`, path: `/greet?input=${input}`, expected: { data: { message: 'hello world' } } },
]

const machine = describeMachine()
const command = commandLine(import.meta.url)
printMachine(machine, command)
console.log(
  `start:   spawn → "listening" (the port printed), ${config.warmup} warm-up round(s) not counted, then ${config.rounds} measured, interleaved; ` +
    (canPin ? 'servers on CPU 0' : 'NOT PINNED (taskset or a second core missing)'),
)
for (const server of SERVERS) console.log(`         ${server.name.padEnd(6)} bench/servers/${server.name}.mjs`)
console.log()

// Warm-up rounds fill the file system cache (and check every server answers); they are not counted.
for (let round = 1; round <= config.warmup; round++) {
  for (const server of SERVERS) await start(server, { check: true })
}

const runs = []
for (let round = 1; round <= config.rounds; round++) {
  // The order rotates every round, so no server is always the one that runs after another.
  const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length])
  for (const server of order) runs.push({ round, server: server.name, ...(await start(server, { check: false })) })
  if (round % 10 === 0 || round === config.rounds) console.log(`round ${round}/${config.rounds}  ${SERVERS.map((s) => `${s.name} ${fmtMs(last(s.name).ms)}`).join('  ')}`)
}

// Starting a process costs the kernel work no process is charged for (fork, exec, page faults):
// on an idle machine "other" reads 8-12 % of a core here, so the line for a disturbed run sits above it.
const OTHER_LIMIT = 0.2

const summary = summarize()
printSummary(summary)
writeResults('coldstart', { command, machine }, {
  pinned: canPin,
  config,
  versions: Object.fromEntries(['@trpc/server', '@orpc/server', 'zod'].map((name) => [name, versionOf(name)])),
  servers: SERVERS.map(({ name, label }) => ({ name, label, file: `bench/servers/${name}.mjs` })),
  runs,
  summary,
}, { quick: config.quick, disturbance: judgeDisturbance(summary, { limit: OTHER_LIMIT }) })

/**
 * Spawns one server and times it to its first line (the port, printed once it listens), with the
 * CPU it and everything else used meanwhile. `check` sends it one request first and stops the run
 * unless the answer is right: a server that starts fast but does not work would prove nothing.
 */
async function start(server, { check }) {
  const busyAtStart = machineBusySeconds()
  const ownAtStart = process.cpuUsage()
  const begun = performance.now()
  const child = spawnPinned(0, [path.join(benchDir, 'servers', `${server.name}.mjs`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  try {
    const line = await firstLine(child, server.name)
    const ms = performance.now() - begun
    // The CPU its start took, all threads: less swayed by other processes than the wall time.
    const cpuSeconds = processThreadsCpuSeconds(child.pid)
    const serverCpu = processCpuSeconds(child.pid)
    const busy = machineBusySeconds() - busyAtStart
    const own = process.cpuUsage(ownAtStart)
    const other = busy - serverCpu - (own.user + own.system) / 1e6
    if (check) await checkAnswer(server, Number.parseInt(line, 10))
    return { ms, seconds: ms / 1000, cpuMs: Number.isNaN(cpuSeconds) ? null : cpuSeconds * 1000, otherCpuSeconds: Number.isNaN(other) ? null : Math.max(0, other) }
  } finally {
    await stop(child)
  }
}

function firstLine(child, name) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    const timer = setTimeout(() => reject(new Error(`${name}: did not listen within 10 s`)), 10_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      lines.close()
      resolve(line)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name}: exited (code ${code}) before listening`))
    })
  })
}

async function checkAnswer(server, port) {
  const url = `http://127.0.0.1:${port}${server.path}`
  const response = await fetch(url)
  const body = await response.text()
  const want = JSON.stringify(server.expected)
  if (response.status !== 200 || body !== want) {
    console.error(`\n${server.name} answered wrongly to GET ${url}\n  got:  ${response.status} ${body}\n  want: 200 ${want}`)
    process.exit(1)
  }
}

function last(name) {
  return runs.findLast((run) => run.server === name)
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function summarize() {
  const rows = SERVERS.map((server) => {
    const mine = runs.filter((run) => run.server === server.name)
    const times = mine.map((run) => run.ms)
    const seconds = mine.reduce((sum, run) => sum + run.seconds, 0)
    // Other processes' CPU over all of this server's starts: one start is too short to read alone.
    const other = mine.some((run) => run.otherCpuSeconds === null) ? null : mine.reduce((sum, run) => sum + run.otherCpuSeconds, 0) / seconds
    const cpu = mine.some((run) => run.cpuMs === null) ? null : median(mine.map((run) => run.cpuMs))
    return { server: server.name, label: server.label, medianMs: median(times), p90Ms: percentile(times, 90), minMs: Math.min(...times), cpuMs: cpu, otherCpu: other }
  })
  const of = (name) => rows.find((row) => row.server === name)
  return rows.map((row) => ({
    ...row,
    overBareMs: row.medianMs - of('bare').medianMs,
    ratioToTrpc: row.medianMs / of('trpc').medianMs,
    ratioToBare: row.medianMs / of('bare').medianMs,
    cpuRatioToTrpc: row.cpuMs === null || of('trpc').cpuMs === null ? null : row.cpuMs / of('trpc').cpuMs,
  }))
}

function printSummary(rows) {
  printTable(
    ['server', 'median', 'p90', 'min', 'over node:http', 'vs tRPC', 'CPU (median)', 'CPU vs tRPC', 'other CPU'],
    rows.map((row) => [
      row.label,
      fmtMs(row.medianMs),
      fmtMs(row.p90Ms),
      fmtMs(row.minMs),
      row.server === 'bare' ? '-' : `${row.overBareMs >= 0 ? '+' : ''}${fmtMs(row.overBareMs)}`,
      `${row.ratioToTrpc.toFixed(2)}×`,
      fmtMs(row.cpuMs),
      row.cpuRatioToTrpc === null ? 'n/a' : `${row.cpuRatioToTrpc.toFixed(2)}×`,
      fmtPercent(row.otherCpu),
    ]),
  )
  const mizan = rows.find((row) => row.server === 'mizan')
  console.log(`\nmedian and p90 over ${config.rounds} starts each; "over node:http" is the median minus the bare server's: what the library adds to Node's own start.`)
  console.log('CPU: what the process ran until it listened, all threads (V8 compiles and collects garbage on threads of its own), from /proc.')
  console.log(`target: Mizan ≤ 1.00× tRPC (median): ${mizan.ratioToTrpc <= 1 ? 'met' : 'MISSED'} (${mizan.ratioToTrpc.toFixed(2)}×)`)
  warnIfDisturbed(rows, { limit: OTHER_LIMIT, what: 'servers\' starts (see "other CPU")' })
}

function readConfig() {
  const { integer, values } = readOptions({
    options: { rounds: { type: 'string' }, warmup: { type: 'string', default: '3' } },
    quick: { rounds: ['10', '40'] },
    usage: 'node bench/coldstart.mjs [--rounds N=40] [--warmup N=3] [--quick: 10 rounds]',
  })
  return { rounds: integer('rounds', 1), warmup: integer('warmup', 0), quick: values.quick === true }
}

// Shapes: the same list of 100 posts of 20 fields, fetched whole and with a 3-field shape, from one
// Mizan server (bench/servers/mizan-shapes.mjs) pinned to CPU 0, loaded by autocannon on CPU 1.
// Reports req/s and response bytes of each: a shape must cost less (projection, its output check)
// than it saves (serializing and sending the other 17 fields).
// Usage: node bench/shapes.mjs [--duration 10] [--rounds 3] [--warmup 2] [--connections 100] [--quick]
import path from 'node:path'
import { canPin, stop } from './lib/children.mjs'
import { judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { loadFailures as failures, loadHttp, printHttpBenchHead, readLoadConfig } from './lib/http-load.mjs'
import { benchDir, requireBuild, requireDependencies, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { startServer } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { fmtBytes, fmtInt, fmtPercent, printTable } from './lib/table.mjs'

const config = readConfig()
requireDependencies(['autocannon'])
requireBuild(['server'])

const SHAPE = { field0: true, field1: true, field2: true }
const CALLS = [
  { name: 'full', label: 'posts.list, whole output (20 fields)', path: '/posts.list' },
  { name: 'shaped', label: 'posts.list, 3-field shape', path: `/posts.list?shape=${encodeURIComponent(JSON.stringify(SHAPE))}` },
]

const { machine, command } = printHttpBenchHead(import.meta.url, config, CALLS.map((call) => [call.name, `GET ${call.path}`]))

const rounds = []
for (let round = 1; round <= config.rounds; round++) {
  // The order alternates, so neither call always runs first in its round.
  const order = round % 2 === 1 ? CALLS : [...CALLS].reverse()
  for (const call of order) {
    const result = await measure(call)
    rounds.push({ round, call: call.name, ...result })
    console.log(
      `round ${round}/${config.rounds}  ${call.name.padEnd(7)} ${fmtInt(result.reqPerSec).padStart(8)} req/s  ${fmtBytes(result.bodyBytes).padStart(9)} a response  ` +
        `p99 ${String(result.latencyP99).padStart(3)} ms  server CPU ${fmtPercent(result.serverCpu)}  other ${fmtPercent(result.otherCpu)}` +
        (failures(result) > 0 ? `  !! ${failures(result)} failed` : ''),
    )
  }
}

const summary = CALLS.map((call) => {
  const mine = rounds.filter((row) => row.call === call.name)
  return {
    call: call.name,
    label: call.label,
    reqPerSec: median(mine.map((row) => row.reqPerSec)),
    bodyBytes: mine[0].bodyBytes,
    latencyP99: median(mine.map((row) => row.latencyP99)),
    serverCpu: median(mine.map((row) => row.serverCpu)),
    // Requests per second of server CPU: the whole output's responses are large enough that the
    // load generator may be the limit (server CPU well below 100 %); this compares the server's work.
    reqPerCpuSecond: median(mine.map((row) => row.reqPerSec / row.serverCpu)),
    failures: mine.reduce((sum, row) => sum + failures(row), 0),
  }
})
const [full, shaped] = summary
const ratios = { reqPerSec: shaped.reqPerSec / full.reqPerSec, reqPerCpuSecond: shaped.reqPerCpuSecond / full.reqPerCpuSecond, bytes: shaped.bodyBytes / full.bodyBytes }
printTable(
  ['call', 'req/s (median)', 'server CPU', 'req per CPU-second', 'response body', 'p99 latency', 'errors'],
  summary.map((row) => [
    row.label,
    fmtInt(row.reqPerSec),
    fmtPercent(row.serverCpu),
    fmtInt(row.reqPerCpuSecond),
    fmtBytes(row.bodyBytes),
    `${row.latencyP99} ms`,
    row.failures === 0 ? '0' : `${row.failures} !!`,
  ]),
)
console.log(
  `\nshaped vs whole: ${ratios.reqPerSec.toFixed(2)}× the req/s (target ≥ 1.0×; ${ratios.reqPerCpuSecond.toFixed(2)}× per second of server CPU), ` +
    `${ratios.bytes.toFixed(2)}× the bytes (target ≤ 0.2×)`,
)
if (full.serverCpu < 0.9) console.log('The whole output kept the server below 90 % of its core: the load generator was its limit, so "per second of server CPU" is the fairer ratio.')
warnIfDisturbed(rounds, { what: 'runs (see "other" above)' })
writeResults('shapes', { command, machine }, {
  pinned: canPin,
  config,
  versions: { autocannon: versionOf('autocannon'), zod: versionOf('zod') },
  server: 'bench/servers/mizan-shapes.mjs',
  calls: CALLS,
  rounds,
  summary,
  ratios,
}, { quick: config.quick, disturbance: judgeDisturbance(rounds) })

if (summary.some((row) => row.failures > 0)) {
  console.error('\nFAILED: the server answered errors or wrong bodies under load.')
  process.exit(1)
}

/** A fresh server per measurement; one request first gives the body autocannon then expects of every response. */
async function measure(call) {
  const { child, port } = await startServer('mizan-shapes', path.join(benchDir, 'servers', 'mizan-shapes.mjs'))
  try {
    const url = `http://127.0.0.1:${port}${call.path}`
    const response = await fetch(url)
    const body = await response.text()
    const rows = response.status === 200 ? JSON.parse(body).data : undefined
    const want = call.name === 'full' ? 20 : Object.keys(SHAPE).length
    if (!Array.isArray(rows) || rows.length !== 100 || Object.keys(rows[0]).length !== want) {
      console.error(`\n${call.name}: GET ${url} answered wrongly: ${response.status} ${body.slice(0, 200)}`)
      process.exit(1)
    }
    const { connections, warmup, duration } = config
    const numbers = await loadHttp({ url, expectBody: body, connections, pipelining: 1, warmup, duration }, child.pid)
    return { ...numbers, bodyBytes: Buffer.byteLength(body) }
  } finally {
    await stop(child)
  }
}

function readConfig() {
  return readLoadConfig({ usage: 'node bench/shapes.mjs [--duration S=10] [--rounds N=3] [--warmup S=2] [--connections N=100] [--quick: 3 s, 1 round]' }).config
}

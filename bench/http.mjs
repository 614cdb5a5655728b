// HTTP benchmark: the same `greet` query served by bare node:http, tRPC, oRPC and Mizan, each in
// its own process pinned to CPU 0, loaded by autocannon in a process pinned to CPU 1.
// Usage: node bench/http.mjs [--duration 10] [--rounds 3] [--warmup 2] [--connections 100] [--pipelining 1] [--quick] [--only a,b]
import path from 'node:path'
import { canPin, stop } from './lib/children.mjs'
import { judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { loadFailures, loadHttp, printHttpBenchHead, readLoadConfig } from './lib/http-load.mjs'
import { chooseServers } from './lib/options.mjs'
import { benchDir, mizanVersion, requireBuild, requireDependencies, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { startServer } from './lib/servers.mjs'
import { median, medianOrNull } from './lib/stats.mjs'
import { fmtInt, fmtPercent, printTable } from './lib/table.mjs'

const config = readConfig()
requireDependencies(['autocannon'])
requireBuild(['server'])

const input = JSON.stringify({ name: 'world' })
/** A Mizan server of bench/servers/: all answer the same greet query the same way. */
function mizanRow(name, label) {
  return { name, label, path: `/greet?input=${encodeURIComponent(input)}`, expected: { data: { message: 'hello world' } } }
}

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
  mizanRow('mizan', `Mizan ${mizanVersion()}`),
  // The origin cache: the same query, but its handler takes 1 ms and its answer is cached, so every
  // measured request is a hit. Compare with the uncached Mizan and bare rows of the same run.
  mizanRow('mizan-cache-memory', 'Mizan, cache hit (memory)'),
  mizanRow('mizan-cache-redis', 'Mizan, cache hit (Redis)'),
  // Redis with `nearCache: true`: hits are served from the process, purges arrive over pub/sub.
  mizanRow('mizan-cache-redis-near', 'Mizan, cache hit (Redis + near cache)'),
]

// A partial run (--only) compares rows within itself; it never replaces the full record.
const chosen = chooseServers(SERVERS, config.only)

const { machine, command } = printHttpBenchHead(import.meta.url, config, chosen.map((server) => [server.name, `GET ${server.path}`]))

const rounds = []
for (let round = 1; round <= config.rounds; round++) {
  for (const server of chosen) {
    const result = await measure(server)
    rounds.push({ round, server: server.name, ...result })
    console.log(
      `round ${round}/${config.rounds}  ${server.name.padEnd(22)} ${fmtInt(result.reqPerSec).padStart(8)} req/s  ` +
        `p99 ${String(result.latencyP99).padStart(3)} ms  server CPU ${fmtPercent(result.serverCpu)}  load CPU ${fmtPercent(result.loadCpu)}  other ${fmtPercent(result.otherCpu)}` +
        (loadFailures(result) > 0 ? `  !! ${describeFailures(result)}` : ''),
    )
  }
}

const summary = summarize(rounds)
printSummary(summary)
if (config.only !== undefined) console.log('\n--only: a partial run, not written to bench/results/http.json')
else writeResults('http', { command, machine }, {
  pinned: canPin,
  config,
  versions: Object.fromEntries(['@trpc/server', '@orpc/server', 'zod', 'autocannon'].map((name) => [name, versionOf(name)])),
  servers: SERVERS.map(({ name, label, path: url, expected }) => ({ name, label, request: `GET ${url}`, expected })),
  rounds,
  summary,
}, { quick: config.quick, disturbance: judgeDisturbance(rounds) })

const broken = summary.filter((row) => row.failures > 0)
if (broken.length > 0) {
  console.error(`\nFAILED: ${broken.map((row) => `${row.server} (${row.failureDetail})`).join(', ')} answered errors or wrong bodies under load.`)
  process.exit(1)
}

/** Starts one server, checks its answer, loads it, stops it. A fresh process per round keeps rounds independent. */
async function measure(server) {
  const { child, port } = await startServer(server.name, path.join(benchDir, 'servers', `${server.name}.mjs`))
  try {
    const url = `http://127.0.0.1:${port}${server.path}`
    await checkAnswer(server, url)
    return await runLoad(url, JSON.stringify(server.expected), child.pid)
  } finally {
    await stop(child)
  }
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

/** Runs load.mjs on CPU 1 against the server and returns its numbers (see lib/http-load.mjs). */
function runLoad(url, expectBody, serverPid) {
  const { connections, pipelining, warmup, duration } = config
  return loadHttp({ url, expectBody, connections, pipelining, warmup, duration }, serverPid)
}

function describeFailures(result) {
  return `${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts), ${result.mismatches} wrong bodies`
}

function summarize(rows) {
  const byServer = chosen.map((server) => {
    const mine = rows.filter((row) => row.server === server.name)
    const total = { non2xx: 0, errors: 0, timeouts: 0, mismatches: 0 }
    for (const row of mine) for (const key of Object.keys(total)) total[key] += row[key]
    return {
      server: server.name,
      label: server.label,
      reqPerSec: median(mine.map((row) => row.reqPerSec)),
      latencyP99: median(mine.map((row) => row.latencyP99)),
      serverCpu: medianOrNull(mine.map((row) => row.serverCpu)),
      failures: mine.reduce((sum, row) => sum + loadFailures(row), 0),
      failureDetail: describeFailures(total),
    }
  })
  const bare = byServer.find((row) => row.server === 'bare')?.reqPerSec
  const mizan = byServer.find((row) => row.server === 'mizan')?.reqPerSec
  return byServer.map((row) => ({
    ...row,
    ratioToBare: bare === undefined ? null : row.reqPerSec / bare,
    ratioToMizan: mizan === undefined ? null : row.reqPerSec / mizan,
  }))
}

function printSummary(summary) {
  printTable(
    ['server', 'req/s (median)', 'p99 latency', 'vs node:http', 'vs Mizan', 'server CPU', 'errors'],
    summary.map((row) => [
      row.label,
      fmtInt(row.reqPerSec),
      `${row.latencyP99} ms`,
      row.ratioToBare === null ? '-' : `${row.ratioToBare.toFixed(2)}×`,
      row.ratioToMizan === null ? '-' : `${row.ratioToMizan.toFixed(2)}×`,
      fmtPercent(row.serverCpu),
      row.failures === 0 ? '0' : `${row.failures} !!`,
    ]),
  )
  console.log(`\nreq/s counts 2xx responses only; req/s, p99 and server CPU are medians over ${config.rounds} round(s);`)
  console.log('errors = failed requests (non-2xx, wrong body, socket error) over all rounds.')
  if (summary.some((row) => row.serverCpu !== null && row.serverCpu < 0.9)) {
    console.log('A server CPU well below 100 % means that server was not saturated: the load generator (or another process) was the limit.')
  }
  warnIfDisturbed(rounds, { what: 'runs (see "other" above)' })
}

function readConfig() {
  const { config, integer, values } = readLoadConfig({
    options: { pipelining: { type: 'string', default: '1' }, only: { type: 'string' } },
    usage: 'node bench/http.mjs [--duration S=10] [--rounds N=3] [--warmup S=2] [--connections N=100] [--pipelining N=1] [--quick: 3 s, 1 round] [--only NAME,NAME: those rows only, not written to results]',
  })
  return {
    ...config,
    pipelining: integer('pipelining', 1),
    only: values.only === undefined ? undefined : values.only.split(',').map((name) => name.trim()).filter(Boolean),
  }
}

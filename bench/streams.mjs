// Streamed values: one reply of many small values (an async generator handler yielding numbers),
// read to its end by a client process on CPU 1, from Mizan and from bare node:http writing the same
// lines, each server on CPU 0. Reports values per second, Mizan's against the bare server's.
// Usage: node bench/streams.mjs [--count 200000] [--rounds 5] [--quick]
import path from 'node:path'
import { canPin, stop } from './lib/children.mjs'
import { cpuWindow, judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { startLoad } from './lib/load-process.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion, requireBuild } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { startServer } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { fmtInt, fmtPercent, printTable } from './lib/table.mjs'

const config = readConfig()
requireBuild(['server'])

const SERVERS = [
  { name: 'stream-bare', label: `node:http ${process.version}, chunked lines`, path: (count) => `/?count=${count}` },
  { name: 'stream-mizan', label: `Mizan ${mizanVersion()}, async generator`, path: (count) => `/numbers?input=${encodeURIComponent(JSON.stringify({ count }))}` },
]

const machine = describeMachine()
const command = commandLine(import.meta.url)
printMachine(machine, command)
console.log(`stream:  ${config.count.toLocaleString('en-US')} values a reply, ${config.rounds} measured reads per server after one warm-up read, servers alternating; ` + (canPin ? 'server on CPU 0, client on CPU 1' : 'NOT PINNED'))
for (const server of SERVERS) console.log(`         ${server.name.padEnd(13)} GET ${server.path(config.count)}`)
console.log()

const runs = []
for (let pass = 0; pass < 2; pass++) {
  // Two passes, in opposite orders: neither server always runs first.
  for (const server of pass === 0 ? SERVERS : [...SERVERS].reverse()) {
    const result = await measure(server)
    runs.push(...result.reads.map((read) => ({ server: server.name, ...read, serverCpu: result.serverCpu, otherCpu: result.otherCpu })))
    console.log(`pass ${pass + 1}/2  ${server.name.padEnd(13)} ${fmtInt(median(result.reads.map((read) => read.values / read.seconds))).padStart(12)} values/s  server CPU ${fmtPercent(result.serverCpu)}  other ${fmtPercent(result.otherCpu)}`)
  }
}

const summary = SERVERS.map((server) => {
  const mine = runs.filter((run) => run.server === server.name)
  return { server: server.name, label: server.label, valuesPerSec: median(mine.map((run) => run.values / run.seconds)), serverCpu: median(mine.map((run) => run.serverCpu)) }
})
const [bare, mizan] = summary
const ratio = mizan.valuesPerSec / bare.valuesPerSec
printTable(['server', 'values/s (median)', 'server CPU'], summary.map((row) => [row.label, fmtInt(row.valuesPerSec), fmtPercent(row.serverCpu)]))
console.log(`\nMizan vs bare node:http: ${ratio.toFixed(2)}× the values per second`)
warnIfDisturbed(runs, { what: 'reads (see "other" above)' })
writeResults('streams', { command, machine }, { pinned: canPin, config, servers: SERVERS.map(({ name, label }) => ({ name, label, file: `bench/servers/${name}.mjs` })), runs, summary, ratio }, { quick: config.quick, disturbance: judgeDisturbance(runs) })

/** A fresh server; the client reads `rounds` replies to their end; the server's CPU over those reads. */
async function measure(server) {
  const { child, port } = await startServer(server.name, path.join(benchDir, 'servers', `${server.name}.mjs`))
  try {
    const url = `http://127.0.0.1:${port}${server.path(config.count)}`
    const client = startLoad(path.join(benchDir, 'streams', 'client.mjs'), { url, rounds: config.rounds }, { name: 'stream client' })
    await client.next('start')
    const cpu = cpuWindow(child.pid)
    const reads = []
    for (let round = 0; round < config.rounds; round++) {
      const { event, ...read } = await client.next('result')
      if (read.values !== config.count) throw new Error(`${server.name}: ${read.values} values arrived of ${config.count}`)
      reads.push(read)
    }
    const seconds = reads.reduce((sum, read) => sum + read.seconds, 0)
    const clientCpu = reads.reduce((sum, read) => sum + read.cpuSeconds, 0) / seconds
    const { serverCpu, otherCpu } = cpu.end(seconds, clientCpu)
    await client.exited
    return { reads, serverCpu, otherCpu }
  } finally {
    await stop(child)
  }
}

function readConfig() {
  const { integer, values } = readOptions({
    options: { count: { type: 'string' }, rounds: { type: 'string' } },
    quick: { count: ['20000', '200000'], rounds: ['2', '5'] },
    usage: 'node bench/streams.mjs [--count N=200000] [--rounds N=5] [--quick: 20,000 values, 2 reads]',
  })
  return { count: integer('count', 1), rounds: integer('rounds', 1), quick: values.quick === true }
}

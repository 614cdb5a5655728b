// Upload benchmark: one file sent as multipart/form-data (Mizan's upload wire) to bare node:http +
// busboy streaming it to disk, and to a Mizan mutation taking `z.file()`, each server in its own
// process pinned to CPU 0, the client in one pinned to CPU 1. Measures throughput (MiB/s) and how
// much the server's memory grows while it takes the file (peak RSS over the RSS before), at two file
// sizes, to show that growth does not follow the file's size.
// Usage: node bench/upload.mjs [--sizes 200,1024] [--rounds 3] [--chunk 64] [--quick] [--only bare,mizan]
import path from 'node:path'
import { canPin, stop } from './lib/children.mjs'
import { cpuWindow, judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { startLoad } from './lib/load-process.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { resetPeak, statusBytes } from './lib/memory.mjs'
import { chooseServers, readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion, requireBuild, requireDependencies, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { startServer } from './lib/servers.mjs'
import { maxOrNull, median, medianOrNull } from './lib/stats.mjs'
import { fmtPercent, printTable } from './lib/table.mjs'
import { filesIn, freshTempDir, removeTempDir, waitEmpty } from './upload/tempdir.mjs'

const MiB = 1024 ** 2
/** The targets: Mizan's throughput at least this share of the bare server's, at the first size... */
const THROUGHPUT_TARGET = 0.8
/** ...its peak RSS growth at most this at every size... */
const GROWTH_TARGET = 64 * MiB
/** ...and flat: at the largest size at most this much above the smallest (a file 5× larger). */
const FLAT_SLACK = 16 * MiB
/**
 * The warm-up upload before each measured one: over the 1 MiB memory threshold, so it spools too;
 * small on purpose, so the baseline is a server that has not yet grown its buffers (see README).
 */
const WARMUP_SIZE = 4 * MiB

/** Why a run stops: what the server did wrong, said without a stack trace. */
class BenchFailure extends Error {}

const config = readConfig()
requireDependencies(['busboy', 'zod'])
requireBuild(['wire', 'server'])

const SERVERS = [
  { name: 'bare', label: `node:http ${process.version} + busboy ${versionOf('busboy')}`, file: 'upload-bare.mjs' },
  { name: 'mizan', label: `Mizan ${mizanVersion()}`, file: 'upload-mizan.mjs' },
]
const chosen = chooseServers(SERVERS, config.only)

const machine = describeMachine()
const command = commandLine(import.meta.url)
printMachine(machine, command)
console.log(
  `upload:  one file of ${config.sizes.map(fmtMiB).join(' and ')} per measurement, POST /upload multipart/form-data (field input = {}, file part input.file), ` +
    `streamed in ${config.chunk / 1024} KiB chunks, after a ${fmtMiB(WARMUP_SIZE)} warm-up upload; a fresh server per measurement; ` +
    `${config.rounds} round(s) interleaved; ` +
    (canPin ? 'server on CPU 0, client on CPU 1' : 'NOT PINNED (taskset or a second core missing)'),
)
for (const server of chosen) console.log(`         ${server.name.padEnd(6)} bench/servers/${server.file}`)
console.log()

const runs = []
try {
  await measureAll()
} catch (error) {
  // A wrong answer or a file left behind: each measurement has cleaned up after itself by now.
  console.error(`\n${error instanceof BenchFailure ? error.message : error.stack}`)
  process.exit(1)
}

/** Every round: each size, each server, the order alternating. */
async function measureAll() {
  for (let round = 1; round <= config.rounds; round++) {
    // Two servers: the order alternates, so neither always runs right after the other's disk work.
    const order = round % 2 === 1 ? chosen : [...chosen].reverse()
    for (const size of config.sizes) {
      for (const server of order) {
        const run = { round, server: server.name, size, ...(await measure(server, size)) }
        runs.push(run)
        console.log(
          `round ${round}/${config.rounds}  ${server.name.padEnd(6)} ${fmtMiB(size).padStart(9)}  ${run.mibPerSec.toFixed(1).padStart(7)} MiB/s  ` +
            `peak RSS +${fmtMiBOrNa(run.rssGrowth)} (${fmtMiBOrNa(run.rssBefore)} before)  spooled ${fmtMiB(run.spooled)}  ` +
            `server CPU ${fmtPercent(run.serverCpu)}  client CPU ${fmtPercent(run.loadCpu)}  softirq ${fmtPercent(run.softirqCpu)}  other ${fmtPercent(run.otherCpu)}`,
        )
      }
    }
  }
}

// Moving a file over loopback costs the kernel work no process is charged for: the TCP receive
// path runs in software interrupts, 15-25 % of a core here at these rates. That is the upload's
// own cost, so it is shown apart ("softirq") and kept out of "other", which holds what is left,
// the file system's threads among it (writeback, a few %): above 10 % of a core, another process
// was competing.
const OTHER_LIMIT = 0.1
const summary = summarize()
const targets = judgeTargets(summary)
printSummary(summary, targets)
writeResults('upload', { command, machine }, {
  pinned: canPin,
  config,
  versions: Object.fromEntries(['busboy', 'zod'].map((name) => [name, versionOf(name)])),
  servers: SERVERS.map(({ name, label, file }) => ({ name, label, file: `bench/servers/${file}` })),
  runs,
  summary,
  targets,
}, { quick: config.quick, partial: config.only !== undefined, disturbance: judgeDisturbance(runs, { limit: OTHER_LIMIT }) })

/**
 * One measurement: a fresh server with an empty temporary directory of its own, warmed up by the
 * client with a small upload; then its memory baseline, then the measured upload, while the
 * temporary directory is watched (the file should spool to disk as it arrives); then its peak memory, and a check
 * that it deleted the file.
 */
async function measure(server, size) {
  const tempDir = freshTempDir()
  const { child, port } = await startServer(server.name, path.join(benchDir, 'servers', server.file), { env: { TMPDIR: tempDir } })
  try {
    const job = { port, path: '/upload', size, warmupSize: WARMUP_SIZE, chunkSize: config.chunk }
    const client = startLoad(path.join(benchDir, 'upload', 'client.mjs'), job, { stdin: true, name: 'upload client' })
    const ready = await client.next('ready')
    if (!ready.warmup.ok) wrongAnswer(server, WARMUP_SIZE, ready.warmup)
    // The warm-up's temporary file must be gone before the baseline: a server deletes it after answering.
    await expectEmpty(server, tempDir, 'the warm-up upload')

    const peakReset = resetPeak(child.pid)
    const rssBefore = statusBytes(child.pid, 'VmRSS')
    let spooled = 0
    const watch = setInterval(() => {
      for (const file of filesIn(tempDir)) spooled = Math.max(spooled, file.size)
    }, 10)
    const ownBefore = process.cpuUsage()
    client.send({ go: true })
    await client.next('start')
    const cpu = cpuWindow(child.pid, { softirq: false })
    const result = await client.next('result')
    clearInterval(watch)
    const peak = statusBytes(child.pid, 'VmHWM')
    const own = process.cpuUsage(ownBefore)
    // What this process used (watching the directory) is neither the server's nor another process's.
    const { serverCpu, otherCpu, softirqCpu } = cpu.end(result.seconds, result.loadCpu + (own.user + own.system) / 1e6 / result.seconds)
    await client.exited
    if (!result.ok) wrongAnswer(server, size, result)
    await expectEmpty(server, tempDir, `the ${fmtMiB(size)} upload`)
    return {
      seconds: result.seconds,
      mibPerSec: size / MiB / result.seconds,
      rssBefore,
      rssPeak: peak,
      rssGrowth: peak === null || rssBefore === null ? null : peak - rssBefore,
      peakReset,
      spooled,
      serverCpu,
      loadCpu: result.loadCpu,
      softirqCpu,
      otherCpu,
    }
  } finally {
    await stop(child)
    removeTempDir(tempDir)
  }
}

/** A server that answers wrongly proves nothing: the run stops. */
function wrongAnswer(server, size, got) {
  throw new BenchFailure(
    `${server.name} answered wrongly to a ${fmtMiB(size)} upload (POST /upload)\n` +
      `  got:  ${got.status} ${got.contentType} ${got.body}\n` +
      `  want: 200 application/json {"data":{"size":${size}}}`,
  )
}

/** Temporary files must be removed once the call has settled; 5 s is ample for a delete. */
async function expectEmpty(server, tempDir, what) {
  const left = await waitEmpty(tempDir, 5000)
  if (left.length > 0) {
    throw new BenchFailure(`${server.name} left ${left.length} temporary file(s) behind after ${what}: ${left.map((file) => `${file.name} (${file.size} B)`).join(', ')}`)
  }
}

function summarize() {
  const rows = []
  for (const size of config.sizes) {
    for (const server of chosen) {
      const mine = runs.filter((run) => run.server === server.name && run.size === size)
      rows.push({
        server: server.name,
        label: server.label,
        size,
        sizeMiB: size / MiB,
        mibPerSec: median(mine.map((run) => run.mibPerSec)),
        rssGrowth: medianOrNull(mine.map((run) => run.rssGrowth)),
        rssGrowthMax: maxOrNull(mine.map((run) => run.rssGrowth)),
        // The smallest, over rounds, of the largest temporary file seen during the upload.
        spooledMin: Math.min(...mine.map((run) => run.spooled)),
        serverCpu: medianOrNull(mine.map((run) => run.serverCpu)),
        loadCpu: median(mine.map((run) => run.loadCpu)),
        softirqCpu: medianOrNull(mine.map((run) => run.softirqCpu)),
        otherCpu: maxOrNull(mine.map((run) => run.otherCpu)),
      })
    }
  }
  return rows.map((row) => {
    const bare = rows.find((other) => other.server === 'bare' && other.size === row.size)
    return { ...row, ratioToBare: bare === undefined ? null : row.mibPerSec / bare.mibPerSec }
  })
}

/**
 * Mizan's targets, judged on this run: throughput at the first size at least 0.8× the bare
 * server's; peak RSS growth (the largest over rounds) at most 64 MiB at every size, and flat:
 * at the largest size no more than 16 MiB above the smallest. null where Mizan (or, for the
 * ratio, bare) did not run, or memory could not be read.
 */
function judgeTargets(rows) {
  const mizan = rows.filter((row) => row.server === 'mizan')
  if (mizan.length === 0) return null
  const first = mizan.find((row) => row.size === config.sizes[0])
  const last = mizan.find((row) => row.size === config.sizes.at(-1))
  const growths = mizan.map((row) => row.rssGrowthMax)
  const known = !growths.includes(null)
  return {
    throughput: { size: first.size, ratio: first.ratioToBare, target: THROUGHPUT_TARGET, met: first.ratioToBare === null ? null : first.ratioToBare >= THROUGHPUT_TARGET },
    memory: { worst: known ? Math.max(...growths) : null, target: GROWTH_TARGET, met: known ? Math.max(...growths) <= GROWTH_TARGET : null },
    flat: {
      from: first.size,
      to: last.size,
      difference: known ? last.rssGrowthMax - first.rssGrowthMax : null,
      slack: FLAT_SLACK,
      met: known ? last.rssGrowthMax - first.rssGrowthMax <= FLAT_SLACK : null,
    },
  }
}

function printSummary(rows, targets) {
  printTable(
    ['server', 'file', 'MiB/s (median)', 'vs node:http', 'peak RSS growth (median)', '(max)', 'spooled to disk', 'server CPU', 'client CPU', 'softirq', 'other (max)'],
    rows.map((row) => [
      row.label,
      fmtMiB(row.size),
      row.mibPerSec.toFixed(1),
      row.ratioToBare === null ? '-' : `${row.ratioToBare.toFixed(2)}×`,
      fmtMiBOrNa(row.rssGrowth),
      fmtMiBOrNa(row.rssGrowthMax),
      `${row.spooledMin >= row.size / 2 ? 'yes' : 'NO'} (${fmtMiB(row.spooledMin)} seen)`,
      fmtPercent(row.serverCpu),
      fmtPercent(row.loadCpu),
      fmtPercent(row.softirqCpu),
      fmtPercent(row.otherCpu),
    ]),
    { groups: rows.map((row) => row.size) },
  )
  console.log(`\nMiB/s: file bytes over the time from the request's start to the answer's end, median of ${config.rounds} round(s).`)
  console.log('peak RSS growth: the server\'s VmHWM after the upload minus its VmRSS just before it (after a warm-up upload), from /proc.')
  console.log('spooled to disk: the largest temporary file seen in the server\'s temporary directory during the upload (listed every 10 ms; the')
  console.log('smallest over rounds); "yes" when it reached half the file or more: the file went to disk as it arrived, not into memory.')
  if (targets !== null) {
    const verdict = (met) => (met === null ? 'n/a' : met ? 'met' : 'MISSED')
    const { throughput, memory, flat } = targets
    console.log(`target: Mizan ≥ ${THROUGHPUT_TARGET}× node:http + busboy at ${fmtMiB(throughput.size)}: ${verdict(throughput.met)}${throughput.ratio === null ? '' : ` (${throughput.ratio.toFixed(2)}×)`}`)
    console.log(`target: Mizan's peak RSS growth ≤ ${fmtMiB(GROWTH_TARGET)} at every size: ${verdict(memory.met)} (worst ${fmtMiBOrNa(memory.worst)})`)
    console.log(
      `target: flat in file size, ${fmtMiB(flat.to)} ≤ ${fmtMiB(flat.from)} + ${fmtMiB(FLAT_SLACK)}: ${verdict(flat.met)}` +
        (flat.difference === null ? '' : ` (${flat.difference >= 0 ? '+' : '-'}${fmtMiB(Math.abs(flat.difference))})`),
    )
  }
  warnIfDisturbed(runs, { limit: OTHER_LIMIT, what: 'uploads (see "other" above)' })
}

function fmtMiB(bytes) {
  return bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)} GiB` : `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`
}

function fmtMiBOrNa(bytes) {
  return bytes === null ? 'n/a' : fmtMiB(bytes)
}

function readConfig() {
  const { integer, values } = readOptions({
    options: {
      sizes: { type: 'string' },
      rounds: { type: 'string' },
      chunk: { type: 'string', default: '64' },
      only: { type: 'string' },
    },
    quick: { sizes: ['100,300', '200,1024'], rounds: ['1', '3'] },
    usage:
      'node bench/upload.mjs [--sizes MIB,MIB=200,1024: file sizes in MiB, throughput target at the first] [--rounds N=3] [--chunk KIB=64: client write size] ' +
      '[--quick: 100 and 300 MiB, 1 round] [--only bare|mizan: one server, not published]',
  })
  const sizes = String(values.sizes).split(',').map((text) => Number(text.trim()))
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1 || size > 2047)) {
    console.error(`--sizes must be whole MiB from 1 to 2047, comma-separated (got "${values.sizes}")`)
    process.exit(2)
  }
  return {
    sizes: sizes.map((size) => size * MiB),
    rounds: integer('rounds', 1),
    chunk: integer('chunk', 1) * 1024,
    only: values.only === undefined ? undefined : values.only.split(',').map((name) => name.trim()).filter(Boolean),
    quick: values.quick === true,
  }
}

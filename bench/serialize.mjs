// Serializer benchmark: Mizan's wire encoding of a result, in one process, against the floor
// (`JSON.stringify`) and superjson as tRPC/oRPC-with-superjson pay it. Encode and decode, three
// payloads (small object, 100 posts, 1,000 rows), each plain (JSON types only) and with special
// types (Dates, a Map, a BigInt).
//  - encode: JSON      JSON.stringify({ data })                       (the floor)
//            Mizan     dataBody(value, superjsonTransformer)          (packages/server/dist, what the server sends)
//            superjson JSON.stringify({ data: SuperJSON.serialize(value) })   (tRPC's result envelope)
//  - decode: JSON      JSON.parse(body).data
//            Mizan     JSON.parse(body), then eagerTransformer(SuperJSON).decode(data, meta)   (packages/client/dist)
//            superjson SuperJSON.deserialize(JSON.parse(body).data)
// Usage: node bench/serialize.mjs [--quick] [--duration 1] [--warmup 0.3] [--rounds 3]
//        [--only small,posts,table] [--cpu-prof: a CPU profile in bench/serialize/profiles/]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { cpuWindow, judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion, readJson, rootDir } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { maxOrNull, median } from './lib/stats.mjs'
import { fmtBytes, fmtInt, fmtPercent, printTable } from './lib/table.mjs'
import { PAYLOADS, SPECIAL_NOTE } from './serialize/payloads.mjs'

const config = readConfig()
const TARGET = 1.5

// GC between cases needs --expose-gc (and a profile needs --cpu-prof): run again with the flags.
if (process.env.MIZAN_SERIALIZE_CHILD !== '1' && (typeof globalThis.gc !== 'function' || config.cpuProf)) {
  const flags = ['--expose-gc']
  if (config.cpuProf) {
    const dir = path.join(benchDir, 'serialize', 'profiles')
    mkdirSync(dir, { recursive: true })
    flags.push('--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `serialize-${new Date().toISOString().replaceAll(':', '-')}.cpuprofile`)
  }
  const child = spawnSync(process.execPath, [...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MIZAN_SERIALIZE_CHILD: '1' },
  })
  process.exit(child.status ?? 1)
}
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {}

checkPrerequisites()
const { lazySuperjsonTransformer, dataBody } = await import(pathToFileURL(path.join(rootDir, 'packages/server/dist/transformer.js')).href)
// The server's transformer, as a server has it once superjson is loaded (it loads on the first value that needs it).
const superjsonTransformer = lazySuperjsonTransformer()
await superjsonTransformer.load()
const { eagerTransformer } = await import(pathToFileURL(path.join(rootDir, 'packages/client/dist/serializer.js')).href)
// The very superjson Mizan's server imports (resolved from packages/server), not another copy.
const superjsonEntry = createRequire(path.join(rootDir, 'packages/server/package.json')).resolve('superjson')
const SuperJSON = (await import(pathToFileURL(superjsonEntry).href)).default
const clientTransformer = eagerTransformer(SuperJSON)

const versions = {
  mizan: mizanVersion(),
  superjson: readJson(path.join(path.dirname(superjsonEntry), '..', 'package.json')).version,
}
// One process, no server: its results never recorded the machine's memory.
const machine = describeMachine({ memory: false })
const command = commandLine(import.meta.url)

const IMPLS = ['json', 'mizan', 'superjson']
const OPS = ['encode', 'decode']
const VARIANTS = ['plain', 'special']

// Every case: one payload, one variant, one direction, one implementation, as a function of no
// arguments. The bodies decoded are what each side's own encoder produced.
const cases = []
const payloadInfo = []
const problems = []
for (const payload of PAYLOADS.filter((p) => config.only.includes(p.name))) {
  const plain = payload.build(false)
  for (const variant of VARIANTS) {
    const value = variant === 'plain' ? plain : payload.build(true)
    // JSON cannot carry the special types (a BigInt throws, a Map becomes {}): its floor is the same
    // information in JSON types, which is the plain variant — superjson's own `json` of the value.
    const equivalent = plain
    const serialized = SuperJSON.serialize(value)
    if (!isDeepStrictEqual(serialized.json, plain)) problems.push(`${payload.name}/${variant}: superjson's json is not the plain variant`)
    if ((serialized.meta === undefined) !== (variant === 'plain')) problems.push(`${payload.name}/${variant}: superjson meta ${serialized.meta === undefined ? 'absent' : 'present'}`)

    const bodies = {
      json: JSON.stringify({ data: equivalent }),
      mizan: dataBody(value, superjsonTransformer),
      superjson: JSON.stringify({ data: SuperJSON.serialize(value) }),
    }
    const encode = {
      json: () => JSON.stringify({ data: equivalent }),
      mizan: () => dataBody(value, superjsonTransformer),
      superjson: () => JSON.stringify({ data: SuperJSON.serialize(value) }),
    }
    const decode = {
      json: () => JSON.parse(bodies.json).data,
      mizan: () => {
        const entry = JSON.parse(bodies.mizan)
        return clientTransformer.decode(entry.data, entry.meta)
      },
      superjson: () => SuperJSON.deserialize(JSON.parse(bodies.superjson).data),
    }

    // What is measured must be right: Mizan's plain body is byte for byte JSON's, and every decoder
    // gives back what was encoded (the JSON floor gives back the plain equivalent).
    if (variant === 'plain' && bodies.mizan !== bodies.json) problems.push(`${payload.name}/plain: Mizan's body differs from JSON.stringify({ data })`)
    if (variant === 'special' && !bodies.mizan.includes('"meta"')) problems.push(`${payload.name}/special: Mizan's body has no meta`)
    for (const impl of IMPLS) {
      if (encode[impl]() !== bodies[impl]) problems.push(`${payload.name}/${variant}: ${impl} encode is not deterministic`)
      const expected = impl === 'json' ? equivalent : value
      if (!isDeepStrictEqual(decode[impl](), expected)) problems.push(`${payload.name}/${variant}: ${impl} decode does not give back the value`)
    }

    payloadInfo.push({ payload: payload.name, variant, bytes: Object.fromEntries(IMPLS.map((impl) => [impl, Buffer.byteLength(bodies[impl])])) })
    for (const op of OPS) {
      for (const impl of IMPLS) cases.push({ payload: payload.name, label: payload.label, variant, op, impl, fn: op === 'encode' ? encode[impl] : decode[impl] })
    }
  }
}
if (problems.length > 0) {
  console.error(`FAILED before measuring:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}

printMachine(machine, command)
console.log(
  `method:  one process, every case warmed ${config.warmup} s first, then ${config.rounds} round(s) of ${config.duration} s per case, ` +
    `interleaved; GC before each case${typeof globalThis.gc === 'function' ? '' : ' (NOT AVAILABLE: run with --expose-gc)'}`,
)
console.log(`versions: Mizan ${versions.mizan} (packages/*/dist), superjson ${versions.superjson}`)
console.log(`payloads (${SPECIAL_NOTE}; plain: the same values in JSON types):`)
for (const payload of PAYLOADS.filter((p) => config.only.includes(p.name))) {
  const sizes = VARIANTS.map((variant) => {
    const { bytes } = payloadInfo.find((info) => info.payload === payload.name && info.variant === variant)
    return `${variant} ${fmtBytes(bytes.json)} / ${fmtBytes(bytes.mizan)} / ${fmtBytes(bytes.superjson)}`
  })
  console.log(`  ${payload.label.padEnd(13)} ${payload.describe.padEnd(48)} body JSON / Mizan / superjson: ${sizes.join(';  ')}`)
}
console.log()

let sink
/** Runs `fn` in batches of `batch` calls until `seconds` have passed; returns calls per second. */
function measure(fn, seconds, batch) {
  const limit = seconds * 1000
  let calls = 0
  let elapsed
  const start = performance.now()
  do {
    for (let i = 0; i < batch; i++) sink = fn()
    calls += batch
    elapsed = performance.now() - start
  } while (elapsed < limit)
  return (calls / elapsed) * 1000
}

/** {@link measure}, plus how much CPU other processes used meanwhile (share of one core; null without /proc). */
function measureWatched(fn, seconds, batch) {
  // The machine's CPU, less this process's own (from process.cpuUsage: finer than /proc's ticks).
  const cpu = cpuWindow()
  const ownBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const perSec = measure(fn, seconds, batch)
  const wall = (performance.now() - wallBefore) / 1000
  const own = process.cpuUsage(ownBefore)
  const { otherCpu } = cpu.end(wall, (own.user + own.system) / 1e6 / wall)
  return { perSec, otherCpu: otherCpu === null ? null : Number(otherCpu.toFixed(3)) }
}

// Warm-up: every case once before any is measured, so the JIT has seen every payload shape (as a
// server that answers many procedures has) and no case is measured cold. It also sizes each case's
// batch so the clock is read about once a millisecond.
for (const c of cases) {
  gc()
  const perSec = measure(c.fn, config.warmup, 1)
  c.batch = Math.max(1, Math.round(perSec / 1000))
}

const runs = []
for (let round = 1; round <= config.rounds; round++) {
  for (const c of cases) {
    gc()
    runs.push({ round, payload: c.payload, variant: c.variant, op: c.op, impl: c.impl, ...measureWatched(c.fn, config.duration, c.batch) })
  }
  const mine = runs.filter((run) => run.round === round)
  const parts = []
  for (const payload of [...new Set(mine.map((run) => run.payload))]) {
    for (const variant of VARIANTS) {
      for (const op of OPS) {
        const of = (impl) => mine.find((run) => run.payload === payload && run.variant === variant && run.op === op && run.impl === impl).perSec
        parts.push(`${payload}/${variant}/${op} ${(of('json') / of('mizan')).toFixed(2)}×`)
      }
    }
  }
  console.log(`round ${round}/${config.rounds}  Mizan÷JSON time: ${parts.join('  ')}  other CPU max ${fmtPercent(maxOrNull(mine.map((run) => run.otherCpu)))}`)
}

const summary = summarize()
printSummary(summary)
writeResults('serialize', { command, machine }, {
  gcBetweenCases: typeof globalThis.gc === 'function',
  config: { duration: config.duration, warmup: config.warmup, rounds: config.rounds, only: config.only, quick: config.quick },
  versions,
  measured: {
    encode: {
      json: 'JSON.stringify({ data })',
      mizan: 'dataBody(value, superjsonTransformer) from packages/server/dist/transformer.js',
      superjson: 'JSON.stringify({ data: SuperJSON.serialize(value) })',
    },
    decode: {
      json: 'JSON.parse(body).data',
      mizan: 'JSON.parse(body), then eagerTransformer(SuperJSON).decode(data, meta) from packages/client/dist/serializer.js',
      superjson: 'SuperJSON.deserialize(JSON.parse(body).data)',
    },
    jsonOnSpecial: 'the same values in JSON types (the plain variant, = superjson json of the special one)',
  },
  target: { variant: 'plain', mizanToJson: TARGET },
  payloads: payloadInfo,
  runs,
  summary: summary.rows,
}, { quick: config.quick, partial: config.partial, disturbance: judgeDisturbance(runs.filter((run) => run.otherCpu !== null)) })
void sink

// ---------------------------------------------------------------------------------------------

function summarize() {
  const rows = []
  const seen = new Set()
  for (const c of cases) {
    const key = `${c.payload}/${c.variant}/${c.op}`
    if (seen.has(key)) continue
    seen.add(key)
    const mine = runs.filter((run) => run.payload === c.payload && run.variant === c.variant && run.op === c.op)
    const perSec = Object.fromEntries(IMPLS.map((impl) => [impl, median(mine.filter((run) => run.impl === impl).map((run) => run.perSec))]))
    // Per-round ratios too, to show how steady they are.
    const roundRatios = (impl) =>
      Array.from({ length: config.rounds }, (_, i) => {
        const of = (which) => mine.find((run) => run.round === i + 1 && run.impl === which).perSec
        return Number((of('json') / of(impl)).toFixed(3))
      })
    const mizanRatio = perSec.json / perSec.mizan
    rows.push({
      payload: c.payload,
      label: c.label,
      variant: c.variant,
      op: c.op,
      perSec,
      mizanToJson: mizanRatio,
      superjsonToJson: perSec.json / perSec.superjson,
      mizanToJsonByRound: roundRatios('mizan'),
      superjsonToJsonByRound: roundRatios('superjson'),
      otherCpuMax: maxOrNull(mine.map((run) => run.otherCpu)),
      bytes: payloadInfo.find((info) => info.payload === c.payload && info.variant === c.variant).bytes,
      target: c.variant === 'plain' ? { mizanToJson: TARGET, met: mizanRatio <= TARGET } : undefined,
    })
  }
  return { rows }
}

function printSummary({ rows }) {
  printTable(
    ['payload', 'variant', 'op', 'JSON ops/s', 'Mizan ops/s', 'superjson ops/s', 'Mizan÷JSON', 'superjson÷JSON', 'other CPU', 'target'],
    rows.map((row) => [
      row.label,
      row.variant,
      row.op,
      fmtInt(row.perSec.json),
      fmtInt(row.perSec.mizan),
      fmtInt(row.perSec.superjson),
      `${row.mizanToJson.toFixed(2)}×`,
      `${row.superjsonToJson.toFixed(2)}×`,
      fmtPercent(row.otherCpuMax),
      row.target === undefined ? '' : `≤ ${TARGET}×: ${row.target.met ? 'yes' : 'NO'}`,
    ]),
    { left: [0, 1, 2, 9], groups: rows.map((row) => row.payload) },
  )
  console.log()
  console.log(`Medians over ${config.rounds} round(s) of ${config.duration} s. ÷JSON = time per call relative to JSON (JSON ops/s ÷ that column's ops/s); lower is better.`)
  console.log('JSON on a special payload = the same values in JSON types (Dates as ISO strings, Map as entries, BigInt as a string): JSON.stringify alone throws on a BigInt.')
  console.log(`target: plain payloads, Mizan within ${TARGET}× of JSON (Mizan's plain body is JSON's, byte for byte; it adds only the needsTransform walk).`)
  console.log('other CPU: the most any measurement of the row saw other processes use, as a share of one core (from /proc/stat).')
  const measured = runs.filter((run) => run.otherCpu !== null)
  warnIfDisturbed(measured, { what: 'measurements', consequence: 'those numbers are skewed (the median over rounds absorbs one bad round, not more)' })
  const missed = rows.filter((row) => row.target !== undefined && !row.target.met)
  if (missed.length > 0) console.log(`target missed: ${missed.map((row) => `${row.payload}/${row.variant}/${row.op} ${row.mizanToJson.toFixed(2)}×`).join(', ')}`)
  const unsteady = rows.filter((row) => config.rounds > 1 && Math.max(...row.mizanToJsonByRound) - Math.min(...row.mizanToJsonByRound) > 0.2 * row.mizanToJson)
  if (unsteady.length > 0) console.log(`warning: Mizan÷JSON varied by over 20 % between rounds for ${unsteady.map((row) => `${row.payload}/${row.variant}/${row.op}`).join(', ')} (see results JSON): a busy machine?`)
}

function readConfig() {
  const { values, integer, number } = readOptions({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
    },
    quick: { duration: ['0.2', '1'], warmup: ['0.05', '0.3'], rounds: ['1', '3'] },
    usage:
      'node bench/serialize.mjs [--quick: 0.2 s per case, 1 round] [--duration S=1] [--warmup S=0.3] [--rounds N=3]\n' +
      '                         [--only small,posts,table] [--cpu-prof: a CPU profile of the run in bench/serialize/profiles/]',
  })
  const names = PAYLOADS.map((payload) => payload.name)
  const only = values.only === undefined ? names : values.only.split(',').map((name) => name.trim())
  const unknown = only.filter((name) => !names.includes(name))
  if (unknown.length > 0 || only.length === 0) {
    console.error(`--only takes payload names from ${names.join(', ')} (got "${values.only}")`)
    process.exit(2)
  }
  return {
    duration: number('duration', 0.01),
    warmup: number('warmup', 0),
    rounds: integer('rounds', 1),
    only,
    partial: values.only !== undefined,
    quick: values.quick,
    cpuProf: values['cpu-prof'],
  }
}

/** Fails early, with the command that fixes it, when Mizan is not built; warns when the build is older than the source. */
function checkPrerequisites() {
  const built = [
    ['packages/wire/src/envelope.ts', 'packages/wire/dist/envelope.js'],
    ['packages/server/src/transformer.ts', 'packages/server/dist/transformer.js'],
    ['packages/client/src/serializer.ts', 'packages/client/dist/serializer.js'],
  ]
  for (const [source, output] of built) {
    if (!existsSync(path.join(rootDir, output))) {
      console.error(`Mizan is not built (${output} is missing): run \`npm run build\` at the repo root first.`)
      process.exit(1)
    }
    if (statSync(path.join(rootDir, source)).mtimeMs > statSync(path.join(rootDir, output)).mtimeMs) {
      console.warn(`warning: ${source} is newer than ${output}: run \`npm run build\` at the repo root to measure the current source.`)
    }
  }
}

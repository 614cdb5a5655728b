// `npm run bench`: every benchmark in one run, one table, written to bench/RESULTS.md and the
// README's Performance section. `--quick` runs each benchmark briefly (well under 2 minutes in all).
// Usage: node bench/all.mjs [--quick] [--only http,shapes,streams,upload,coldstart,ws,memory,bundle,serialize,typecheck]
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const rootDir = path.resolve(benchDir, '..')
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } })
const quick = values.quick

// Each benchmark: its script, the flags of a quick run, and how its results become table rows.
const BENCHES = {
  http: { script: 'http.mjs', quick: ['--quick', '--duration', '2', '--warmup', '1'], rows: httpRows },
  shapes: { script: 'shapes.mjs', quick: ['--quick', '--duration', '2', '--warmup', '1'], rows: shapesRows },
  streams: { script: 'streams.mjs', quick: ['--quick'], rows: streamsRows },
  upload: { script: 'upload.mjs', quick: ['--quick'], rows: uploadRows },
  coldstart: { script: 'coldstart.mjs', quick: ['--quick'], rows: coldstartRows },
  ws: { script: 'ws.mjs', quick: ['--quick'], rows: wsRows },
  memory: { script: 'idle-memory.mjs', quick: ['--quick'], rows: memoryRows },
  bundle: { script: 'bundle.mjs', quick: [], rows: bundleRows },
  serialize: { script: 'serialize.mjs', quick: ['--quick'], rows: serializeRows },
  typecheck: { script: 'typecheck.mjs', quick: ['--quick'], rows: typecheckRows },
}
const selected = values.only ? values.only.split(',') : Object.keys(BENCHES)

const started = Date.now()
const failed = []
for (const name of selected) {
  const bench = BENCHES[name]
  if (!bench || !existsSync(path.join(benchDir, bench.script))) continue
  console.log(`\n=== ${name} ${'='.repeat(60 - name.length)}`)
  const run = spawnSync(process.execPath, [path.join(benchDir, bench.script), ...(quick ? bench.quick : [])], { stdio: 'inherit', cwd: rootDir })
  if (run.status !== 0) failed.push(name)
}

// The table shows this run's numbers where a benchmark ran, and the last published ones elsewhere.
// It is published (bench/RESULTS.md, the README) only when every benchmark of this run was fit to
// publish: a full run, not disturbed by other processes (see bench/lib/results.mjs).
const rows = []
const refusals = failed.map((name) => `${name} failed`)
for (const name of Object.keys(BENCHES)) {
  const record = latestRecord(name, selected.includes(name))
  if (record === undefined) continue
  if (record.thisRun && record.data.unpublished) refusals.push(`${name}: ${record.data.unpublished}`)
  rows.push(...BENCHES[name].rows(record.data))
}

const machine = `${os.availableParallelism()} cores, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${os.platform()} ${os.arch()}`
const args = process.argv.slice(2)
const command = args.length === 0 ? 'npm run bench' : args.every((a) => a === '--quick') ? 'npm run bench -- --quick' : `node bench/all.mjs ${args.join(' ')}`
const table = [
  '| measure | Mizan | tRPC | oRPC | baseline | Mizan vs | target |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.measure} | ${r.mizan ?? '—'} | ${r.trpc ?? '—'} | ${r.orpc ?? '—'} | ${r.baseline ?? '—'} | ${r.ratio ?? '—'} | ${r.target ?? ''} |`),
].join('\n')
const results = `# Benchmark results

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, with \`${command}\`.
Rows come from each benchmark's latest published run (full, and judged undisturbed by other processes): its own command, date and details are in \`bench/results/<name>.json\`; \`bench/README.md\` says how each is measured.

${table}
`
console.log(`\n${results}`)
const seconds = ((Date.now() - started) / 1000).toFixed(0)
if (refusals.length === 0) {
  writeFileSync(path.join(benchDir, 'RESULTS.md'), results)
  updateReadme(results)
  console.log(`bench: ${seconds} s; written to bench/RESULTS.md and the README's Performance section`)
} else {
  console.log(`bench: ${seconds} s; NOT published to bench/RESULTS.md or the README:\n${refusals.map((reason) => `  - ${reason}`).join('\n')}`)
  console.log('Run it again on a quiet machine (a full run, nothing else busy) to publish.')
}
if (failed.length > 0) {
  console.error(`bench: ${failed.join(', ')} failed`)
  process.exit(1)
}

/**
 * A benchmark's record for the table: what this run wrote (published or not) when it ran, else
 * the last published one.
 */
function latestRecord(name, ran) {
  const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined)
  const published = read(path.join(benchDir, 'results', `${name}.json`))
  const unpublished = read(path.join(benchDir, 'results', `${name}.unpublished.json`))
  const fromThisRun = (record) => ran && record !== undefined && Date.parse(record.date) >= started
  if (fromThisRun(unpublished) && !(fromThisRun(published) && published.date > unpublished.date)) return { data: unpublished, thisRun: true }
  if (published !== undefined) return { data: published, thisRun: fromThisRun(published) }
  return undefined
}

/** Puts the results between the README's markers: the numbers there always come from this file. */
function updateReadme(text) {
  const readme = path.join(rootDir, 'README.md')
  const current = readFileSync(readme, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const from = current.indexOf(start)
  const to = current.indexOf(end)
  if (from === -1 || to === -1) return
  const body = text.split('\n').slice(2).join('\n').trim() // without the title
  writeFileSync(readme, `${current.slice(0, from + start.length)}\n${body}\n${current.slice(to)}`)
}

function fmt(n, unit = '') {
  if (n === undefined || n === null || Number.isNaN(n)) return undefined
  const v = n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2)
  return `${v}${unit}`
}

function httpRows(data) {
  const by = Object.fromEntries(data.summary.map((s) => [s.server, s]))
  const bare = by.bare?.reqPerSec
  const rows = [
    {
      measure: 'HTTP GET query, req/s',
      mizan: fmt(by.mizan?.reqPerSec),
      trpc: fmt(by.trpc?.reqPerSec),
      orpc: fmt(by.orpc?.reqPerSec),
      baseline: `${fmt(bare)} (node:http)`,
      ratio: fmt(by.mizan?.reqPerSec / bare, '×'),
      target: '≥ 0.8× node:http',
    },
  ]
  const plain = by.mizan?.reqPerSec
  for (const [name, label, target] of [
    ['mizan-cache-memory', 'cache hit (memory), req/s', '≥ 1.0× uncached'],
    // A hit in plain Redis is a network round trip per request: reported, with no target of its own.
    ['mizan-cache-redis', 'cache hit (Redis), req/s', 'none (a round trip per hit)'],
    ['mizan-cache-redis-near', 'cache hit (Redis + near cache), req/s', '≥ 0.8× uncached'],
  ]) {
    if (by[name]) rows.push({ measure: label, mizan: fmt(by[name].reqPerSec), baseline: `${fmt(plain)} (Mizan uncached)`, ratio: fmt(by[name].reqPerSec / plain, '×'), target })
  }
  return rows
}

function shapesRows(data) {
  const by = Object.fromEntries(data.summary.map((s) => [s.call, s]))
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`
  return [
    {
      measure: '100 posts × 20 fields, 3-field shape: req/s',
      mizan: fmt(by.shaped.reqPerSec),
      baseline: `${fmt(by.full.reqPerSec)} (whole output)`,
      // Per second of server CPU as well: the whole output's large responses may make the load generator the limit.
      ratio: `${fmt(data.ratios.reqPerSec, '×')} (${fmt(data.ratios.reqPerCpuSecond, '×')} per server CPU-second)`,
      target: '≥ 1.0× whole',
    },
    {
      measure: '100 posts × 20 fields, 3-field shape: response bytes',
      mizan: kb(by.shaped.bodyBytes),
      baseline: `${kb(by.full.bodyBytes)} (whole output)`,
      ratio: fmt(data.ratios.bytes, '×'),
      target: '≤ 0.2× whole',
    },
  ]
}

function streamsRows(data) {
  const by = Object.fromEntries(data.summary.map((s) => [s.server, s]))
  return [
    {
      measure: `streamed values over HTTP (${data.config.count.toLocaleString('en-US')} a reply), values/s`,
      mizan: fmt(by['stream-mizan'].valuesPerSec),
      baseline: `${fmt(by['stream-bare'].valuesPerSec)} (node:http chunked)`,
      ratio: fmt(data.ratio, '×'),
      target: '',
    },
  ]
}

function uploadRows(data) {
  const get = (server, size) => data.summary.find((s) => s.server === server && s.size === size)
  const sizes = data.config.sizes
  const [first, last] = [sizes[0], sizes.at(-1)]
  const size = (bytes) => (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`)
  const growth = (server) => {
    const [a, b] = [get(server, first)?.rssGrowthMax, get(server, last)?.rssGrowthMax]
    if (a === undefined || a === null || b === undefined || b === null) return undefined
    return `${fmt(a / 2 ** 20, ' MiB')} / ${fmt(b / 2 ** 20, ' MiB')}`
  }
  const [bare, mizan] = [get('bare', first), get('mizan', first)]
  if (mizan === undefined) return []
  const baseline = (text) => (text === undefined ? undefined : `${text} (node:http + busboy)`)
  return [
    {
      measure: `file upload, ${size(first)} spooled to disk, MiB/s`,
      mizan: fmt(mizan.mibPerSec),
      baseline: baseline(fmt(bare?.mibPerSec)),
      ratio: fmt(mizan.ratioToBare, '×'),
      target: '≥ 0.8× node:http + busboy',
    },
    {
      // The largest growth over the rounds: a ceiling is judged on its worst case.
      measure: `file upload, server peak RSS growth, ${size(first)} / ${size(last)}`,
      mizan: growth('mizan'),
      baseline: baseline(growth('bare')),
      target: '≤ 64 MiB, flat in file size',
    },
  ]
}

function coldstartRows(data) {
  const by = Object.fromEntries(data.summary.map((s) => [s.server, s]))
  const ms = (row) => fmt(row?.medianMs, ' ms')
  return [
    {
      measure: 'cold start, spawn → listening (median)',
      mizan: ms(by.mizan),
      trpc: ms(by.trpc),
      orpc: ms(by.orpc),
      baseline: `${ms(by.bare)} (node:http)`,
      ratio: fmt(by.mizan?.ratioToTrpc, '× tRPC'),
      target: '≤ 1.0× tRPC',
    },
  ]
}

function wsRows(data) {
  const get = (measure, name) => data.summary.find((s) => s.measure === measure && s.name === name)
  const rows = []
  const raw = get('rpc', 'raw')
  if (raw) {
    rows.push({
      measure: 'WebSocket RPC, calls/s',
      mizan: fmt(get('rpc', 'mizan-client')?.perSec),
      trpc: fmt(get('rpc', 'trpc-client')?.perSec),
      baseline: `${fmt(raw.perSec)} (raw ws)`,
      ratio: fmt(get('rpc', 'mizan-client')?.perSec / raw.perSec, '×'),
      target: '≥ 0.5× raw ws',
    })
  }
  const fanRaw = get('fan-out burst', 'raw')
  const fanMizan = get('fan-out burst', 'mizan')
  if (fanRaw && fanMizan) {
    rows.push({ measure: 'fan-out to 1,000, msg/s', mizan: fmt(fanMizan.perSec), baseline: `${fmt(fanRaw.perSec)} (raw ws)`, ratio: fmt(fanMizan.perSec / fanRaw.perSec, '×'), target: '≥ 0.5× raw ws' })
  }
  const pushRaw = get('invalidation push burst', 'raw-push')
  const pushMizan = get('invalidation push burst', 'mizan-push')
  if (pushRaw && pushMizan) {
    rows.push({ measure: 'invalidation push to 1,000, audience checked, msg/s', mizan: fmt(pushMizan.perSec), baseline: `${fmt(pushRaw.perSec)} (raw ws)`, ratio: fmt(pushMizan.perSec / pushRaw.perSec, '×'), target: '≥ 0.5× raw ws' })
  }
  const paced = get('fan-out paced', 'mizan')
  if (paced) rows.push({ measure: 'fan-out p99 latency', mizan: fmt(paced.latencyP99, ' ms'), baseline: `${fmt(get('fan-out paced', 'raw')?.latencyP99, ' ms')} (raw ws)`, target: '≤ 50 ms' })
  const sseRaw = get('SSE fan-out burst', 'raw-sse')
  const sseMizan = get('SSE fan-out burst', 'mizan-sse')
  if (sseRaw && sseMizan) {
    rows.push({ measure: 'SSE fan-out to 1,000, msg/s', mizan: fmt(sseMizan.perSec), baseline: `${fmt(sseRaw.perSec)} (bare SSE)`, ratio: fmt(sseMizan.perSec / sseRaw.perSec, '×'), target: '≥ 0.5× bare SSE' })
  }
  const ssePaced = get('SSE fan-out paced', 'mizan-sse')
  if (ssePaced) rows.push({ measure: 'SSE fan-out p99 latency', mizan: fmt(ssePaced.latencyP99, ' ms'), baseline: `${fmt(get('SSE fan-out paced', 'raw-sse')?.latencyP99, ' ms')} (bare SSE)`, target: '≤ 50 ms' })
  return rows
}

function memoryRows(data) {
  const by = Object.fromEntries((data.summary ?? []).map((s) => [s.name, s]))
  const raw = by.raw
  if (raw === undefined) return []
  const kib = (bytes) => fmt(bytes / 1024, ' KiB')
  const connections = data.config.connections.toLocaleString('en-US')
  // Every Mizan row there is: the target is the idle socket's; the others (a joined channel, SSE) are reported beside it.
  return [
    ['mizan', 'idle WebSocket', '≤ 1.2× raw ws'],
    ['mizan-joined', 'idle WebSocket, one channel joined', ''],
    ['mizan-sse', 'idle SSE stream', ''],
  ]
    .filter(([name]) => by[name] !== undefined)
    .map(([name, what, target]) => {
      // SSE against a bare SSE server (what any event stream on Node holds), the sockets against raw ws.
      const own = by[name].baseline === undefined ? undefined : by[by[name].baseline]
      const base = own ?? raw
      return {
        measure: `${what}: server RSS (heap) per connection at ${connections}`,
        mizan: `${kib(by[name].rssPerConnection)} (${kib(by[name].heapPerConnection)})`,
        baseline: `${kib(base.rssPerConnection)} (${kib(base.heapPerConnection)}) (${own === undefined ? 'raw ws' : 'bare SSE'})`,
        ratio: fmt(own === undefined ? by[name].rssRatioToRaw : by[name].rssRatioToBaseline, '×'),
        target,
      }
    })
}

function bundleRows(data) {
  const s = data.sizes
  const kb = (b) => `${(b / 1024).toFixed(1)} kB`
  const lazy = (entry) => (entry.lazy ? ` (+${kb(entry.lazy)} lazy)` : '')
  const total = (entry) => entry.initial + entry.lazy
  return [
    { measure: 'client bundle, gzip', mizan: kb(s['mizan-client'].initial) + lazy(s['mizan-client']), trpc: kb(s['trpc-client'].initial), orpc: kb(s['orpc-client'].initial), ratio: fmt(s['mizan-client'].initial / s['trpc-client'].initial, '× tRPC'), target: '≤ 4 kB' },
    {
      measure: 'React layer on top, gzip',
      mizan: `+${kb(s['mizan-react'].initial - s['mizan-client'].initial)}`,
      trpc: `+${kb(s['trpc-react'].initial - s['trpc-client'].initial)}`,
      orpc: `+${kb(s['orpc-react'].initial - s['orpc-client'].initial)}`,
      target: '≤ +3 kB',
    },
    ...[
      ['useForm', 'mizan-forms-hook', '≤ +3 kB'],
      ['useForm + MizanForm', 'mizan-forms-component', ''],
    ]
      .filter(([, name]) => s[name] !== undefined)
      .map(([label, name, target]) => ({
        measure: `${label} on top of the React layer, gzip (zod external; with zod)`,
        // Up front with zod external; everything (up front and lazy) with zod bundled too.
        mizan: `+${kb(s[name].initial - s['mizan-react'].initial)}; +${kb(total(s[`${name}+zod`]) - total(s['mizan-react']))}`,
        target,
      })),
  ]
}

function serializeRows(data) {
  // Encoding is what the target is about; decoding of plain payloads is JSON.parse for everyone.
  return (data.summary ?? [])
    .filter((r) => r.op === 'encode')
    .map((r) => ({
      measure: `encode ${r.label} (${r.variant}), ops/s`,
      mizan: fmt(r.perSec.mizan),
      baseline: `${fmt(r.perSec.json)} (JSON), superjson ${fmt(r.perSec.superjson)}`,
      ratio: fmt(r.mizanToJson, '× JSON time'),
      target: r.variant === 'plain' ? '≤ 1.5× JSON time' : '',
    }))
}

function typecheckRows(data) {
  return (data.summary ?? []).map((r) => ({
    measure: r.measure,
    mizan: r.mizan,
    trpc: r.trpc,
    orpc: r.orpc,
    baseline: r.baseline,
    ratio: r.ratio,
    target: r.target ?? '',
  }))
}

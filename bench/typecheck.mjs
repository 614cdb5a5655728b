// Type-check cost: the same app (N procedures, 6 per router file over 3 levels, zod inputs, and one
// consumer file per router calling every procedure through the typed client) written for Mizan, tRPC
// and oRPC, and once with no RPC library (zod + plain functions, a reference), checked by
// `tsc --noEmit --extendedDiagnostics` with TypeScript 5.9 and TypeScript 7; then the editor's
// completion latency after `client.r123.` in the 1,000-procedure projects (tsserver and TS 7's LSP).
// Two scenarios: `app`, the whole app from source (router and client in one program, the router's
// type inferred from its code), and `client`, the client side alone against the router's emitted
// declarations (.d.ts), as a front end in a monorepo sees it.
// Usage: node bench/typecheck.mjs [--quick] [--sizes 100,1000,3000] [--rounds 3] [--ts 5.9,7,7-1]
//        [--libs ...] [--scenarios app,client] [--completion-libs ...] [--iterations 10] [--no-completion]
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { cpuWindow, judgeDisturbance, warnIfDisturbed } from './lib/cpu.mjs'
import { commandLine, describeMachine, printMachine } from './lib/machine.mjs'
import { readOptions } from './lib/options.mjs'
import { benchDir, mizanVersion, requireBuild, requireDependencies, rootDir, versionOf } from './lib/repo.mjs'
import { writeResults } from './lib/results.mjs'
import { median } from './lib/stats.mjs'
import { fmtInt, printTable } from './lib/table.mjs'
import { measureCompletion } from './typecheck/completion.mjs'
import { generate, generateDeclared, LIBRARIES, PROCEDURES_PER_ROUTER } from './typecheck/generate.mjs'

const SCENARIOS = {
  app: 'whole app from source',
  client: 'client against router .d.ts',
}

const { values, integer } = readOptions({
  options: {
    sizes: { type: 'string' },
    rounds: { type: 'string' },
    ts: { type: 'string' },
    libs: { type: 'string' },
    scenarios: { type: 'string' },
    'completion-libs': { type: 'string' },
    'completion-scenarios': { type: 'string' },
    iterations: { type: 'string' },
    warmup: { type: 'string' },
    'no-completion': { type: 'boolean', default: false },
  },
  quick: {
    sizes: ['100,1000', '100,1000,3000'],
    rounds: ['1', '3'],
    ts: ['5.9', '5.9,7,7-1'],
    libs: ['mizan,trpc,orpc,plain', LIBRARIES.join(',')],
    scenarios: ['app', 'app,client'],
    'completion-libs': ['mizan,trpc', 'mizan,mizan-affects,trpc,orpc,plain'],
    'completion-scenarios': ['client', 'app,client'],
    iterations: ['3', '10'],
    warmup: ['1', '3'],
  },
  usage: `node bench/typecheck.mjs [--quick] [--sizes 100,1000,3000] [--rounds 3] [--ts 5.9,7,7-1] [--libs ${LIBRARIES.join(',')}]
                         [--scenarios app,client] [--completion-libs mizan,trpc,orpc,plain] [--completion-scenarios app,client]
                         [--iterations 10] [--warmup 3] [--no-completion]
--ts:        5.9 (tsc 5.9), 7 (TypeScript 7's tsc as it runs by default), 7-1 (TypeScript 7 with --checkers 1)
--scenarios: app (the whole app from source), client (client and consumers against the router's emitted .d.ts)
--quick:     sizes 100,1000, 1 round, TS 5.9, scenario app, no mizan-affects; completion (client scenario only) for mizan and trpc, 3 iterations`,
})
const list = (name) => values[name].split(',').map((item) => item.trim()).filter(Boolean)
const config = {
  sizes: list('sizes').map(Number),
  rounds: integer('rounds', 1),
  ts: list('ts'),
  libs: list('libs'),
  scenarios: list('scenarios'),
  completionLibs: values['no-completion'] ? [] : list('completion-libs'),
  completionScenarios: list('completion-scenarios'),
  completionSize: 1000,
  completionRouter: 123,
  iterations: integer('iterations', 1),
  warmup: integer('warmup', 0),
  quick: values.quick,
}
for (const size of config.sizes) if (!Number.isInteger(size) || size < PROCEDURES_PER_ROUTER) usageError(`--sizes: "${size}" is not a procedure count >= 6`)
for (const lib of [...config.libs, ...config.completionLibs]) if (!LIBRARIES.includes(lib)) usageError(`unknown library "${lib}" (one of ${LIBRARIES.join(', ')})`)
for (const scenario of [...config.scenarios, ...config.completionScenarios]) if (!SCENARIOS[scenario]) usageError(`unknown scenario "${scenario}" (app or client)`)

requireDependencies(['typescript', 'typescript7', '@trpc/server', '@trpc/client', '@orpc/server', '@orpc/client', 'zod', '@types/node'])
requireBuild(['server', 'client', 'wire'])
const staleBuild = staleDist(['server', 'client', 'wire'])

// The compilers. TypeScript 7 is the native (Go) compiler: its binary runs directly, not through the
// npm package's node launcher, so that time and peak memory are the compiler's own.
const ts59 = { version: versionOf('typescript'), file: process.execPath, args: [path.join(benchDir, 'node_modules/typescript/lib/tsc.js')] }
const ts7Exe = (await import(pathToFileURL(path.join(benchDir, 'node_modules/typescript7/lib/getExePath.js')).href)).default()
const ts7 = { version: versionOf('typescript7'), file: ts7Exe, args: [] }
const COMPILERS = {
  '5.9': { ...ts59, label: `TS ${ts59.version}` },
  7: { ...ts7, label: `TS ${ts7.version}` },
  '7-1': { ...ts7, args: ['--checkers', '1'], label: `TS ${ts7.version} --checkers 1` },
}
for (const ts of config.ts) if (!COMPILERS[ts]) usageError(`--ts: unknown "${ts}" (5.9, 7 or 7-1)`)
const LABELS = {
  mizan: `Mizan ${mizanVersion()}`,
  'mizan-affects': 'Mizan, with affects',
  trpc: `tRPC ${versionOf('@trpc/server')}`,
  orpc: `oRPC ${versionOf('@orpc/server')}`,
  plain: 'zod only (no library)',
}

const timeBin = spawnSync('/usr/bin/time', ['-f', '%e', 'true']).status === 0 ? '/usr/bin/time' : null
const machine = describeMachine()
const command = commandLine(import.meta.url)
printMachine(machine, command)
console.log(
  `compilers: ${config.ts.map((ts) => COMPILERS[ts].label).join(', ')}; zod ${versionOf('zod')}; ` +
    `${config.rounds} round(s), one compiler process at a time${timeBin ? '' : '; /usr/bin/time missing: no peak RSS or CPU'}`,
)
if (staleBuild.length > 0) console.log(`warning: sources newer than packages/*/dist (${staleBuild.slice(0, 3).join(', ')}…): run \`npm run build\` to measure the current code`)

// ---- the projects: regenerated every run, in bench/.work (git-ignored) ---------------------------

const started = performance.now()
const workDir = path.join(benchDir, '.work/typecheck')
const completing = config.completionLibs.length > 0 && config.completionScenarios.length > 0
const projects = []
const projectOf = (scenario, lib, size) => projects.find((p) => p.scenario === scenario && p.lib === lib && p.size === size)
const want = (scenario, lib, size) =>
  (config.scenarios.includes(scenario) && config.libs.includes(lib) && config.sizes.includes(size)) ||
  (completing && config.completionScenarios.includes(scenario) && config.completionLibs.includes(lib) && size === config.completionSize)
const allSizes = [...new Set([...config.sizes, ...(completing ? [config.completionSize] : [])])].sort((a, b) => a - b)
for (const size of allSizes) {
  for (const lib of LIBRARIES) {
    if (!want('app', lib, size) && !want('client', lib, size)) continue
    const procedures = Math.ceil(size / PROCEDURES_PER_ROUTER) * PROCEDURES_PER_ROUTER
    const appDir = path.join(workDir, `${lib}-${size}`)
    projects.push({ scenario: 'app', lib, size, procedures, files: generate(lib, size, appDir), dir: appDir })
    if (want('client', lib, size)) {
      const dir = path.join(workDir, `${lib}-${size}-client`)
      const files = generateDeclared(lib, size, dir, appDir, emitDeclarations)
      // A router whose declarations cannot be emitted has no client-side project: reported, not measured.
      if (typeof files === 'string') console.log(`note: ${LABELS[lib]}, ${fmtInt(procedures)} procedures: no .d.ts of the router (${files}); its client scenario is not measured`)
      projects.push({ scenario: 'client', lib, size, procedures, dir, ...(typeof files === 'string' ? { unavailable: files } : { files }) })
    }
  }
}
console.log(
  `projects: ${path.relative(process.cwd(), workDir)}/<library>-<N>[-client] (${((performance.now() - started) / 1000).toFixed(0)} s to write` +
    `${config.scenarios.includes('client') || config.completionScenarios.includes('client') ? ' and emit the .d.ts' : ''})\n`,
)

// ---- tsc --noEmit --extendedDiagnostics --------------------------------------------------------

const runs = []
for (let round = 1; round <= config.rounds; round++) {
  for (const ts of config.ts) {
    for (const scenario of config.scenarios) {
      for (const size of config.sizes) {
        for (const lib of config.libs) {
          const project = projectOf(scenario, lib, size)
          if (project.unavailable) continue
          const run = { round, ts, scenario, size, lib, procedures: project.procedures, ...check(COMPILERS[ts], project.dir) }
          runs.push(run)
          console.log(
            `round ${round}/${config.rounds}  ${COMPILERS[ts].label.padEnd(24)} ${scenario.padEnd(6)} ${fmtInt(run.procedures).padStart(5)}  ${lib.padEnd(13)}  ` +
              `check ${fmtS(run.checkS).padStart(7)}  total ${fmtS(run.totalS).padStart(7)}  memory ${fmtMB(run.memoryKB).padStart(7)}  ` +
              `instantiations ${fmtInt(run.instantiations).padStart(10)}  RSS ${fmtMB(run.maxRssKB).padStart(7)}  other CPU ${fmtShare(run.otherCpu)}`,
          )
        }
      }
    }
  }
}

const MEASURES = ['checkS', 'totalS', 'memoryKB', 'instantiations', 'types', 'wallS', 'cpuS', 'maxRssKB']
const medians = []
for (const ts of config.ts) {
  for (const scenario of config.scenarios) {
    for (const size of config.sizes) {
      for (const lib of config.libs) {
        const mine = runs.filter((r) => r.ts === ts && r.scenario === scenario && r.size === size && r.lib === lib)
        const project = projectOf(scenario, lib, size)
        const row = { ts, compiler: COMPILERS[ts].label, scenario, size, lib, procedures: project.procedures }
        if (project.unavailable) row.unavailable = project.unavailable
        for (const key of MEASURES) row[key] = mine.length === 0 || mine.some((r) => r[key] === null) ? null : median(mine.map((r) => r[key]))
        row.otherCpuMax = mine.length === 0 || mine.some((r) => r.otherCpu === null) ? null : Math.max(...mine.map((r) => r.otherCpu))
        medians.push(row)
      }
    }
  }
}
const medianOf = (ts, scenario, size, lib) => medians.find((m) => m.ts === ts && m.scenario === scenario && m.size === size && m.lib === lib)
const vsTrpc = (row, key) => {
  const trpc = medianOf(row.ts, row.scenario, row.size, 'trpc')
  return trpc && row[key] !== null && trpc[key] ? row[key] / trpc[key] : null
}
for (const row of medians) {
  row.checkVsTrpc = vsTrpc(row, 'checkS')
  row.memoryVsTrpc = vsTrpc(row, 'memoryKB')
  row.instantiationsVsTrpc = vsTrpc(row, 'instantiations')
}

// Growth from the second-largest size to the largest: linear growth is the ratio of procedure counts.
const growth = []
if (config.sizes.length >= 2) {
  const [from, to] = config.sizes.slice(-2)
  for (const ts of config.ts) {
    for (const scenario of config.scenarios) {
      for (const lib of config.libs) {
        const a = medianOf(ts, scenario, from, lib)
        const b = medianOf(ts, scenario, to, lib)
        growth.push({
          ts,
          scenario,
          lib,
          from: a.procedures,
          to: b.procedures,
          linear: b.procedures / a.procedures,
          check: ratioOrNull(b.checkS, a.checkS),
          memory: ratioOrNull(b.memoryKB, a.memoryKB),
          instantiations: ratioOrNull(b.instantiations, a.instantiations),
        })
      }
    }
  }
}

if (medians.length > 0) {
  printTable(
    ['compiler', 'scenario', 'procedures', 'library', 'check time', 'total time', 'memory', 'instantiations', 'peak RSS', 'check ÷ tRPC', 'memory ÷ tRPC', 'inst. ÷ tRPC'],
    medians.map((m) => [
      m.compiler,
      m.scenario,
      fmtInt(m.procedures),
      LABELS[m.lib],
      fmtS(m.checkS),
      fmtS(m.totalS),
      fmtMB(m.memoryKB),
      m.instantiations === null ? 'n/a' : fmtInt(m.instantiations),
      fmtMB(m.maxRssKB),
      fmtRatio(m.checkVsTrpc),
      fmtRatio(m.memoryVsTrpc),
      fmtRatio(m.instantiationsVsTrpc),
    ]),
    { left: [0, 1, 3], groups: medians.map((m) => `${m.ts}/${m.scenario}/${m.size}`) },
  )
  console.log(
    `\nscenario app: ${SCENARIOS.app}; client: ${SCENARIOS.client}. check time, total time, memory ("Memory used") and instantiations as` +
      `\ntsc --extendedDiagnostics reports them, medians over ${config.rounds} round(s); peak RSS from /usr/bin/time.` +
      (config.ts.includes('7') ? '\nTypeScript 7 runs 4 checkers by default, each working out the router type itself: its instantiations and memory add up over them.' : ''),
  )
  for (const p of projects.filter((p) => p.unavailable && config.scenarios.includes(p.scenario) && config.sizes.includes(p.size) && config.libs.includes(p.lib))) {
    console.log(`n/a: ${LABELS[p.lib]}, ${fmtInt(p.procedures)} procedures, ${p.scenario}: ${p.unavailable}`)
  }
  warnIfDisturbed(runs, { limit: 0.25, consequence: 'those times are inflated' })
}

if (growth.length > 0) {
  printTable(
    ['compiler', 'scenario', 'library', 'procedures', 'check time', 'memory', 'instantiations', 'linear'],
    growth.map((g) => [COMPILERS[g.ts].label, g.scenario, LABELS[g.lib], `${fmtInt(g.from)} → ${fmtInt(g.to)}`, fmtRatio(g.check), fmtRatio(g.memory), fmtRatio(g.instantiations), fmtRatio(g.linear)]),
    { left: [0, 1, 2], groups: growth.map((g) => `${g.ts}/${g.scenario}`) },
  )
  console.log('\ngrowth = value at the larger size ÷ value at the smaller; "linear" is the ratio of procedure counts. Fixed costs (lib.d.ts, zod, @types/node) make it sub-linear.')
}

// ---- editor completion -------------------------------------------------------------------------

const completion = []
if (completing) {
  const servers = [{ ts: '5.9', kind: 'tsserver', path: path.join(benchDir, 'node_modules/typescript/lib/tsserver.js'), label: `tsserver ${ts59.version}` }]
  if (config.ts.some((ts) => ts.startsWith('7'))) servers.push({ ts: '7', kind: 'lsp', path: ts7Exe, label: `TS ${ts7.version} --lsp` })
  console.log(`\ncompletion after \`client.r${config.completionRouter}.\` at the end of src/use/u${config.completionRouter}.ts, ${fmtInt(config.completionSize)}-procedure projects:`)
  for (const server of servers) {
    for (const scenario of config.completionScenarios) {
      for (const lib of config.completionLibs) {
        if (projectOf(scenario, lib, config.completionSize).unavailable) continue
        const window = cpuWindow()
        const begun = performance.now()
        const result = await measureCompletion({ server, projectDir: projectOf(scenario, lib, config.completionSize).dir, router: config.completionRouter, iterations: config.iterations, warmup: config.warmup })
        const seconds = (performance.now() - begun) / 1000
        // Everything the machine did beyond the server (and this process, which mostly waits).
        const otherCpu = result.serverCpuS === null ? null : window.end(seconds, result.serverCpuS / seconds).otherCpu
        completion.push({ server: server.label, kind: server.kind, scenario, lib, ...result, openToFirstMs: result.loadMs + result.firstMs, otherCpu })
        console.log(
          `  ${server.label.padEnd(18)} ${scenario.padEnd(6)} ${lib.padEnd(13)}  open ${fmtMs(result.loadMs).padStart(8)}  first ${fmtMs(result.firstMs).padStart(8)}  ` +
            `after an edit ${fmtMs(result.editedMs).padStart(8)} (median of ${result.edited.length})  repeated ${fmtMs(result.repeatMs).padStart(7)}  other CPU ${fmtShare(otherCpu)}`,
        )
      }
    }
  }
  const trpcOf = (row) => completion.find((c) => c.server === row.server && c.scenario === row.scenario && c.lib === 'trpc')
  printTable(
    ['server', 'scenario', 'library', 'open → first completion', 'first completion', 'after an edit (median)', 'repeated (median)', 'after edit ÷ tRPC'],
    completion.map((c) => [c.server, c.scenario, LABELS[c.lib], fmtMs(c.openToFirstMs), fmtMs(c.firstMs), fmtMs(c.editedMs), fmtMs(c.repeatMs), fmtRatio(trpcOf(c) ? c.editedMs / trpcOf(c).editedMs : null)]),
    { left: [0, 1, 2], groups: completion.map((c) => `${c.server}/${c.scenario}`) },
  )
  console.log(
    '\nfirst completion: the first request once the project is loaded (open → first adds the load). after an edit: each request follows an edit' +
      '\nof the file, as while typing, so the checker is new and works the client type out again; repeated: the same request again, answered' +
      `\nfrom the warm checker (median of ${config.iterations}). The target (≤ 100 ms) is compared with "after an edit", what one waits for while typing.`,
  )
}

// ---- targets and results -----------------------------------------------------------------------

const largest = config.sizes.at(-1)
const verdicts = []
if (config.libs.includes('mizan') && config.libs.includes('trpc')) {
  for (const ts of config.ts) {
    for (const scenario of config.scenarios) {
      const m = medianOf(ts, scenario, largest, 'mizan')
      if (m.checkS === null) continue
      verdicts.push(
        `${COMPILERS[ts].label}, ${scenario}, ${fmtInt(m.procedures)} procedures: check ${fmtRatio(m.checkVsTrpc)} tRPC, memory ${fmtRatio(m.memoryVsTrpc)} tRPC ` +
          `(target ≤ 0.50×): ${m.checkVsTrpc <= 0.5 && m.memoryVsTrpc <= 0.5 ? 'met' : 'MISSED'}`,
      )
    }
  }
}
for (const g of growth.filter((g) => g.lib === 'mizan' && g.check !== null)) {
  verdicts.push(
    `${COMPILERS[g.ts].label}, ${g.scenario}, growth ${fmtInt(g.from)} → ${fmtInt(g.to)}: check ${fmtRatio(g.check)}, instantiations ${fmtRatio(g.instantiations)} ` +
      `(linear ${fmtRatio(g.linear)}): ${g.check <= g.linear * 1.1 && g.instantiations <= g.linear * 1.1 ? 'linear or better' : 'SUPERLINEAR'}`,
  )
}
for (const c of completion.filter((c) => c.lib === 'mizan')) {
  verdicts.push(`${c.server}, ${c.scenario}: completion after an edit ${fmtMs(c.editedMs)} (target ≤ 100 ms): ${c.editedMs <= 100 ? 'met' : 'MISSED'}; repeated ${fmtMs(c.repeatMs)}`)
}
if (verdicts.length > 0) console.log(`\ntargets:\n${verdicts.map((v) => `  ${v}`).join('\n')}`)
console.log(`\ntypecheck: ${((performance.now() - started) / 1000).toFixed(0)} s`)

writeResults('typecheck', { command, machine }, {
  config,
  scenarios: SCENARIOS,
  versions: {
    typescript: ts59.version,
    typescript7: ts7.version,
    mizan: mizanVersion(),
    ...Object.fromEntries(['@trpc/server', '@trpc/client', '@orpc/server', '@orpc/client', 'zod', '@types/node'].map((name) => [name, versionOf(name)])),
  },
  staleBuild,
  projects: projects.map(({ dir, ...p }) => ({ ...p, dir: path.relative(rootDir, dir) })),
  runs,
  medians,
  growth,
  completion,
  verdicts,
  summary: summaryRows(),
}, { quick: config.quick, disturbance: judgeDisturbance([...runs, ...completion], { limit: 0.25 }) })

/** Runs one compiler on one project and reads its --extendedDiagnostics, with wall time, CPU and peak RSS. */
function check(compiler, dir) {
  const args = [...compiler.args, '--noEmit', '--extendedDiagnostics', '-p', dir]
  const window = cpuWindow()
  const begun = performance.now()
  const result = timeBin
    ? spawnSync(timeBin, ['-f', 'TIME %e %U %S %M', compiler.file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(compiler.file, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
  const elapsed = (performance.now() - begun) / 1000
  const out = result.stdout ?? ''
  if (result.status !== 0) fail(`${compiler.label} failed on ${path.relative(process.cwd(), dir)} (exit ${result.status})`, result)
  const read = (label, unit = '') => {
    const match = new RegExp(`^${label}:\\s+([\\d.]+)${unit}\\s*$`, 'm').exec(out)
    if (!match) fail(`${compiler.label}: no "${label}" in the diagnostics of ${dir}`, result)
    return Number(match[1])
  }
  const timing = timeBin ? /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr ?? '') : null
  const wallS = timing ? Number(timing[1]) : elapsed
  const cpuS = timing ? Number(timing[2]) + Number(timing[3]) : null
  const { otherCpu } = window.end(wallS, cpuS === null ? 1 : cpuS / wallS)
  return {
    checkS: read('Check time', 's'),
    totalS: read('Total time', 's'),
    memoryKB: read('Memory used', 'K'),
    instantiations: read('Instantiations'),
    types: read('Types'),
    wallS,
    cpuS,
    maxRssKB: timing ? Number(timing[4]) : null,
    otherCpu: cpuS === null ? null : otherCpu,
  }
}

/**
 * The router's declarations, emitted by TypeScript 5.9 from the whole app's project. A type too long
 * to write out (TS7056: the router would need a hand-written annotation) is a result, returned as
 * the reason; any other error stops the run.
 */
function emitDeclarations(sourceDir, outDir) {
  const result = spawnSync(ts59.file, [...ts59.args, '-p', sourceDir, '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--outDir', outDir], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  if (result.status === 0) return undefined
  const errors = (result.stdout ?? '').split('\n').filter((line) => line.includes('error TS'))
  if (errors.length > 0 && errors.every((line) => line.includes('error TS7056'))) {
    return `declaration emit fails: TS7056, "${errors[0].replace(/^.*error TS7056: /, '').trim()}" (${errors.length} error${errors.length === 1 ? '' : 's'})`
  }
  fail(`emitting the declarations of ${path.relative(process.cwd(), sourceDir)} failed (exit ${result.status})`, result)
}

function ratioOrNull(a, b) {
  return a === null || b === null || !b ? null : a / b
}

function fail(message, result) {
  const errors = (result.stdout ?? '').split('\n').filter((line) => line.includes('error'))
  console.error(`\n${message}:\n${errors.slice(0, 10).join('\n')}\n${(result.stderr ?? '').slice(-2000)}`)
  process.exit(1)
}

/**
 * The rows bench/all.mjs puts in RESULTS.md and the README, a few of the many measured: at the
 * largest size, the whole app with TS 5.9 and TS 7 (default settings) and the client side with
 * TS 5.9; growth of the whole app; completion after an edit (and repeated) with tsserver.
 */
function summaryRows() {
  const rows = []
  const has = (lib) => config.libs.includes(lib)
  if (!has('mizan')) return rows
  const ratio = (value) => (value === null || value === undefined || Number.isNaN(value) ? undefined : `${fmtRatio(value)} tRPC`)
  const picks = [
    ['5.9', 'app', ['checkS', 'memoryKB']],
    ['7', 'app', ['checkS', 'memoryKB']],
    ['5.9', 'client', ['checkS']],
  ]
  for (const [ts, scenario, keys] of picks) {
    if (!config.ts.includes(ts) || !config.scenarios.includes(scenario)) continue
    const m = medianOf(ts, scenario, largest, 'mizan')
    const where = `type-check ${fmtInt(m.procedures)} procedures, ${scenario === 'app' ? 'whole app' : 'client vs router .d.ts'}, ${COMPILERS[ts].label}`
    for (const key of keys) {
      const format = key === 'checkS' ? fmtS : fmtMB
      const cell = (lib) => {
        const row = has(lib) ? medianOf(ts, scenario, largest, lib) : undefined
        return row === undefined ? undefined : row.unavailable ? 'n/a (no .d.ts, TS7056)' : format(row[key])
      }
      rows.push({
        measure: `${where}: ${key === 'checkS' ? 'check time' : 'memory'}`,
        mizan: format(m[key]),
        trpc: cell('trpc'),
        orpc: cell('orpc'),
        baseline: has('plain') ? `${cell('plain')} (zod only, no library)` : undefined,
        ratio: ratio(key === 'checkS' ? m.checkVsTrpc : m.memoryVsTrpc),
        target: '≤ 0.5× tRPC',
      })
    }
  }
  // The part of the check a library adds: the same app with no RPC library (zod and plain functions)
  // costs the rest, which no library can remove. Instantiations are exact; times move between runs
  // by more than a small difference, so the ratio is of instantiations.
  for (const ts of ['5.9', '7']) {
    if (!has('plain') || !has('trpc') || !config.ts.includes(ts) || !config.scenarios.includes('app')) continue
    const row = (lib) => (has(lib) ? medianOf(ts, 'app', largest, lib) : undefined)
    const base = row('plain')
    if (base === undefined || base.instantiations === null) continue
    const added = (lib) => (row(lib) === undefined || row(lib).unavailable ? undefined : row(lib).instantiations - base.instantiations)
    const cell = (lib) => (added(lib) === undefined ? undefined : `${fmtInt(added(lib))} (${fmtS(row(lib).checkS - base.checkS)})`)
    rows.push({
      measure: `type-check ${fmtInt(base.procedures)} procedures, whole app, ${COMPILERS[ts].label}: instantiations (check time) the library adds over zod only`,
      mizan: cell('mizan'),
      trpc: cell('trpc'),
      orpc: cell('orpc'),
      baseline: `${fmtInt(base.instantiations)} (${fmtS(base.checkS)}) (zod only, no library)`,
      ratio: ratio(added('mizan') / added('trpc')),
    })
  }
  for (const ts of ['5.9', '7']) {
    const of = (lib) => growth.find((g) => g.ts === ts && g.scenario === 'app' && g.lib === lib)
    const g = of('mizan')
    if (!g || !config.ts.includes(ts)) continue
    rows.push({
      measure: `type-check growth ${fmtInt(g.from)} → ${fmtInt(g.to)} procedures, whole app, ${COMPILERS[ts].label}: check time (instantiations)`,
      mizan: `${fmtRatio(g.check)} (${fmtRatio(g.instantiations)})`,
      trpc: of('trpc') ? `${fmtRatio(of('trpc').check)} (${fmtRatio(of('trpc').instantiations)})` : undefined,
      orpc: of('orpc') ? `${fmtRatio(of('orpc').check)} (${fmtRatio(of('orpc').instantiations)})` : undefined,
      baseline: of('plain') ? `${fmtRatio(of('plain').check)} (zod only)` : undefined,
      target: `≤ ${fmtRatio(g.linear)} (linear)`,
    })
  }
  const server = completion.find((c) => c.kind === 'tsserver')?.server
  for (const scenario of config.completionScenarios) {
    const of = (lib) => completion.find((c) => c.server === server && c.scenario === scenario && c.lib === lib)
    if (!of('mizan')) continue
    const where = `completion after \`client.r${config.completionRouter}.\`, ${fmtInt(config.completionSize)} procedures, ${scenario === 'app' ? 'whole app' : 'client vs router .d.ts'}, ${server}`
    for (const [key, what] of scenario === 'app' ? [['editedMs', 'after an edit'], ['repeatMs', 'repeated']] : [['editedMs', 'after an edit']]) {
      rows.push({
        measure: `${where}, ${what}`,
        mizan: fmtMs(of('mizan')[key]),
        trpc: of('trpc') ? fmtMs(of('trpc')[key]) : undefined,
        orpc: of('orpc') ? fmtMs(of('orpc')[key]) : undefined,
        baseline: of('plain') ? `${fmtMs(of('plain')[key])} (zod only)` : undefined,
        ratio: of('trpc') ? ratio(of('mizan')[key] / of('trpc')[key]) : undefined,
        target: '≤ 100 ms',
      })
    }
  }
  return rows
}

/** Source files of these packages newer than their build: the run would measure old types. */
function staleDist(packages) {
  const stale = []
  for (const pkg of packages) {
    // tsc -b leaves unchanged outputs alone, so the build's time is its tsbuildinfo's (or the newest output's).
    const built = Math.max(
      ...[`packages/${pkg}/tsconfig.tsbuildinfo`, `packages/${pkg}/dist/index.d.ts`].map((file) => (existsSync(path.join(rootDir, file)) ? statSync(path.join(rootDir, file)).mtimeMs : 0)),
    )
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name)
        if (entry.isDirectory()) walk(file)
        else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && statSync(file).mtimeMs > built) stale.push(path.relative(rootDir, file))
      }
    }
    if (existsSync(path.join(rootDir, `packages/${pkg}/src`))) walk(path.join(rootDir, `packages/${pkg}/src`))
  }
  return stale
}

function usageError(message) {
  console.error(message)
  process.exit(2)
}

function fmtS(seconds) {
  return seconds === null || seconds === undefined ? 'n/a' : `${seconds.toFixed(2)} s`
}

function fmtMB(kb) {
  return kb === null || kb === undefined ? 'n/a' : `${Math.round(kb / 1024)} MB`
}

function fmtMs(ms) {
  return ms === null || ms === undefined ? 'n/a' : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms).toLocaleString('en-US')} ms`
}

function fmtRatio(ratio) {
  return ratio === null || ratio === undefined || Number.isNaN(ratio) ? '—' : `${ratio.toFixed(2)}×`
}

function fmtShare(share) {
  return share === null || share === undefined ? 'n/a' : `${Math.round(share * 100)} %`
}

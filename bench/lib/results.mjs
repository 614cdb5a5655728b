// Every benchmark writes its full record to bench/results/<name>.json: bench/all.mjs builds the
// summary table (bench/RESULTS.md, the README) from their `summary` fields, and the rest lets a
// reader check a figure later. Past the common head, the data's shape is each benchmark's own.
//
// Only a run fit to publish goes there: a full run (not --quick) that other processes did not
// disturb. Any other run is written to bench/results/<name>.unpublished.json (not committed), with
// the reason, so its numbers can still be read but never replace published ones.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { benchDir } from './repo.mjs'

/**
 * Why a run must not be published, or null when it may: a quick run is a smoke run, and a run
 * other processes disturbed (see cpu.mjs `judgeDisturbance`) measured them as much as the code.
 */
export function unpublishable({ quick, partial, disturbance }) {
  if (quick) return 'a --quick run is a smoke run, indicative only'
  if (partial) return 'a partial run (--only) measures some rows only'
  if (disturbance !== undefined && disturbance.disturbed > 0) {
    return `other processes used over ${Math.round(disturbance.limit * 100)} % of a core in ${disturbance.disturbed} of ${disturbance.of} measurements`
  }
  return null
}

/** The file a benchmark's run went to: its published record, or the unpublished one. */
export function resultsFile(name, published) {
  return path.join(benchDir, 'results', published ? `${name}.json` : `${name}.unpublished.json`)
}

/**
 * Writes `{ date, command, machine, quick, disturbance, ...data }`: every record says first when,
 * how and on what it was measured (see machine.mjs), since figures from different runs are only
 * comparable with that, and whether the harness judged it fit to publish. Returns true when it was.
 */
export function writeResults(name, { command, machine }, data, verdict) {
  mkdirSync(path.join(benchDir, 'results'), { recursive: true })
  const reason = unpublishable(verdict)
  const file = resultsFile(name, reason === null)
  const record = { date: new Date().toISOString(), command, machine, quick: verdict.quick, disturbance: verdict.disturbance ?? null, unpublished: reason, ...data }
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n')
  console.log(`results: ${path.relative(process.cwd(), file)}`)
  if (reason !== null) console.log(`not published: ${reason}. bench/results/${name}.json keeps the last published run.`)
  return reason === null
}

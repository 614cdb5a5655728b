// Every benchmark writes its full record to bench/results/<name>.json: bench/all.mjs builds the
// summary table (bench/RESULTS.md, the README) from their `summary` fields, and the rest lets a
// reader check a figure later. Past the common head, the data's shape is each benchmark's own.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { benchDir } from './repo.mjs'

/**
 * Writes `{ date, command, machine, ...data }`: every record says first when, how and on what it
 * was measured (see machine.mjs), since figures from different runs are only comparable with that.
 */
export function writeResults(name, { command, machine }, data) {
  const dir = path.join(benchDir, 'results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  const record = { date: new Date().toISOString(), command, machine, ...data }
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n')
  console.log(`results: ${path.relative(process.cwd(), file)}`)
}

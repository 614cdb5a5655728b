// What a run was measured on and how it was started: printed first and kept in the results, since
// numbers from different machines, Node versions or flags cannot be compared.
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** `memory: false` leaves memoryGiB out, for the results that never recorded it (their shape stays). */
export function describeMachine({ memory = true } = {}) {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    ...(memory ? { memoryGiB: Math.round(os.totalmem() / 2 ** 30) } : {}),
    // Recorded for the reader; the "other" CPU of each measurement is the precise check for interference.
    loadAverage: Number(os.loadavg()[0].toFixed(2)),
  }
}

/** The command that reproduces this run, `node <script> <flags>`, for a script's `import.meta.url`. */
export function commandLine(scriptUrl) {
  const script = fileURLToPath(scriptUrl)
  return ['node', path.relative(process.cwd(), script) || path.basename(script), ...process.argv.slice(2)].join(' ')
}

/** The first two lines of every benchmark's output. */
export function printMachine(machine, command) {
  console.log(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage}`)
  console.log(`command: ${command}`)
}

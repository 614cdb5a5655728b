// One HTTP load measurement: autocannon (bench/load.mjs) on CPU 1 against a server already running
// on CPU 0, with the share of CPU 0 the server used over exactly the measured window.
import path from 'node:path'
import { canPin } from './children.mjs'
import { cpuWindow } from './cpu.mjs'
import { startLoad } from './load-process.mjs'
import { commandLine, describeMachine, printMachine } from './machine.mjs'
import { readOptions } from './options.mjs'
import { benchDir, versionOf } from './repo.mjs'

/**
 * Loads `url` (every response must be `expectBody`) and resolves with autocannon's numbers plus
 * `serverCpu` (below 1: the server had time to spare, the load generator was the limit) and
 * `otherCpu` (what neither used: other processes skewing the run).
 * @param {{ url: string, expectBody: string, connections: number, pipelining: number, warmup: number, duration: number }} job
 * @param {number} serverPid
 */
export async function loadHttp(job, serverPid) {
  const load = startLoad(path.join(benchDir, 'load.mjs'), job, { name: 'load generator' })
  await load.next('start')
  const cpu = cpuWindow(serverPid)
  const { event, ...numbers } = await load.next('result')
  const { serverCpu, otherCpu } = cpu.end(numbers.seconds, numbers.loadCpu)
  await load.exited
  return { ...numbers, serverCpu, otherCpu }
}

/** Requests that failed under load: a non-2xx response is also a wrong body, so the larger counts; socket errors (timeouts among them) got no response. */
export function loadFailures(result) {
  return Math.max(result.non2xx, result.mismatches) + result.errors
}

/** The "load:" line a benchmark prints before it runs: how it will load the servers. */
export function describeLoad({ connections, pipelining = 1, warmup, duration, rounds }) {
  return (
    `load:    autocannon ${versionOf('autocannon')}, ${connections} connections, pipelining ${pipelining}, ` +
    `${warmup} s warm-up + ${duration} s measured, ${rounds} round(s) interleaved, ` +
    (canPin ? 'server on CPU 0, load on CPU 1' : 'NOT PINNED (taskset or a second core missing)')
  )
}

/**
 * The head of an HTTP benchmark's output: the machine, the command (of `scriptUrl`), the load, and
 * one line per target (`[name, request]`). Returns `{ machine, command }` for the results record.
 */
export function printHttpBenchHead(scriptUrl, config, targets) {
  const machine = describeMachine()
  const command = commandLine(scriptUrl)
  printMachine(machine, command)
  console.log(describeLoad(config))
  const width = Math.max(...targets.map(([name]) => name.length)) + 1
  for (const [name, request] of targets) console.log(`         ${name.padEnd(width)} ${request}`)
  console.log()
  return { machine, command }
}

/**
 * The command line of an HTTP load benchmark: `--duration`, `--rounds`, `--warmup`, `--connections`
 * and `--quick` (3 s, 1 round), plus the benchmark's own `options`. Returns the checked numbers,
 * `quick`, and `values` for its own flags.
 */
export function readLoadConfig({ options = {}, usage }) {
  const { integer, values } = readOptions({
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '100' },
      ...options,
    },
    quick: { duration: ['3', '10'], rounds: ['1', '3'] },
    usage,
  })
  const config = {
    duration: integer('duration', 1),
    rounds: integer('rounds', 1),
    warmup: integer('warmup', 0),
    connections: integer('connections', 1),
    quick: values.quick === true,
  }
  return { config, integer, values }
}

// CPU time from /proc, to say whose limit a number is: a server near 100 % of its core was the
// limit; one well below was waiting for the load generator; and CPU used by neither ("other") means
// some other process skewed the measurement. Off Linux every reading is NaN, shown as n/a.
import { readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

let ticksPerSecond
/** /proc counts in clock ticks, usually 100 a second; asked once, on the first reading. */
function clockTicks() {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100
  return ticksPerSecond
}

/** CPU seconds all cores have spent busy so far (every state but idle and iowait), from /proc/stat. */
export function machineBusySeconds() {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = machineTicks()
    return (user + nice + system + irq + softirq + steal) / clockTicks()
  } catch {
    return Number.NaN
  }
}

/**
 * CPU seconds all cores have spent in software interrupts so far, from /proc/stat: among them the
 * receive side of loopback TCP, which the kernel charges to no process.
 */
export function machineSoftirqSeconds() {
  try {
    return machineTicks()[6] / clockTicks()
  } catch {
    return Number.NaN
  }
}

/** The first line of /proc/stat: ticks all cores spent in each state (user, nice, system, idle, …). */
function machineTicks() {
  return readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks()
  } catch {
    return Number.NaN
  }
}

/**
 * CPU seconds every thread of a process has run so far, to the nanosecond (the first field of each
 * thread's /proc schedstat): for short measurements, where clock ticks are too coarse. NaN where
 * there is none.
 */
export function processThreadsCpuSeconds(pid) {
  try {
    let nanoseconds = 0
    for (const task of readdirSync(`/proc/${pid}/task`)) nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ', 1)[0])
    return nanoseconds / 1e9
  } catch {
    return Number.NaN
  }
}

/**
 * Starts reading the machine's CPU, and that of process `pid` (the server) if given, for one
 * measurement. `end(seconds, ownCpu)` gives each as a share of one core over `seconds`:
 * `serverCpu`, the process's, and `otherCpu`, what the machine used beyond the process and
 * `ownCpu` (the share the caller knows the load side used). null where /proc is missing.
 * With `softirq: false`, software interrupts are kept out of `otherCpu` and given apart as
 * `softirqCpu`: for a measurement that moves so much data over loopback that the kernel's receive
 * work (charged to no process) would otherwise read as a disturbance.
 */
export function cpuWindow(pid, { softirq = true } = {}) {
  const processAtStart = pid === undefined ? 0 : processCpuSeconds(pid)
  const busyAtStart = machineBusySeconds()
  const softirqAtStart = machineSoftirqSeconds()
  return {
    end(seconds, ownCpu) {
      const server = pid === undefined ? 0 : (processCpuSeconds(pid) - processAtStart) / seconds
      const busy = (machineBusySeconds() - busyAtStart) / seconds
      if (softirq) return { serverCpu: nullIfNaN(server), otherCpu: nullIfNaN(Math.max(0, busy - server - ownCpu)) }
      const interrupts = (machineSoftirqSeconds() - softirqAtStart) / seconds
      const other = Math.max(0, busy - interrupts - server - ownCpu)
      return { serverCpu: nullIfNaN(server), otherCpu: nullIfNaN(other), softirqCpu: nullIfNaN(interrupts) }
    },
  }
}

function nullIfNaN(value) {
  return Number.isNaN(value) ? null : value
}

/**
 * How many measured runs (each with its `otherCpu` share, or null off Linux) other processes used
 * more than `limit` of a core in: `{ limit, disturbed, of }`, kept in the results. A run judged
 * disturbed is not published (see results.mjs).
 */
export function judgeDisturbance(runs, { limit = 0.1 } = {}) {
  return { limit, disturbed: runs.filter((run) => run.otherCpu !== null && run.otherCpu > limit).length, of: runs.length }
}

/**
 * Warns when other processes used more than `limit` of a core during some measured runs: the
 * numbers of those runs are skewed. `what` names the runs and may add what that means for them.
 * Returns the verdict of {@link judgeDisturbance}.
 */
export function warnIfDisturbed(runs, { limit = 0.1, what = 'runs', consequence = 'those numbers are skewed' } = {}) {
  const verdict = judgeDisturbance(runs, { limit })
  if (verdict.disturbed > 0) {
    console.log(`warning: other processes used over ${Math.round(limit * 100)} % of a core in ${verdict.disturbed} of ${verdict.of} ${what}: ${consequence}.`)
  }
  return verdict
}

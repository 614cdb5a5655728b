// The load generator: a script in its own process pinned to CPU 1, given its job as one JSON
// argument, that reports in JSON lines ({ event: 'start' } when the measured window opens, then
// its numbers), so the benchmark can read the server's CPU over exactly that window.
import path from 'node:path'
import { createInterface } from 'node:readline'
import { spawnPinned } from './children.mjs'

/**
 * Runs `node <file> <job as JSON>` on CPU 1. `next(event)` resolves with the next line of that
 * event (rejects if the process exits first); `send(message)` writes a JSON line to its stdin
 * (with `stdin: true`); `exited` resolves when it exits with 0 (or is killed), else rejects.
 * `name` is for error messages; `cwd` is the child's working directory.
 * @param {string} file
 * @param {unknown} job
 * @param {{ stdin?: boolean, cwd?: string, name?: string }} [options]
 */
export function startLoad(file, job, { stdin = false, cwd, name = path.basename(file) } = {}) {
  const child = spawnPinned(1, [file, JSON.stringify(job)], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'], cwd })
  const queue = []
  const waiting = []
  let failure
  const settle = () => {
    while (waiting.length > 0) {
      const { event, resolve, reject } = waiting[0]
      const index = queue.findIndex((message) => message.event === event)
      if (index !== -1) {
        waiting.shift()
        resolve(queue.splice(index, 1)[0])
      } else if (failure !== undefined) {
        waiting.shift()
        reject(failure)
      } else return
    }
  }
  createInterface({ input: child.stdout }).on('line', (line) => {
    queue.push(JSON.parse(line))
    settle()
  })
  const exited = new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      failure = new Error(`${name} exited with code ${code}`)
      // Lines still unread by readline: let them arrive before the waiting ones fail.
      setImmediate(settle)
      if (code === 0 || code === null) resolve()
      else reject(failure)
    })
  })
  exited.catch(() => {})
  return {
    next: (event) =>
      new Promise((resolve, reject) => {
        waiting.push({ event, resolve, reject })
        settle()
      }),
    send: (message) => child.stdin?.writable && child.stdin.write(JSON.stringify(message) + '\n'),
    exited,
  }
}

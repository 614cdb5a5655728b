// Child processes pinned to one core: the server under test on CPU 0, the load generator on CPU 1
// (`taskset -c`), so the two never compete for a core; unpinned, the numbers mean little.
// Every live child is tracked, so that an interrupted run leaves no server behind.
import { spawn, spawnSync } from 'node:child_process'
import os from 'node:os'

/** Whether pinning is possible here: it needs taskset and a second core. */
export const canPin = os.availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0

const children = new Set()
let cleanupInstalled = false

/** Runs `node <args>` on core `cpu` (unpinned where that is impossible); the child dies with this process. */
export function spawnPinned(cpu, args, options) {
  const [file, fileArgs] = canPin ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]
  const child = spawn(file, fileArgs, options)
  if (!cleanupInstalled) {
    cleanupInstalled = true
    process.on('exit', () => children.forEach((each) => each.kill()))
    // Ctrl-C goes through 'exit', and so through the cleanup above.
    process.on('SIGINT', () => process.exit(130))
  }
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Stops a child and resolves once it is gone: the next measurement starts on an idle core. */
export function stop(child) {
  children.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill()
  })
}

/** Resolves with the first IPC message from `child` that `match` accepts; rejects if it exits first. */
export function nextMessage(child, match) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (!match(message)) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message)
    }
    const onExit = (code) => reject(new Error(`server exited (code ${code})`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

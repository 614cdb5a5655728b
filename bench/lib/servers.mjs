// The server under test: a fresh process per measurement (rounds stay independent), pinned to
// CPU 0, listening on a port of its own choosing (port 0), which it prints as its first line.
import { spawnPinned } from './children.mjs'

/**
 * Spawns `node [nodeArgs] <file>` on CPU 0 and resolves with `{ child, port }` once it prints its
 * port. `ipc: true` opens an IPC channel (`child.send`, 'message' events), for servers driven
 * from the benchmark (the WebSocket publisher). `env` adds to the environment (the upload
 * benchmark gives each server its own TMPDIR). `name` is for error messages.
 */
export function startServer(name, file, { nodeArgs = [], ipc = false, env = {} } = {}) {
  const child = spawnPinned(0, [...nodeArgs, file], {
    stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? ['ipc'] : [])],
    // NODE_ENV=production for all: tRPC and Mizan both read it (error details, dev checks).
    env: { ...process.env, NODE_ENV: 'production', ...env },
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${name}: no port printed within 10 s`)), 10_000)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const port = Number.parseInt(out, 10)
      if (out.includes('\n') && port > 0) {
        clearTimeout(timer)
        resolve({ child, port })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name}: server exited (code ${code}) before listening`))
    })
  })
}

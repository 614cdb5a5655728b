// Shared by the idle-memory servers: idle-memory.mjs (the parent) asks over IPC for a reading,
// `{ cmd: 'measure' }`, and gets `{ event: 'memory', rss, heapUsed, external, arrayBuffers, connections }`
// after a full garbage collection (the process runs with --expose-gc), so what is counted is what
// the process holds, not garbage it has not collected yet.
import { setImmediate as turn } from 'node:timers/promises'

/** Answers `measure` commands with the process's memory; `connections()` (maybe a promise) is how many sockets it holds open. */
export function serveMemoryReadings(connections) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc')
  process.on('message', async (command) => {
    if (command?.cmd !== 'measure') return
    // Several collections, a turn apart: finalizers and weak callbacks of one free more for the next.
    for (let i = 0; i < 4; i++) {
      globalThis.gc()
      await turn()
    }
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage()
    process.send({ event: 'memory', rss, heapUsed, external, arrayBuffers, connections: await connections() })
  })
  // Ends with its parent (the IPC channel keeps the process alive otherwise).
  process.on('disconnect', () => process.exit(0))
}

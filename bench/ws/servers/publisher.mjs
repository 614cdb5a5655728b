// The publisher, shared by the fan-out servers: ws.mjs (the parent process) orders a phase over
// the IPC channel, and the server publishes from inside its own process, so the publishing cost
// (validation, serialization, one send per subscriber) is the server's, measured on its core.
//
//   { cmd: 'publish', phase, count, intervalMs, kind }
//     intervalMs 0: a burst, each publish in its own turn of the event loop (setImmediate), as
//     fast as the server can issue them; otherwise one publish every intervalMs (paced).
//     kind 'channel' (default): a channel message; 'invalidate': an invalidation push.
//   → { event: 'published', phase, count, seconds }
//
// Each message is { p: phase, seq, t }, t = performance.timeOrigin + performance.now() taken just
// before the publish call: latency counts validation, serialization and delivery.
import { setTimeout as sleep } from 'node:timers/promises'

export function servePublishes(publish) {
  process.on('message', async (command) => {
    if (command?.cmd !== 'publish') return
    const { phase, count, intervalMs, kind = 'channel' } = command
    const started = performance.now()
    for (let seq = 0; seq < count; seq++) {
      if (intervalMs > 0) {
        // Paced against the start, so a slow publish does not push the later ones back.
        const due = started + seq * intervalMs - performance.now()
        if (due > 0) await sleep(due)
      } else if (seq > 0) {
        await new Promise((resolve) => setImmediate(resolve))
      }
      await publish({ p: phase, seq, t: performance.timeOrigin + performance.now() }, kind)
    }
    process.send({ event: 'published', phase, count, seconds: (performance.now() - started) / 1000 })
  })
  // Ends with its parent (the IPC channel keeps the process alive otherwise).
  process.on('disconnect', () => process.exit(0))
}

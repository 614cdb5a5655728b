import type { Redis } from 'ioredis'

/** Resolves when the connection has ended, or after `ms` at the latest. */
export function endedWithin(connection: Redis, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    connection.once('end', done)
    function done() {
      clearTimeout(timer)
      connection.off('end', done)
      resolve()
    }
  })
}

/**
 * Records the promise rejections nobody handled while a test runs. `settle()` lets the event loop
 * turn once, so that a rejection left unhandled by the code under test has been reported.
 */
export function watchUnhandled() {
  const seen: unknown[] = []
  const listener = (reason: unknown) => void seen.push(reason)
  process.on('unhandledRejection', listener)
  return {
    seen,
    async stop(): Promise<unknown[]> {
      // Node reports unhandled rejections after the microtask queue drains; one macrotask turn
      // (an event, not a timed wait) is enough for every rejection made so far to be reported.
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
      process.off('unhandledRejection', listener)
      return seen
    },
  }
}

/**
 * Settles as `promise` does, or with `late` once `ms` have passed: a wait on a broker that must not
 * hold a connection forever. The timer is cleared when the promise wins, and never keeps the
 * process alive.
 */
export function settleWithin<T>(promise: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(late), ms)).unref())
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

import { Redis } from 'ioredis'

/** The Redis the tests use: this machine's, unless REDIS_URL says otherwise. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * True when Redis answers. Without it the Redis suites skip with a loud warning; with `CI=true`
 * a missing Redis fails the run instead, so CI never passes by skipping.
 */
export async function redisAvailable(what: string): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
    return true
  } catch {
    if (process.env.CI === 'true') throw new Error(`Redis is required in CI but did not answer at ${REDIS_URL}`)
    console.warn(`\n!!! Redis did not answer at ${REDIS_URL}: the ${what} tests are SKIPPED. Start Redis or set REDIS_URL.\n`)
    return false
  } finally {
    probe.disconnect()
  }
}

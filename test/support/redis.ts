import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll } from 'vitest'

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

/** A Redis suite's run: its key prefix, an admin connection, and what each test leaves to clean up. */
export interface RedisTestRun {
  /** Unique to this run, so parallel runs on one Redis never hear each other. */
  readonly run: string
  /** `${run}:`; every key this run writes starts with it and is deleted after the suite. */
  readonly prefix: string
  /** A connection for inspecting Redis (CLIENT LIST, PUBSUB NUMSUB...), open during the suite. */
  readonly admin: Redis
  /** Run, newest first, after each test. */
  readonly cleanups: (() => Promise<void> | void)[]
  /** A connection name of this run no other connection has had (a closed one may linger in CLIENT LIST). */
  connectionName(name: string): string
}

/** Sets up a Redis suite's run inside a `describe`: its hooks, prefix and admin connection. */
export function redisTestRun(): RedisTestRun {
  const run = `mizan-test-${process.pid}-${Date.now()}-${randomBytes(3).toString('hex')}`
  let admin: Redis | undefined
  let names = 0
  const cleanups: (() => Promise<void> | void)[] = []
  beforeAll(() => {
    admin = new Redis(REDIS_URL)
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  afterAll(async () => {
    const keys = await admin!.keys(`${run}:*`)
    if (keys.length > 0) await admin!.del(...keys)
    admin!.disconnect()
  })
  return {
    run,
    prefix: `${run}:`,
    get admin() {
      return admin!
    },
    cleanups,
    connectionName: (name) => `${run}-${name}-${++names}`,
  }
}

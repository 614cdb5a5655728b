import type { MaybePromise } from '../maybe-promise.js'

/** What a store answers for one call. */
export interface RateLimitDecision {
  /** True when the call is within the limit (and was counted). */
  allowed: boolean
  /** Calls still allowed now, after this one. */
  remaining: number
  /** When refused: milliseconds until a call of this key would be allowed again; else 0. */
  retryAfterMs: number
}

/**
 * Where rate-limit counters live: `memoryRateLimit()` (one process) or `redisRateLimit()` (shared
 * by every instance). A store counts a call only when it allows it, so a refused caller that keeps
 * trying is let in again once the window has moved on.
 */
export interface RateLimitStore {
  /** `memory`, `redis` or your own; for logs. */
  readonly kind: string
  /**
   * What to do when `hit` fails (the store is unreachable or too slow): `false` (fail open, the
   * default) lets the call run; `true` (fail closed) refuses it with `SERVICE_UNAVAILABLE` (503).
   * Either way the failure goes to the server's `onError`.
   */
  readonly failClosed?: boolean
  /**
   * Counts one call of `key` against a limit of `max` calls per `windowMs`, atomically: two
   * concurrent hits never both take the last place. Rejects (or throws) when it cannot answer.
   */
  hit(key: string, max: number, windowMs: number): MaybePromise<RateLimitDecision>
  /** Releases what the store holds (listeners, timers); the server calls it on `close()`. */
  close?(): void | Promise<void>
}

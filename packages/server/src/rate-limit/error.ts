import { MizanError } from '../errors.js'

/** `data` of a call refused by a rate limit. */
export interface RateLimitErrorData {
  /** Whole seconds, at least 1, before a call of the same key would be allowed again. */
  retryAfter: number
}

/** The error of a call over its limit: 429, and when to come back, in whole seconds (at least 1). */
export function tooManyRequests(retryAfterMs: number): MizanError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000))
  const data: RateLimitErrorData = { retryAfter }
  return new MizanError('TOO_MANY_REQUESTS', `Rate limit reached: try again in ${retryAfter} s`, { data: { ...data } })
}

/** The error of a call whose limit could not be checked, when the store fails closed. */
export function limiterUnavailable(cause: unknown): MizanError {
  return new MizanError('SERVICE_UNAVAILABLE', 'Rate limits cannot be checked right now', { cause, data: { retryAfter: 1 } })
}

/**
 * The `Retry-After` seconds of an error a single HTTP reply carries: any 429 or 503 `MizanError`
 * whose `data.retryAfter` is a whole number of seconds, whoever threw it.
 */
export function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof MizanError) || (error.status !== 429 && error.status !== 503)) return undefined
  const seconds = error.data?.retryAfter
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined
}

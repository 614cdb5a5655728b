import { parseWindow, type RateLimitWindow } from './window.js'

/**
 * Whose calls a limit counts together:
 * - `'principal'` (the default): the signed-in caller (the server's `principal`, `ctx.user.id` by
 *   default); a caller with no principal is counted by address.
 * - `'ip'`: the client address (IPv6 addresses by their /64 network).
 * - a function: the key it returns for the call, from the context and the parsed input.
 */
export type RateLimitBy<Ctx, Input> = 'principal' | 'ip' | ((ctx: Ctx, input: Input) => string)

/**
 * A declared rate limit: at most `max` calls per `window`, per `by`. Over it, a call fails with
 * `TOO_MANY_REQUESTS` (429) and `data.retryAfter` (whole seconds).
 */
export interface RateLimitRule<Ctx = unknown, Input = unknown> {
  /** Calls allowed in any one window; a whole number, at least 1. */
  max: number
  /** The window: milliseconds, or `'10s'`, `'1m'`, `'1h'`, `'1d'`. */
  window: RateLimitWindow
  /** Whose calls count together; `'principal'` by default. */
  by?: RateLimitBy<Ctx, Input>
}

/** A rule checked once, when it is declared: the window in milliseconds and `by` known good. */
export interface ParsedRule {
  readonly max: number
  readonly windowMs: number
  readonly by: RateLimitBy<unknown, unknown>
}

/** How the manifest describes a limit: a custom `by` function is listed as `'custom'`. */
export interface RateLimitDescription {
  max: number
  /** The window in milliseconds. */
  window: number
  by: 'principal' | 'ip' | 'custom'
}

// Keeps max × window exact in doubles (the Redis script computes with Lua numbers) with room to spare.
const MAX_PRODUCT = 2 ** 50

/** Validates a declared rule, throwing a `TypeError` that names `where` for a mistake. */
export function parseRule(rule: unknown, where: string): ParsedRule {
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`Mizan: ${where}: rateLimit must be { max, window, by? } or false`)
  const { max, window, by = 'principal' } = rule as { max?: unknown; window?: unknown; by?: unknown }
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) throw new TypeError(`Mizan: ${where}: rateLimit.max must be a whole number, at least 1`)
  let windowMs: number
  try {
    windowMs = parseWindow(window)
  } catch (error) {
    throw new TypeError(`${(error as Error).message} (${where})`)
  }
  if (max * windowMs > MAX_PRODUCT) throw new TypeError(`Mizan: ${where}: rateLimit max × window is too large; use a shorter window`)
  if (by !== 'principal' && by !== 'ip' && typeof by !== 'function') {
    throw new TypeError(`Mizan: ${where}: rateLimit.by must be 'principal', 'ip' or a function (ctx, input) => string`)
  }
  return { max, windowMs, by: by as RateLimitBy<unknown, unknown> }
}

/** The manifest's view of a rule. */
export function describeRule(rule: ParsedRule): RateLimitDescription {
  return { max: rule.max, window: rule.windowMs, by: typeof rule.by === 'function' ? 'custom' : rule.by }
}

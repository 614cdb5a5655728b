import type { RateLimitWindow } from './window.js'

/**
 * The limit on socket tickets minted at `POST {basePath}/_session`: without one, anyone could mint
 * tickets without bound. Counted per principal, or per address for a caller without one.
 */
export interface TicketRateLimit {
  /** Tickets per window. */
  max: number
  /** The window: milliseconds, or `'10s'`, `'1m'`, `'1h'`, `'1d'`. */
  window: RateLimitWindow
  /** `'principal'` (default; by address without one) or `'ip'`. */
  by?: 'principal' | 'ip'
}

/** The default ticket limit: 30 per minute per caller, far above what reconnecting tabs need. */
export const DEFAULT_TICKET_RATE_LIMIT: Readonly<TicketRateLimit> = Object.freeze({ max: 30, window: '1m' })

/** The option of `createMizanServer({ websocket })` that sets it. */
export interface TicketRateLimitOptions {
  /**
   * Tickets one caller may mint at `_session`; default {@link DEFAULT_TICKET_RATE_LIMIT}. `false`
   * turns the limit off. Over it, `_session` answers 429 with `Retry-After`.
   */
  ticketRateLimit?: TicketRateLimit | false
}

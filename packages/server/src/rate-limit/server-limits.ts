import type { PrincipalOf } from '../cache/origin-cache.js'
import { flattenRouter, type AnyRouter } from '../router.js'
import { Limiter, type LimitCheck, type LimitReport } from './limiter.js'
import { memoryRateLimit } from './memory.js'
import { parseRule } from './rule.js'
import { DEFAULT_TICKET_RATE_LIMIT, type TicketRateLimit } from './session.js'
import type { RateLimitStore } from './store.js'

/** What `createMizanServer` needs to know to set up its limits. */
export interface ServerLimitOptions {
  rateLimit?: RateLimitStore | false | undefined
  /** Whether `_session` mints tickets, and its limit. */
  tickets: boolean
  ticketRateLimit?: TicketRateLimit | false | undefined
  principalOf: PrincipalOf
  report: (event: LimitReport) => void
}

/**
 * The server's limiter and the `_session` check. No limiter when `rateLimit: false`, or when
 * nothing is limited and no store was asked for (a default memory store would hold nothing).
 */
export function serverLimits(router: AnyRouter, options: ServerLimitOptions): { limiter: Limiter | undefined; ticketLimit: LimitCheck | undefined } {
  if (options.rateLimit === false) return { limiter: undefined, ticketLimit: undefined }
  const ticketRule = options.tickets ? (options.ticketRateLimit ?? DEFAULT_TICKET_RATE_LIMIT) : false
  const flat = flattenRouter(router)
  const declared = [...flat.procedures.values(), ...[...flat.routes.values()].map((route) => route.read)].some((def) => def.rateLimit !== undefined)
  if (options.rateLimit === undefined && !declared && ticketRule === false) return { limiter: undefined, ticketLimit: undefined }
  const limiter = new Limiter(options.rateLimit ?? memoryRateLimit(), options.principalOf, options.report)
  const ticketLimit = ticketRule === false ? undefined : limiter.compile('_session', parseRule(ticketRule, 'websocket.ticketRateLimit'))
  return { limiter, ticketLimit }
}

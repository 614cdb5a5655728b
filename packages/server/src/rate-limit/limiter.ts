import { nodeCrypto } from '../builtins.js'
import type { PrincipalOf } from '../cache/origin-cache.js'
import type { MaybePromise } from '../maybe-promise.js'
import { addressKey } from './address.js'
import { limiterUnavailable, tooManyRequests } from './error.js'
import type { ParsedRule } from './rule.js'
import type { RateLimitDecision, RateLimitStore } from './store.js'

/** What a limit needs of a call's surroundings (the transport's `CallEnv`). */
export interface LimitEnv {
  /** The client's address, as the transport (or the server's `clientAddress` option) reports it. */
  clientAddress?(): string | undefined
}

/** What the limiter reports: a store failure, or a transport that knows no address. */
export interface LimitReport {
  error: unknown
  path: string
  ctx: unknown
}

// Keys past this length are hashed: a `by` function may return input the caller chose, and the
// store must not hold (or send to Redis) arbitrarily long keys.
const MAX_KEY_LENGTH = 128

/**
 * Turns declarations into checks against one store: knows who the caller is (principal or address)
 * and what a refusal or a store failure becomes.
 */
export class Limiter {
  private warnedNoAddress = false

  constructor(
    readonly store: RateLimitStore,
    /** @internal */ readonly principalOf: PrincipalOf,
    private readonly report: (event: LimitReport) => void,
  ) {}

  /** The check of one procedure (or `_session`) under `rule`. */
  compile(path: string, rule: ParsedRule): LimitCheck {
    return new LimitCheck(this, path, rule)
  }

  /** @internal The key of the caller's address; every caller without one shares a single key. */
  addressOf(env: LimitEnv, path: string, ctx: unknown): string {
    const address = env.clientAddress?.()
    if (address !== undefined && address !== '') return 'a:' + addressKey(address)
    if (!this.warnedNoAddress) {
      // Failing open here would silently leave the limit off; one shared key shows up at once.
      this.warnedNoAddress = true
      this.report({
        error: new Error(
          `Mizan: the rate limit of "${path}" counts by client address, but the call came with none: such callers share one budget. ` +
            'On fetch runtimes, pass createMizanServer({ clientAddress }); for an in-process caller, createCaller(ctx, { rateLimit: true, clientAddress }).',
        ),
        path,
        ctx,
      })
    }
    return 'a:unknown'
  }

  /** @internal A store failure: reported, then the call runs (fail open) or is refused (fail closed). */
  unavailable(error: unknown, path: string, ctx: unknown): void {
    this.report({ error, path, ctx })
    if (this.store.failClosed === true) throw limiterUnavailable(error)
  }

  /** @internal */
  keyOf(path: string, rule: ParsedRule, who: string): string {
    const key = `${path}|${rule.windowMs}|${who}`
    return key.length <= MAX_KEY_LENGTH ? key : `${path}|${rule.windowMs}|h:${nodeCrypto().createHash('sha256').update(who).digest('base64url')}`
  }
}

/** One declared limit, ready to check calls: throws (or rejects with) `TOO_MANY_REQUESTS` when over it. */
export class LimitCheck {
  constructor(
    private readonly limiter: Limiter,
    readonly path: string,
    readonly rule: ParsedRule,
  ) {}

  /** Counts the call; synchronous when the store is. */
  check(ctx: unknown, input: unknown, env: LimitEnv): MaybePromise<void> {
    const { limiter, path, rule } = this
    const key = limiter.keyOf(path, rule, this.whoOf(ctx, input, env))
    let decision: MaybePromise<RateLimitDecision>
    try {
      decision = limiter.store.hit(key, rule.max, rule.windowMs)
    } catch (error) {
      return limiter.unavailable(error, path, ctx)
    }
    if (decision instanceof Promise) return decision.then(settle, (error: unknown) => limiter.unavailable(error, path, ctx))
    return settle(decision)
  }

  /** Whose budget the call spends: `u:` a principal, `a:` an address, `k:` a custom key. */
  private whoOf(ctx: unknown, input: unknown, env: LimitEnv): string {
    const by = this.rule.by
    if (typeof by === 'function') {
      const key: unknown = by(ctx, input)
      if (typeof key !== 'string') throw new TypeError(`Mizan: the rateLimit.by of "${this.path}" must return a string`)
      return 'k:' + key
    }
    if (by === 'principal') {
      const principal = this.limiter.principalOf(ctx)
      if (principal !== null && principal !== undefined) return 'u:' + String(principal)
    }
    return this.limiter.addressOf(env, this.path, ctx)
  }
}

function settle(decision: RateLimitDecision): void {
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterMs)
}

import { expiresAt, slide, type WindowState } from './sliding-window.js'
import type { RateLimitDecision, RateLimitStore } from './store.js'

/** Options of {@link memoryRateLimit}. */
export interface MemoryRateLimitOptions {
  /**
   * Keys (caller × limit) held at once. Default 100,000 (a few MB). Past it, the key used least
   * recently is forgotten: its caller starts over with a fresh window. A caller hammering a limit
   * is never that key, since each of its calls makes its key the most recent.
   */
  maxKeys?: number
  /** The clock, in milliseconds. Default `Date.now`; tests pass their own to move time. */
  now?: () => number
}

/** A key's counters and its window, which says when they stop mattering. */
interface Entry extends WindowState {
  windowMs: number
}

// Expired keys looked at per call: enough to free keys faster than calls can add them.
const SWEEP_PER_HIT = 2

/**
 * Rate-limit counters in this process: the default store. Each instance counts on its own, so
 * with several instances a caller gets `max` calls from each: use `redisRateLimit` there.
 * Memory is bounded by `maxKeys`; keys whose windows have passed are freed as later calls come.
 */
export function memoryRateLimit(options: MemoryRateLimitOptions = {}): MemoryRateLimit {
  return new MemoryRateLimit(options)
}

/** The store {@link memoryRateLimit} returns; `size` is how many keys it holds. */
export class MemoryRateLimit implements RateLimitStore {
  readonly kind = 'memory'
  // A Map iterates in insertion order: re-inserting on every hit keeps it ordered by last use.
  private readonly entries = new Map<string, Entry>()
  private readonly maxKeys: number
  private readonly now: () => number

  constructor(options: MemoryRateLimitOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('Mizan: memoryRateLimit({ maxKeys }) must be a whole number, at least 1')
    this.maxKeys = maxKeys
    this.now = options.now ?? Date.now
  }

  /** Keys held now. */
  get size(): number {
    return this.entries.size
  }

  hit(key: string, max: number, windowMs: number): RateLimitDecision {
    const now = Math.floor(this.now())
    const entry = this.entries.get(key)
    if (entry !== undefined) this.entries.delete(key)
    // A key last used under another window length (a changed declaration) starts over.
    const { state, decision } = slide(entry?.windowMs === windowMs ? entry : undefined, max, windowMs, now)
    this.entries.set(key, { ...state, windowMs })
    this.sweep(now)
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!)
    return decision
  }

  /** Frees the least recently used keys whose windows have passed, a few per call. */
  private sweep(now: number): void {
    let looked = 0
    for (const [key, entry] of this.entries) {
      if (looked++ === SWEEP_PER_HIT || now < expiresAt(entry, entry.windowMs)) return
      this.entries.delete(key)
    }
  }
}

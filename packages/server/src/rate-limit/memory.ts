import { Lru } from '../cache/lru.js'
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
  // The cache's LRU: bounded by key count, ordered by use without re-inserting on every hit.
  private readonly entries: Lru<Entry>
  private readonly now: () => number

  constructor(options: MemoryRateLimitOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('Mizan: memoryRateLimit({ maxKeys }) must be a whole number, at least 1')
    this.entries = new Lru(maxKeys, Number.POSITIVE_INFINITY)
    this.now = options.now ?? Date.now
  }

  /** Keys held now. */
  get size(): number {
    return this.entries.size
  }

  hit(key: string, max: number, windowMs: number): RateLimitDecision {
    const now = Math.floor(this.now())
    const entry = this.entries.get(key)
    // A key last used under another window length (a changed declaration) starts over.
    const { state, decision } = slide(entry?.windowMs === windowMs ? entry : undefined, max, windowMs, now)
    if (entry === undefined) this.entries.set(key, { ...state, windowMs }, 0)
    else Object.assign(entry, state, { windowMs })
    this.sweep(now)
    return decision
  }

  /** Frees the least recently used keys whose windows have passed, a few per call. */
  private sweep(now: number): void {
    let looked = 0
    for (const [key, entry] of this.entries.oldestFirst()) {
      if (looked++ === SWEEP_PER_HIT || now < expiresAt(entry, entry.windowMs)) return
      this.entries.delete(key)
    }
  }
}

import type { RateLimitDecision } from './store.js'

/**
 * The counters of one key: calls allowed in the current fixed window (`index` = ⌊now / window⌋)
 * and in the one before it. Two numbers per key, whatever the limit.
 */
export interface WindowState {
  index: number
  prev: number
  curr: number
}

/**
 * The sliding-window counter: the calls of the last `windowMs` are estimated as the current
 * window's count plus the previous window's count weighted by how much of it the sliding window
 * still covers. A call is allowed when that estimate, plus itself, stays within `max`.
 *
 * Everything is compared multiplied by `windowMs`, in whole numbers, so the memory store and the
 * Redis script (which mirrors this function) agree exactly and a wait of `retryAfterMs` is always
 * enough. Returns the decision and the state to keep.
 */
export function slide(state: WindowState | undefined, max: number, windowMs: number, now: number): { state: WindowState; decision: RateLimitDecision } {
  let index = Math.floor(now / windowMs)
  let prev = 0
  let curr = 0
  if (state !== undefined) {
    // A clock behind the one that wrote the state (another instance, say) keeps counting in the
    // newer window rather than forgetting it.
    if (state.index >= index) ({ index, prev, curr } = state)
    else if (state.index === index - 1) prev = state.curr
  }
  const elapsed = Math.max(0, now - index * windowMs)
  const used = prev * (windowMs - elapsed) + curr * windowMs
  if (used + windowMs <= max * windowMs) {
    const remaining = Math.floor((max * windowMs - used - windowMs) / windowMs)
    return { state: { index, prev, curr: curr + 1 }, decision: { allowed: true, remaining, retryAfterMs: 0 } }
  }
  return { state: { index, prev, curr }, decision: { allowed: false, remaining: 0, retryAfterMs: waitMs(prev, curr, max, windowMs, elapsed) } }
}

/**
 * How long until one more call fits. While the current window's own calls leave room, the
 * previous window's weight has to fade enough; otherwise the wait runs into the next window, where
 * this window's calls become the fading ones.
 */
function waitMs(prev: number, curr: number, max: number, windowMs: number, elapsed: number): number {
  // Refused with curr < max means prev > 0: the division is safe.
  if (curr < max) return windowMs - Math.floor(((max - 1 - curr) * windowMs) / prev) - elapsed
  return windowMs - elapsed + windowMs - Math.floor(((max - 1) * windowMs) / curr)
}

/** When a key's counters no longer matter: its current window has become the previous one and ended. */
export function expiresAt(state: WindowState, windowMs: number): number {
  return (state.index + 2) * windowMs
}

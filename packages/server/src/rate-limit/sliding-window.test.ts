import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { slide, type WindowState } from './sliding-window.js'

/** Hits at the given times, in order, from an empty state; what each got. */
function run(times: number[], max: number, windowMs: number) {
  let state: WindowState | undefined
  return times.map((now) => {
    const next = slide(state, max, windowMs, now)
    state = next.state
    return { now, ...next.decision, state }
  })
}

const scenario = fc.record({
  max: fc.integer({ min: 1, max: 8 }),
  windowMs: fc.integer({ min: 1, max: 5000 }),
  start: fc.integer({ min: 0, max: 1e12 }),
  gaps: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
})
const timesOf = (start: number, gaps: number[]) => gaps.map((_, i) => start + gaps.slice(0, i + 1).reduce((a, b) => a + b, 0))

describe('the sliding-window counter', () => {
  it('allows max calls at once, then refuses with the wait until the next one fits', () => {
    const results = run([0, 0, 0, 0], 3, 1000)
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false])
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0])
    // The three calls weigh fully until the window ends, then fade across the next one: one more
    // fits once a third of them has faded, 1000 + 334 ms after the start.
    expect(results[3]!.retryAfterMs).toBe(1334)
  })

  it('never allows more than max calls within one fixed window', () => {
    fc.assert(
      fc.property(scenario, ({ max, windowMs, start, gaps }) => {
        const perWindow = new Map<number, number>()
        for (const r of run(timesOf(start, gaps), max, windowMs)) {
          if (!r.allowed) continue
          const index = Math.floor(r.now / windowMs)
          perWindow.set(index, (perWindow.get(index) ?? 0) + 1)
        }
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(max)
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('tells a refused caller a wait that is enough, and not a millisecond more than needed', () => {
    fc.assert(
      fc.property(scenario, ({ max, windowMs, start, gaps }) => {
        for (const r of run(timesOf(start, gaps), max, windowMs)) {
          if (r.allowed) continue
          expect(r.retryAfterMs).toBeGreaterThanOrEqual(1)
          expect(slide(r.state, max, windowMs, r.now + r.retryAfterMs).decision.allowed).toBe(true)
          expect(slide(r.state, max, windowMs, r.now + r.retryAfterMs - 1).decision.allowed).toBe(false)
        }
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('forgets a window two windows later, and never counts refused calls', () => {
    const [first, , refused] = run([0, 10, 20], 2, 1000)
    expect(refused!.allowed).toBe(false)
    expect(first!.state).toEqual({ index: 0, prev: 0, curr: 1 })
    expect(refused!.state).toEqual({ index: 0, prev: 0, curr: 2 })
    expect(slide(refused!.state, 2, 1000, 2000).state).toEqual({ index: 2, prev: 0, curr: 1 })
  })

  it('keeps counting in the newer window when a clock behind the writer calls', () => {
    const ahead = slide(undefined, 1, 1000, 5500).state
    const behind = slide(ahead, 1, 1000, 4900)
    expect(behind.decision.allowed).toBe(false)
    expect(behind.state).toEqual(ahead)
  })
})

import { describe, expect, it } from 'vitest'
import { memoryRateLimit } from './memory.js'

function clocked(maxKeys?: number) {
  const clock = { now: 1_000_000 }
  const store = memoryRateLimit({ now: () => clock.now, ...(maxKeys === undefined ? {} : { maxKeys }) })
  return { store, clock }
}

describe('memoryRateLimit', () => {
  it('allows max calls per window for each key on its own', () => {
    const { store } = clocked()
    const allowed = (key: string) => store.hit(key, 3, 60_000).allowed
    expect([allowed('a'), allowed('a'), allowed('a'), allowed('a')]).toEqual([true, true, true, false])
    expect(allowed('b')).toBe(true)
  })

  it('lets calls in again as the window slides, never all at once at its edge', () => {
    const { store, clock } = clocked()
    clock.now = 60_000 * 100 // the start of a fixed window
    for (let i = 0; i < 10; i++) expect(store.hit('k', 10, 60_000).allowed).toBe(true)
    // A fixed window would hand out ten fresh calls the moment it turns over; here the last
    // minute's calls still weigh: none fits until a tenth of them has faded.
    clock.now += 60_000
    expect(store.hit('k', 10, 60_000).allowed).toBe(false)
    clock.now += 6_000
    expect(store.hit('k', 10, 60_000).allowed).toBe(true)
    expect(store.hit('k', 10, 60_000).allowed).toBe(false)
    // Two windows on, the old calls are gone entirely.
    clock.now += 120_000
    for (let i = 0; i < 10; i++) expect(store.hit('k', 10, 60_000).allowed).toBe(true)
  })

  it('says how long to wait, and a call after that wait passes', () => {
    const { store, clock } = clocked()
    store.hit('k', 1, 10_000)
    const refused = store.hit('k', 1, 10_000)
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfterMs).toBeGreaterThan(0)
    clock.now += refused.retryAfterMs - 1
    expect(store.hit('k', 1, 10_000).allowed).toBe(false)
    clock.now += 1
    expect(store.hit('k', 1, 10_000).allowed).toBe(true)
  })

  it('holds at most maxKeys keys, forgetting the least recently used one', () => {
    const { store } = clocked(100)
    store.hit('hot', 1, 60_000)
    for (let i = 0; i < 1000; i++) {
      store.hit(`k${i}`, 1, 60_000)
      // The hot key keeps being refused: each refusal makes it the most recent key again.
      if (i % 50 === 0) expect(store.hit('hot', 1, 60_000).allowed).toBe(false)
      expect(store.size).toBeLessThanOrEqual(100)
    }
    expect(store.hit('hot', 1, 60_000).allowed).toBe(false)
    expect(store.hit('k0', 1, 60_000).allowed).toBe(true) // forgotten long ago: a fresh window
  })

  it('frees keys whose windows have passed as later calls come', () => {
    const { store, clock } = clocked()
    for (let i = 0; i < 50; i++) store.hit(`old${i}`, 5, 1000)
    expect(store.size).toBe(50)
    clock.now += 2000
    for (let i = 0; i < 25; i++) store.hit(`new${i}`, 5, 1000)
    expect(store.size).toBe(25)
  })

  it('starts over for a key used under another window length', () => {
    const { store } = clocked()
    expect(store.hit('k', 1, 1000).allowed).toBe(true)
    expect(store.hit('k', 1, 5000).allowed).toBe(true)
  })

  it('refuses a bound that is not a whole number', () => {
    expect(() => memoryRateLimit({ maxKeys: 0 })).toThrow(TypeError)
  })
})

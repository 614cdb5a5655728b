import { describe, expect, it } from 'vitest'
import { CacheEntry } from './entry.js'
import { NearCache } from './near-cache.js'

const names = ['*', 'p:posts', 'i:posts:abc']
const entry = (generations: number[]) => new CacheEntry(Date.now() + 60_000, Date.now() + 60_000, generations, '"tag"', '{"data":1}')

/** A near cache that has heard its channel come up. */
function live(): NearCache {
  const near = new NearCache({})
  near.reset(true)
  return near
}

describe('near cache', () => {
  it('serves an entry only while every generation it was filled under is known and equal', () => {
    const near = live()
    const filled = entry([1, 2, 3])
    near.record(near.mark(), names, [1, 2, 3], 'k', filled)
    expect(near.peek('k', names)).toBe(filled)
    near.forget(['p:posts'])
    expect(near.peek('k', names)).toBeUndefined()
    near.record(near.mark(), names, [1, 3, 3], 'k', undefined) // learned again, moved
    expect(near.peek('k', names)).toBeUndefined()
  })

  it('keeps nothing filled under other values than the ones read', () => {
    const near = live()
    near.record(near.mark(), names, [1, 2, 4], 'k', entry([1, 2, 3]))
    expect(near.peek('k', names)).toBeUndefined()
  })

  it('learns nothing from a reply that a purge of one of its generations overtook', () => {
    const near = live()
    const mark = near.mark() // the read is sent
    near.forget(['i:posts:abc']) // the purge's message arrives first
    near.record(mark, names, [1, 2, 3], 'k', entry([1, 2, 3])) // then the reply, from before the purge
    expect(near.peek('k', names)).toBeUndefined()
    const other = ['*', 'p:posts', 'i:posts:def']
    near.record(mark, other, [1, 2, 7], 'o', entry([1, 2, 7])) // a purge of another input blocks nothing
    expect(near.peek('o', other)).toBeDefined()
  })

  it('learns nothing once it no longer remembers a purge that happened while a reply was on the way', () => {
    const near = new NearCache({ maxEntries: 1 }) // remembers 4 purged names
    near.reset(true)
    const mark = near.mark()
    for (let i = 0; i < 10; i++) near.forget([`i:posts:${i}`])
    near.record(mark, names, [1, 2, 3], 'k', entry([1, 2, 3]))
    expect(near.peek('k', names)).toBeUndefined()
  })

  it('serves and keeps nothing while its channel is down, and starts empty when it comes back', () => {
    const near = new NearCache({})
    near.record(near.mark(), names, [1, 2, 3], 'k', entry([1, 2, 3]))
    expect(near.peek('k', names)).toBeUndefined() // never live yet
    near.reset(true)
    const mark = near.mark()
    near.record(mark, names, [1, 2, 3], 'k', entry([1, 2, 3]))
    expect(near.peek('k', names)).toBeDefined()
    const inFlight = near.mark()
    near.reset(false)
    expect(near.peek('k', names)).toBeUndefined()
    near.reset(true)
    expect(near.peek('k', names)).toBeUndefined() // emptied
    near.record(inFlight, names, [1, 2, 3], 'k', entry([1, 2, 3])) // sent before the channel came back
    expect(near.peek('k', names)).toBeUndefined()
  })

  it('forgets everything on a global purge', () => {
    const near = live()
    near.record(near.mark(), names, [1, 2, 3], 'k', entry([1, 2, 3]))
    near.forget(['*'])
    near.record(near.mark(), ['p:posts', 'i:posts:abc'], [2, 3], 'x', undefined)
    expect(near.peek('k', names)).toBeUndefined()
  })

  it('keeps within its bounds', () => {
    const near = new NearCache({ maxEntries: 2 })
    near.reset(true)
    for (const key of ['a', 'b', 'c']) near.record(near.mark(), names, [1, 2, 3], key, entry([1, 2, 3]))
    expect(near.peek('a', names)).toBeUndefined()
    expect(near.peek('c', names)).toBeDefined()
    expect(() => new NearCache({ maxEntries: 0 })).toThrow(/maxEntries/)
  })
})

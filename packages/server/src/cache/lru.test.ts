import { describe, expect, it } from 'vitest'
import { Lru } from './lru.js'

describe('lru', () => {
  it('keeps within its count and its bytes, dropping the least recently used', () => {
    const lru = new Lru<number>(4, 1000)
    for (let i = 0; i < 4; i++) lru.set(`k${i}`, i, 1)
    for (let round = 0; round < 3; round++) lru.get('k0') // used, though not necessarily moved
    for (let i = 4; i < 8; i++) lru.set(`k${i}`, i, 1)
    expect(lru.size).toBe(4)
    expect(lru.get('k7')).toBe(7)
    const bytes = new Lru<number>(100, 10)
    bytes.set('a', 1, 6)
    bytes.set('b', 2, 6)
    expect(bytes.get('a')).toBeUndefined()
    expect(bytes.get('b')).toBe(2)
  })

  it('keeps an entry in use while many others come and go', () => {
    const lru = new Lru<number>(100, Infinity)
    lru.set('hot', 0, 1)
    for (let i = 0; i < 10_000; i++) {
      lru.set(`cold${i}`, i, 1)
      expect(lru.get('hot')).toBe(0)
    }
  })

  it('replaces a value and its size', () => {
    const lru = new Lru<string>(10, 10)
    lru.set('a', 'x', 8)
    lru.set('a', 'y', 8)
    expect(lru.get('a')).toBe('y')
    lru.delete('a')
    expect(lru.size).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import { needsTransform } from './envelope.js'
import { decodeInvalidateHeader, encodeInvalidateHeader } from './invalidation.js'

describe('needsTransform', () => {
  it('lets plain JSON values through', () => {
    for (const value of [null, 'a', 1, true, [], {}, { a: [1, { b: 'c' }] }, Object.create(null)]) expect(needsTransform(value)).toBe(false)
  })

  it('flags everything JSON would change or lose', () => {
    const flagged = [undefined, 1n, new Date(), new Map(), new Set(), /x/, NaN, Infinity, -0, { a: undefined }, [new Date()], { deep: { deeper: [1n] } }, new (class Point {})()]
    for (const value of flagged) expect(needsTransform(value)).toBe(true)
  })

  it('hands cyclic or absurdly deep values to superjson instead of recursing forever', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(needsTransform(cyclic)).toBe(true)
  })
})

describe('invalidation header', () => {
  it('is ASCII and reads back unchanged', () => {
    const list = [{ path: 'posts.byId', input: { id: 'é✓🙂' } }, { path: 'posts' }]
    const header = encodeInvalidateHeader(list)
    expect(/^[\x20-\x7e]*$/.test(header)).toBe(true)
    expect(decodeInvalidateHeader(header)).toEqual(list)
  })

  it('yields nothing for a malformed header', () => {
    expect(decodeInvalidateHeader('[{oops')).toEqual([])
    expect(decodeInvalidateHeader('{"path":"x"}')).toEqual([])
    expect(decodeInvalidateHeader(null)).toEqual([])
  })
})

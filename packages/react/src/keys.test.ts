import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchesInvalidation, queryKeyOf } from './keys.js'

describe('queryKeyOf', () => {
  it('puts the shape beside the input, and leaves out what is undefined', () => {
    expect(queryKeyOf('posts.list', { page: 1 }, 'query', 'card')).toEqual([['posts', 'list'], { input: { page: 1 }, shape: 'card', type: 'query' }])
    expect(queryKeyOf('posts.list', undefined, 'infinite', { id: true })).toEqual([['posts', 'list'], { shape: { id: true }, type: 'infinite' }])
    // An unshaped key is what it was before shapes: no `shape` key at all.
    const plain = queryKeyOf('posts.list', { page: 1 }, 'query')
    expect(plain).toEqual([['posts', 'list'], { input: { page: 1 }, type: 'query' }])
    expect(Object.keys(plain[1])).toEqual(['input', 'type'])
    expect(Object.keys(queryKeyOf('posts.list', { page: 1 }, 'query', undefined)[1])).toEqual(['input', 'type'])
  })
})

describe('an invalidation reaches every shape', () => {
  const card = queryKeyOf('posts.list', { page: 1 }, 'query', 'card')
  const ids = queryKeyOf('posts.list', { page: 1 }, 'query', { id: true })
  const whole = queryKeyOf('posts.list', { page: 1 }, 'query')
  const pages = queryKeyOf('posts.list', { page: 1 }, 'infinite', 'card')
  const other = queryKeyOf('posts.list', { page: 2 }, 'query', 'card')

  it('of a path: every input and every shape under it', () => {
    for (const key of [card, ids, whole, pages, other]) {
      expect(matchesInvalidation(key, { path: 'posts.list' })).toBe(true)
      expect(matchesInvalidation(key, { path: 'posts' })).toBe(true)
      expect(matchesInvalidation(key, { path: 'comments' })).toBe(false)
    }
  })

  it('of a path and input: every shape of that input, and no other input', () => {
    for (const key of [card, ids, whole, pages]) expect(matchesInvalidation(key, { path: 'posts.list', input: { page: 1 } })).toBe(true)
    expect(matchesInvalidation(other, { path: 'posts.list', input: { page: 1 } })).toBe(false)
  })

  it('whatever the shape: a shaped key matches exactly when the unshaped key of its input does (property)', () => {
    const selection = fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.constant(true), fc.dictionary(fc.string({ maxLength: 4 }), fc.constant(true))))
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 2 }),
        fc.oneof(fc.string(), selection),
        fc.constantFrom('a', 'a.b', 'b'),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
        (input, shape, path, target) => {
          const invalidation = target === undefined ? { path } : { path, input: target }
          expect(matchesInvalidation(queryKeyOf('a.b', input, 'query', shape), invalidation)).toBe(matchesInvalidation(queryKeyOf('a.b', input, 'query'), invalidation))
        },
      ),
    )
  })
})

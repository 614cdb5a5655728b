import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import { canonical } from './canonical.js'

// Keys and purge counters of every instance sharing a Redis are HMACs of these texts: a text that
// changed between two versions would split a fleet mid-deploy (purges from one would miss entries
// of the other). So they are pinned here, character for character.
describe('canonical text', () => {
  it('stays exactly what it was', () => {
    const cases: [unknown, string][] = [
      [{ b: 'x"y', a: [1, , 'é😀'] }, String.raw`O{"a":A[N1,,S"é😀"],"b":S"x\"y"}`],
      [{ z: { y: [true, false, null, undefined] }, 'a\u0001': 'tab\there', '\ud800': 'lone' }, String.raw`O{"a\u0001":S"tab\there","z":O{"y":A[t,f,n,u]},"\ud800":S"lone"}`],
      [[new Date(0), new Date(NaN), 1n, -0, NaN, Infinity], 'A[D1970-01-01T00:00:00.000Z,DNaN,B1,N-0,NNaN,NInfinity]'],
      [new Map([['b', 1], ['a', 2]]), 'M[S"a":N2,S"b":N1]'],
      [new Set(['b', 'a']), 'T[S"a",S"b"]'],
      [{ emoji: '😀', quote: '\\"', long: 'x'.repeat(80) + '"' }, String.raw`O{"emoji":S"😀","long":S"` + 'x'.repeat(80) + String.raw`\"","quote":S"\\\""}`],
      [/re/g, 'R/re/g'],
    ]
    for (const [value, text] of cases) expect(canonical(value)).toBe(text)
  })
})

describe('canonical text, for any input a request can decode to (property-based)', () => {
  // What a decoded input may hold: JSON, plus what superjson brings (Date, Map, Set, BigInt, undefined, holes).
  const input = fc.anything({
    maxDepth: 4,
    maxKeys: 5,
    withDate: true,
    withMap: true,
    withSet: true,
    withBigInt: true,
    withSparseArray: true,
    withNullPrototype: false,
    withBoxedValues: false,
    withTypedArray: false,
    withObjectString: false,
  })

  it('two inputs share a text exactly when they are deeply equal', () => {
    fc.assert(
      fc.property(input, input, (a, b) => {
        expect(canonical(a) === canonical(b)).toBe(isDeepStrictEqual(a, b))
      }),
      { seed: 42, numRuns: 2000 },
    )
  })

  it('key order never changes the text', () => {
    fc.assert(
      fc.property(input, (value) => {
        expect(canonical(reordered(value))).toBe(canonical(value))
      }),
      { seed: 42, numRuns: 1000 },
    )
  })
})

/** A deep copy with every plain object's keys in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered)
  if (value instanceof Map) return new Map([...value].reverse().map(([k, v]) => [k, reordered(v)]))
  if (value instanceof Set) return new Set([...value].reverse().map(reordered))
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]))
}

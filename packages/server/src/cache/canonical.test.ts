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

import { describe, expect, it } from 'vitest'
import { canonical } from './canonical.js'
import { ValueMemo } from './value-memo.js'

describe('value memo', () => {
  it('finds equal inputs, and only those', () => {
    const memo = new ValueMemo<string>(1000)
    const inputs: unknown[] = [
      { a: 1, b: [1, 'x', null, true] },
      { a: '1', b: [1, 'x', null, true] },
      { a: 1, b: [1, 'x', null, false] },
      { a: 1, b: [1, 'x', null] },
      { a: 1 },
      { a: 1, c: undefined },
      { a: [[]] },
      { a: [{}] },
      [undefined],
      [, 1],
      [undefined, 1],
      'a',
      1,
      1n,
      NaN,
      null,
      undefined,
      {},
      [],
    ]
    inputs.forEach((input, i) => memo.set('', input, `#${i}`))
    inputs.forEach((input, i) => expect(memo.get('', input)).toBe(`#${i}`))
    expect(memo.get('', { b: [1, 'x', null, true], a: 1 })).toBeUndefined() // the other key order is a path of its own
    expect(memo.get('', JSON.parse('{"a":1,"b":[1,"x",null,true]}'))).toBe('#0')
    expect(memo.get('', Object.assign(Object.create(null), { a: 1 }))).toBe('#4') // the same canonical text
    expect(memo.get('alice', { a: 1 })).toBeUndefined() // principals apart
  })

  it('only ever joins inputs whose canonical texts are equal', () => {
    const memo = new ValueMemo<string>(1000)
    const samples: unknown[] = [{ a: 1 }, { a: '1' }, { a: null }, { a: undefined }, {}, [null], [undefined], [[]], [{}], 'O{}', { '': 1 }, { a: { b: 1 } }, { 'a.b': 1 }]
    for (const input of samples) memo.set('', input, canonical(input))
    for (const input of samples) expect(memo.get('', input)).toBe(canonical(input))
  })

  it('does not take what a Map key would confuse or what is not plain data', () => {
    const memo = new ValueMemo<string>(1000)
    class Point {
      x = 1
    }
    for (const input of [-0, { a: -0 }, new Date(0), { at: new Date(0) }, new Map(), new Set(), new Point(), () => 1]) {
      expect(memo.set('', input, 'x')).toBe(false)
      expect(memo.get('', input)).toBeNull()
    }
  })

  it('forgets everything when full, and still answers', () => {
    const memo = new ValueMemo<number>(10)
    for (let i = 0; i < 100; i++) memo.set('', { page: i }, i)
    expect(memo.get('', { page: 99 })).toBe(99)
    expect(memo.get('', { page: 0 })).toBeUndefined()
  })
})

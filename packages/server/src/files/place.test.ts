import { describe, expect, it } from 'vitest'
import { placeFiles } from './place.js'

const file = new File(['x'], 'x')
const key = (key: string) => ({ kind: 'key' as const, key })
const index = (index: number) => ({ kind: 'index' as const, index })

describe('placeFiles', () => {
  it('puts a file at the top, in objects and arrays, creating what is missing', () => {
    expect(placeFiles(undefined, [{ steps: [], file }])).toBe(file)
    expect(placeFiles({ title: 't' }, [{ steps: [key('image')], file }])).toEqual({ title: 't', image: file })
    expect(placeFiles(undefined, [{ steps: [key('a'), key('b')], file }])).toEqual({ a: { b: file } })
    expect(placeFiles({ list: [null, 'keep'] }, [{ steps: [key('list'), index(0)], file }])).toEqual({ list: [file, 'keep'] })
    expect(placeFiles({}, [{ steps: [key('list'), index(1)], file }, { steps: [key('list'), index(0)], file }])).toEqual({ list: [file, file] })
  })

  it('never overwrites a value, nor walks into a value of the wrong kind', () => {
    expect(() => placeFiles('x', [{ steps: [], file }])).toThrow(/already holds a value at input/)
    expect(() => placeFiles({ image: 'x' }, [{ steps: [key('image')], file }])).toThrow(/already holds/)
    expect(() => placeFiles({ list: {} }, [{ steps: [key('list'), index(0)], file }])).toThrow(/input.list is not an array/)
    expect(() => placeFiles([], [{ steps: [key('a')], file }])).toThrow(/input is not an object/)
    expect(() => placeFiles({ a: new Date(0) }, [{ steps: [key('a'), key('b')], file }])).toThrow(/not an object/)
  })

  it('defines own data properties, whatever the key', () => {
    const placed = placeFiles({}, [{ steps: [key('toString')], file }]) as Record<string, unknown>
    expect(Object.getOwnPropertyDescriptor(placed, 'toString')?.value).toBe(file)
    expect(({} as Record<string, unknown>).toString).toBe(Object.prototype.toString)
  })
})

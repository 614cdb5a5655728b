import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileProjector } from './project.js'
import type { Selection } from './selection.js'

describe('projecting a value to a selection', () => {
  const project = compileProjector({ id: true, author: { name: true }, tags: { label: true } })

  it('keeps only selected keys, at every level, through arrays', () => {
    const value = [{ id: '1', secret: 's', author: { name: 'a', email: 'e' }, tags: [{ label: 'x', weight: 1 }] }]
    expect(project(value)).toEqual([{ id: '1', author: { name: 'a' }, tags: [{ label: 'x' }] }])
  })

  it('keeps null and undefined, leaves missing fields missing, and copies only own keys', () => {
    expect(project(null)).toBe(null)
    expect(project(undefined)).toBe(undefined)
    expect(project({ id: '1', author: null })).toEqual({ id: '1', author: null })
    expect(Object.keys(project({ author: undefined }) as object)).toEqual(['author'])
    expect(project(Object.create({ id: 'inherited' }))).toEqual({})
  })

  it('never lets an unselected key through, whatever the handler returns', () => {
    const selectionArb: fc.Arbitrary<Selection> = fc.letrec((tie) => ({
      selection: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.oneof({ depthSize: 'small' }, fc.constant(true as const), tie('selection') as fc.Arbitrary<Selection>), { minKeys: 1, maxKeys: 3 }),
    })).selection as fc.Arbitrary<Selection>
    const keysWithin = (value: unknown, selection: Selection): void => {
      if (Array.isArray(value)) return value.forEach((item) => keysWithin(item, selection))
      if (typeof value !== 'object' || value === null) return
      for (const [key, inner] of Object.entries(value)) {
        expect(selection).toHaveProperty([key])
        const nested = selection[key]!
        if (nested !== true) keysWithin(inner, nested)
      }
    }
    fc.assert(
      fc.property(selectionArb, fc.anything({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), maxDepth: 4 }), (selection, value) => {
        keysWithin(compileProjector(selection)(value), selection)
      }),
      { numRuns: 300 },
    )
  })
})

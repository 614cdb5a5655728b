import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeWebSocketHeader, encodeWebSocketHeader } from './websocket-header.js'

describe('websocket header', () => {
  it('reads back the paths it lists', () => {
    expect(decodeWebSocketHeader(encodeWebSocketHeader(['live', 'posts.byId']))).toEqual(['live', 'posts.byId'])
    expect(decodeWebSocketHeader(encodeWebSocketHeader(new Set(['one'])))).toEqual(['one'])
  })

  it('yields nothing for a missing or blank header, and skips empty entries', () => {
    expect(decodeWebSocketHeader(null)).toEqual([])
    expect(decodeWebSocketHeader('')).toEqual([])
    expect(decodeWebSocketHeader(' , ,')).toEqual([])
    expect(decodeWebSocketHeader(' a ,,b ')).toEqual(['a', 'b'])
  })

  it('never throws on any text, and never lists more entries than the text has commas plus one', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        const paths = decodeWebSocketHeader(text)
        expect(paths.length).toBeLessThanOrEqual(text.split(',').length)
        for (const path of paths) expect(path).toBe(path.trim())
        for (const path of paths) expect(path).not.toBe('')
      }),
    )
  })
})

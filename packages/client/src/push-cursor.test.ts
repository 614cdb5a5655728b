import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PushCursor } from './push-cursor.js'

describe('PushCursor', () => {
  it('takes the whole cursor from a hello and merges each push’s entry into it', () => {
    const cursor = new PushCursor()
    expect(cursor.toString()).toBeUndefined()
    cursor.take('aaa~1-0.bbb~2-0', true)
    cursor.take('bbb~2-5', false)
    cursor.take('ccc~9-1', false)
    expect(cursor.toString()).toBe('aaa~1-0.bbb~2-5.ccc~9-1')
    // A new hello starts over: groups the new connection does not have are gone.
    cursor.take('bbb~3-0', true)
    expect(cursor.toString()).toBe('bbb~3-0')
  })

  it('keeps only entries of the server’s alphabet, whatever it is sent (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 700 }), fc.anything()), fc.boolean()), { maxLength: 20 }), (inputs) => {
        const cursor = new PushCursor()
        for (const [text, whole] of inputs) cursor.take(text, whole)
        const text = cursor.toString()
        if (text === undefined) return
        // It goes back in a URL and a header: never a line break, never over 512 characters.
        expect(text).toMatch(/^[\w~.-]{1,512}$/)
        for (const entry of text.split('.')) expect(entry).toMatch(/^[\w-]{1,16}~[\w-]{1,64}$/)
      }),
    )
  })
})

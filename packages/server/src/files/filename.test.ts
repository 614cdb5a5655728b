import { describe, expect, it } from 'vitest'
import { safeFilename } from './filename.js'

describe('safeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\..\\evil.exe', 'evil.exe'],
    ['/abs/path/', 'blob'],
    ['..', 'blob'],
    ['.', 'blob'],
    ['', 'blob'],
    [undefined, 'blob'],
    ['a\u0000b\nc\u001b[31m.txt', 'abc[31m.txt'],
    ['  cat.png  ', 'cat.png'],
    ['café.png', 'café.png'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFilename(raw)).toBe(safe)
  })

  it('keeps at most 255 UTF-8 bytes, never splitting a character', () => {
    expect(Buffer.byteLength(safeFilename('a'.repeat(1000)))).toBe(255)
    const emoji = safeFilename('😀'.repeat(100))
    expect(Buffer.byteLength(emoji)).toBe(252)
    expect(emoji).toBe('😀'.repeat(63))
    expect(safeFilename('é'.repeat(200))).toBe('é'.repeat(127))
  })
})

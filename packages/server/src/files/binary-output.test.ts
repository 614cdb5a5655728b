import { describe, expect, it } from 'vitest'
import { binaryEntry, binaryHeaders, contentDisposition, isBinary, MAX_ENVELOPE_BINARY } from './binary-output.js'

describe('binary outputs', () => {
  it('knows bytes from values', () => {
    expect(isBinary(new Blob([]))).toBe(true)
    expect(isBinary(new File([], 'x'))).toBe(true)
    expect(isBinary(new ReadableStream())).toBe(true)
    expect(isBinary({ size: 1, type: 'x' })).toBe(false)
    expect(isBinary(new Uint8Array(1))).toBe(false)
  })

  it('names a file for old and new clients alike', () => {
    expect(contentDisposition('cat.png')).toBe(`attachment; filename="cat.png"; filename*=UTF-8''cat.png`)
    expect(contentDisposition('a"b\\c ü\r\n(1)*.txt')).toBe(`attachment; filename="a_b_c ___(1)*.txt"; filename*=UTF-8''a%22b%5Cc%20%C3%BC%0D%0A%281%29%2A.txt`)
  })

  it('headers: the type or octet-stream, nosniff and a sandbox everywhere', () => {
    expect(binaryHeaders(new Blob([]))).toEqual({ 'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox' })
    expect(binaryHeaders(new File([], 'x', { type: 'text/html' }))).toMatchObject({ 'content-type': 'text/html', 'content-disposition': expect.stringContaining('attachment') })
  })

  it('an envelope entry in base64, refused over 16 MiB', async () => {
    expect(JSON.parse(await binaryEntry(new File(['hi'], 'h.txt', { type: 'text/plain' })))).toEqual({ data: 'aGk=', blob: { type: 'text/plain', name: 'h.txt' } })
    await expect(binaryEntry(new Blob([new Uint8Array(MAX_ENVELOPE_BINARY + 1)]))).rejects.toThrow(/single HTTP call/)
    let cancelled = false
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1024 * 1024)),
      cancel: () => void (cancelled = true),
    })
    await expect(binaryEntry(endless)).rejects.toThrow(/single HTTP call/)
    expect(cancelled).toBe(true)
  })
})

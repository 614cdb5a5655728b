import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventStreamError, EventStreamParser, type StreamEvent } from './event-stream.js'
import { cut } from '../../../test/support/chunks.js'

const encoder = new TextEncoder()

/** The events of these chunks (text is encoded as UTF-8). */
function parse(chunks: (string | Uint8Array)[], max = 1024): StreamEvent[] {
  const parser = new EventStreamParser(max)
  return chunks.flatMap((chunk) => parser.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk))
}


describe('EventStreamParser', () => {
  it('reads data events, joining several data lines with a newline, and remembers the last id', () => {
    expect(parse(['data: {"type":"hello"}\n\n', 'id: 7\ndata: a\ndata: b\n\n', 'data:c\n\n'])).toEqual([
      { type: 'message', data: '{"type":"hello"}', lastEventId: '' },
      { type: 'message', data: 'a\nb', lastEventId: '7' },
      { type: 'message', data: 'c', lastEventId: '7' },
    ])
  })

  it('takes CRLF, CR and LF line ends alike, even a CRLF split across chunks', () => {
    const events = [{ type: 'message', data: 'x', lastEventId: '' }]
    expect(parse(['data: x\r\n\r\n'])).toEqual(events)
    expect(parse(['data: x\r\r'])).toEqual(events)
    expect(parse(['data: x\r', '\n\r', '\n'])).toEqual(events)
    // A lone CR then a blank LF: two line ends, so the event ends there.
    expect(parse(['data: x\r', '\r'])).toEqual(events)
  })

  it('ignores comments, unknown fields and retry; names events; drops an event without data or cut by the end', () => {
    expect(parse([': ping\n\nretry: 10\nfoo: bar\n\nevent: close\ndata: {"code":1012}\n\nid: 3\n\ndata: cut'])).toEqual([
      { type: 'close', data: '{"code":1012}', lastEventId: '' },
    ])
  })

  it('keeps an id from an event without data for the next one, and ignores an id holding NUL', () => {
    expect(parse(['id: 5\n\n', 'id: a\0b\ndata: x\n\n'])).toEqual([{ type: 'message', data: 'x', lastEventId: '5' }])
  })

  it('decodes a character split across chunks whole, and skips a byte order mark at the start', () => {
    const bytes = encoder.encode('\uFEFFdata: é😀\n\n')
    expect(parse([bytes.slice(0, 2), bytes.slice(2, 10), bytes.slice(10, 12), bytes.slice(12)])).toEqual([{ type: 'message', data: 'é😀', lastEventId: '' }])
  })

  it('takes a field without a colon as an empty value, and strips only one space', () => {
    expect(parse(['data\ndata:  two\n\n'])).toEqual([{ type: 'message', data: '\n two', lastEventId: '' }])
  })

  it('throws as soon as a line, or the data of one event, passes the bound', () => {
    const parser = new EventStreamParser(16)
    expect(() => parser.push(encoder.encode('data: 0123456789'))).not.toThrow()
    expect(() => parser.push(encoder.encode('abc'))).toThrow(EventStreamError)
    const events = new EventStreamParser(16)
    expect(() => events.push(encoder.encode('data: 12345\ndata: 12345\ndata: 12345\n'))).toThrow(EventStreamError)
  })

  it('property: any chunking of a valid stream parses to the same events', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '😀', ' ', ':', '{', '"'), maxLength: 12 })
    const event = fc.record({
      type: fc.option(fc.constantFrom('close', 'other'), { nil: undefined }),
      id: fc.option(fc.stringMatching(/^[a-z0-9]{1,4}$/), { nil: undefined }),
      data: fc.array(line, { minLength: 1, maxLength: 3 }),
      comment: fc.boolean(),
      end: fc.constantFrom('\n', '\r\n', '\r'),
    })
    fc.assert(
      fc.property(fc.array(event, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (list, offsets) => {
        let text = ''
        for (const e of list) {
          const lines = [...(e.comment ? [': ping'] : []), ...(e.type ? [`event: ${e.type}`] : []), ...(e.id ? [`id: ${e.id}`] : []), ...e.data.map((d) => `data: ${d}`), '']
          text += lines.map((l) => l + e.end).join('')
        }
        const bytes = encoder.encode(text)
        const whole = parse([bytes], 4096)
        expect(parse(cut(bytes, offsets), 4096)).toEqual(whole)
        expect(whole.map((e) => e.data)).toEqual(list.map((e) => e.data.join('\n')))
      }),
    )
  })

  it('property: arbitrary bytes never throw anything but EventStreamError, and never hold more than the bound', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), fc.integer({ min: 1, max: 48 }), (chunks, max) => {
        const parser = new EventStreamParser(max)
        for (const chunk of chunks) {
          try {
            parser.push(chunk)
          } catch (error) {
            expect(error).toBeInstanceOf(EventStreamError)
            return
          }
          expect(parser.buffered).toBeLessThanOrEqual(2 * max)
        }
      }),
    )
  })
})

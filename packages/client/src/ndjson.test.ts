import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NdjsonError, ndjsonValues } from './ndjson.js'
import { cut } from '../../../test/support/chunks.js'

const encoder = new TextEncoder()

/** A body made of these chunks (text is encoded as UTF-8), and whether the reader cancelled it. */
function body(chunks: (string | Uint8Array)[]) {
  const state = { cancelled: false }
  let index = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++]
      if (chunk === undefined) return controller.close()
      controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
    },
    cancel() {
      state.cancelled = true
    },
  })
  return { stream, state }
}

async function read(chunks: (string | Uint8Array)[], max = 1024): Promise<unknown[]> {
  const values: unknown[] = []
  for await (const value of ndjsonValues(body(chunks).stream, max)) values.push(value)
  return values
}

async function failure(chunks: (string | Uint8Array)[], max = 1024): Promise<NdjsonError> {
  try {
    await read(chunks, max)
  } catch (error) {
    expect(error).toBeInstanceOf(NdjsonError)
    return error as NdjsonError
  }
  throw new Error('the body was read without an error')
}


describe('ndjsonValues', () => {
  it('reads one value per line, lines split across chunks and chunks holding several lines', async () => {
    expect(await read(['{"a":1}\n{"b"', ':2}\n', '3\n"x"\n[1,', '2]\n'])).toEqual([{ a: 1 }, { b: 2 }, 3, 'x', [1, 2]])
  })

  it('decodes a multi-byte character split across chunks whole', async () => {
    const bytes = encoder.encode('{"w":"é😀ü"}\n')
    // Cut inside the 4-byte emoji and inside the 2-byte é.
    expect(await read([bytes.slice(0, 7), bytes.slice(7, 9), bytes.slice(9, 11), bytes.slice(11)])).toEqual([{ w: 'é😀ü' }])
  })

  it('skips empty lines and reads CRLF line ends', async () => {
    expect(await read(['\n\n{"a":1}\r\n', '\r\n  \n', '2\n'])).toEqual([{ a: 1 }, 2])
  })

  it('reads a last line without its newline when it is whole JSON', async () => {
    expect(await read(['{"a":1}\n{"done":true}'])).toEqual([{ a: 1 }, { done: true }])
    expect(await read([])).toEqual([])
  })

  it('fails a body cut in the middle of a line, after the lines before it', async () => {
    const values: unknown[] = []
    await expect(async () => {
      for await (const value of ndjsonValues(body(['{"a":1}\n{"a":', '2']).stream, 1024)) values.push(value)
    }).rejects.toMatchObject({ problem: 'cut' })
    expect(values).toEqual([{ a: 1 }])
  })

  it('fails a line that is not JSON', async () => {
    expect(await failure(['{"a":1}\n{oops}\n'])).toMatchObject({ problem: 'not-json', message: 'A line of the stream is not JSON' })
  })

  it('fails an overlong line as soon as it is known to be, without reading the rest', async () => {
    const { stream } = body(['{"a":"', 'x'.repeat(60), 'x'.repeat(60), 'never read'])
    let pulled = 0
    const counting = stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          pulled++
          controller.enqueue(chunk)
        },
      }),
    )
    await expect(async () => {
      for await (const _ of ndjsonValues(counting, 100)) void _
    }).rejects.toMatchObject({ problem: 'too-long', message: 'A line of the stream is longer than 100 bytes' })
    expect(pulled).toBeLessThan(4)
    // A line of exactly the limit is read; one byte more is not.
    expect(await read([`"${'y'.repeat(98)}"\n`], 100)).toEqual(['y'.repeat(98)])
    expect((await failure([`"${'y'.repeat(99)}"\n`], 100)).problem).toBe('too-long')
  })

  it('cancels the body when its reader stops early', async () => {
    const { stream, state } = body(['1\n2\n', '3\n', '4\n'])
    for await (const value of ndjsonValues(stream, 1024)) if (value === 2) break
    expect(state.cancelled).toBe(true)
  })

  it('gives the same values whatever the chunking of a valid body (property)', async () => {
    const json = fc.jsonValue({ maxDepth: 3 })
    await fc.assert(
      fc.asyncProperty(fc.array(json, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (values, offsets, blankLines) => {
        const text = values.map((value) => JSON.stringify(value) + (blankLines ? '\n\n' : '\n')).join('')
        const expected = values.map((value) => JSON.parse(JSON.stringify(value)) as unknown)
        expect(await read(cut(encoder.encode(text), offsets), 1 << 20)).toEqual(expected)
      }),
      { seed: 20260214, numRuns: 300 },
    )
  })

  it('never fails other than with an NdjsonError, whatever the bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), async (chunks) => {
        try {
          await read(chunks, 32)
        } catch (error) {
          expect(error).toBeInstanceOf(NdjsonError)
        }
      }),
      { seed: 20260215, numRuns: 300 },
    )
  })
})

/**
 * Reading a streamed reply: newline-delimited JSON, one value per line. The body comes off the
 * network: a line is bounded in bytes, a line that is not JSON or a body cut mid-line is an
 * {@link NdjsonError}, and the work is linear in the bytes read.
 */

/** Why a body could not be read as lines of JSON. */
export type NdjsonProblem = 'too-long' | 'not-json' | 'cut'

/** A body that is not newline-delimited JSON; `problem` says how. */
export class NdjsonError extends Error {
  override readonly name = 'NdjsonError'

  constructor(
    readonly problem: NdjsonProblem,
    message: string,
  ) {
    super(message)
  }
}

const NEWLINE = 0x0a

/**
 * The JSON values of a body, one per line, as the lines arrive; empty lines (and `\r` before a
 * newline) are skipped. A line longer than `maxLineBytes` throws as soon as it is known to be, so
 * memory holds at most one line. A last line without its newline is read when it is whole JSON
 * (an object closes itself), else the body was cut. Stopping the generator cancels the body.
 *
 * Lines are split on the newline byte before decoding: UTF-8 never uses that byte inside a
 * character, so a character split across chunks is decoded whole.
 */
export async function* ndjsonValues(body: ReadableStream<Uint8Array>, maxLineBytes: number): AsyncGenerator<unknown, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let pieces: Uint8Array[] = []
  let length = 0
  let complete = false
  try {
    for (;;) {
      const read = await reader.read()
      if (read.done) break
      const chunk: unknown = read.value
      // Bytes of another realm (a test environment's) are bytes all the same.
      if (!ArrayBuffer.isView(chunk)) throw new NdjsonError('not-json', 'The stream sent something other than bytes')
      const value = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      let start = 0
      for (let at = value.indexOf(NEWLINE); at !== -1; at = value.indexOf(NEWLINE, start)) {
        if (length + at - start > maxLineBytes) throw tooLong(maxLineBytes)
        pieces.push(value.subarray(start, at))
        const line = decodeLine(decoder, pieces)
        pieces = []
        length = 0
        start = at + 1
        if (line !== undefined) yield parseLine(line)
      }
      if (start < value.length) {
        length += value.length - start
        if (length > maxLineBytes) throw tooLong(maxLineBytes)
        pieces.push(value.subarray(start))
      }
    }
    complete = true
    const last = decodeLine(decoder, pieces)
    if (last === undefined) return
    let parsed: unknown
    try {
      parsed = JSON.parse(last)
    } catch {
      throw new NdjsonError('cut', 'The stream ended in the middle of a line')
    }
    yield parsed
  } finally {
    // Stopped early, or failed: the rest of the body is not wanted.
    if (!complete) reader.cancel().catch(() => {})
    try {
      reader.releaseLock()
    } catch {
      // Already released, or a read still pending: the body is cancelled either way.
    }
  }
}

/** The text of a line, `undefined` when it is empty (or only a `\r`). */
function decodeLine(decoder: TextDecoder, pieces: Uint8Array[]): string | undefined {
  let bytes: Uint8Array
  if (pieces.length === 1) bytes = pieces[0]!
  else {
    bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0))
    let offset = 0
    for (const piece of pieces) {
      bytes.set(piece, offset)
      offset += piece.length
    }
  }
  const text = decoder.decode(bytes)
  const line = text.endsWith('\r') ? text.slice(0, -1) : text
  return line.trim() === '' ? undefined : line
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    throw new NdjsonError('not-json', 'A line of the stream is not JSON')
  }
}

function tooLong(maxLineBytes: number): NdjsonError {
  return new NdjsonError('too-long', `A line of the stream is longer than ${maxLineBytes} bytes`)
}

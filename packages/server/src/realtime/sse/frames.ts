import { MizanError } from '../../errors.js'

/** The content types a POST of frames may declare: lines of JSON. */
const FRAME_TYPES = new Set(['application/x-ndjson', 'text/plain'])

/** True when `type` declares frames (`application/x-ndjson` or `text/plain`, any parameters). */
export function isFramesType(type: string | undefined): boolean {
  if (type === undefined) return false
  const semi = type.indexOf(';')
  return FRAME_TYPES.has((semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase())
}

const encoder = new TextEncoder()

/**
 * The client frames of a POST body, one per line (`\n`, or `\r\n`), blank lines skipped: each
 * within `maxMessageSize` bytes (413 otherwise, and none is taken), at least one (400). The frames
 * themselves are parsed by the connection, which answers a malformed one on the event stream.
 */
export function framesOf(body: string, maxMessageSize: number): string[] {
  const frames: string[] = []
  for (const raw of body.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') continue
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a line that may pass the limit is measured.
    if (line.length > maxMessageSize || (line.length * 3 > maxMessageSize && encoder.encode(line).length > maxMessageSize)) {
      throw new MizanError('PAYLOAD_TOO_LARGE', `A frame exceeds ${maxMessageSize} bytes`)
    }
    frames.push(line)
  }
  if (frames.length === 0) throw new MizanError('BAD_REQUEST', 'Send one or more frames, one JSON object per line')
  return frames
}

import { MizanError } from '../errors.js'
import { readLimited } from '../http/read-stream.js'

/** A result sent as bytes: a `Blob` (a `File` included) or a stream of bytes. */
export type BinaryValue = Blob | ReadableStream<Uint8Array>

/** Bytes of a binary result a JSON envelope (a batch entry, a WebSocket frame) may carry. */
export const MAX_ENVELOPE_BINARY = 16 * 1024 * 1024

const OCTET_STREAM = 'application/octet-stream'

/** True when a handler's result goes as bytes rather than JSON. */
export function isBinary(value: unknown): value is BinaryValue {
  return (typeof Blob !== 'undefined' && value instanceof Blob) || (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream)
}

function isFile(value: unknown): value is File {
  return typeof File !== 'undefined' && value instanceof File
}

/**
 * The headers of a single reply whose body is the bytes: the blob's type (else
 * `application/octet-stream`); a `File`'s name as an attachment. `nosniff` and a sandbox CSP keep
 * a browser from running what a user uploaded as a page of the API's origin, whatever its type.
 */
export function binaryHeaders(value: BinaryValue): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': (value instanceof Blob && value.type !== '' ? value.type : OCTET_STREAM),
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox',
  }
  if (isFile(value)) headers['content-disposition'] = contentDisposition(value.name)
  return headers
}

/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266): old clients read
 * the ASCII name, others the exact one.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/**
 * A binary result as a JSON envelope entry, `{"data":"<base64>","blob":{"type":...,"name"?:...}}`,
 * without its closing brace's neighbours (invalidations are added by the caller). A stream is read
 * to its end first; over {@link MAX_ENVELOPE_BINARY} the entry is refused (a server error: the
 * handler chose to return that much where only a single call can stream it).
 */
export async function binaryEntry(value: BinaryValue): Promise<string> {
  const bytes = value instanceof Blob ? await blobBytes(value) : await readLimited(value, MAX_ENVELOPE_BINARY, tooLargeForEnvelope)
  const blob: { type: string; name?: string } = { type: value instanceof Blob && value.type !== '' ? value.type : OCTET_STREAM }
  if (isFile(value)) blob.name = value.name
  return `{"data":"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}","blob":${JSON.stringify(blob)}}`
}

async function blobBytes(blob: Blob): Promise<Uint8Array> {
  if (blob.size > MAX_ENVELOPE_BINARY) throw tooLargeForEnvelope()
  return new Uint8Array(await blob.arrayBuffer())
}

function tooLargeForEnvelope(): MizanError {
  return new MizanError('INTERNAL_SERVER_ERROR', `A binary result over ${MAX_ENVELOPE_BINARY} bytes goes only in a single HTTP call, not in a batch or a WebSocket frame`)
}

/** Lets go of a binary result no one will read (a HEAD request, a refill dropped): a stream is cancelled. */
export function discardBinary(value: BinaryValue): void {
  if (!(value instanceof Blob)) value.cancel().catch(() => {})
}

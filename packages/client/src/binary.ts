/**
 * Binary answers: a procedure that returns a `Blob`, a `File` or a stream. Loaded only when a reply
 * carries one, so an app whose procedures answer JSON never downloads this module. Everything here
 * comes off the network: it checks what it reads and fails only the call it belongs to.
 */

/**
 * The value of an entry that carries a file:
 * - a JSON entry `{ data: "<base64>", blob: { type, name? } }` (a batch entry, a WebSocket
 *   result): the bytes as a `Blob`, a `File` when it has a name;
 * - a binary single-call reply, which the HTTP link hands over as `{ data: <the body as a Blob>,
 *   blob: <its Content-Disposition or null> }`: a `File` when the header names a file, else the
 *   `Blob` (typed by the response's `Content-Type`).
 * Throws a `TypeError` for anything else (`data` not base64 text, `blob` not an object).
 */
export function entryBlob(data: unknown, blob: unknown): Blob {
  if (data instanceof Blob) return named(data, data.type, typeof blob === 'string' ? fileNameOf(blob) : undefined)
  if (typeof data !== 'string' || typeof blob !== 'object' || blob === null) throw new TypeError('not a file entry')
  const { type, name } = blob as { type?: unknown; name?: unknown }
  // atob throws on text that is not base64; its length is bounded by the reply's.
  const bytes = Uint8Array.from(atob(data), (char) => char.charCodeAt(0))
  return named(new Blob([bytes], { type: typeof type === 'string' ? type : '' }), typeof type === 'string' ? type : '', typeof name === 'string' ? name : undefined)
}

/** A `File` of that name where the runtime has `File`, else the `Blob` itself. */
function named(blob: Blob, type: string, name: string | undefined): Blob {
  if (name === undefined || name === '' || typeof File === 'undefined') return blob
  return new File([blob], name, { type })
}

/**
 * The file name of a `Content-Disposition` header: `filename*=UTF-8''…` (percent-encoded UTF-8)
 * when present and well-formed, else `filename="…"` or a bare `filename=…`; `undefined` when the
 * header names none. The patterns are linear: a long hostile header costs its length, no more.
 */
export function fileNameOf(disposition: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*\s*=\s*utf-8'[^']*'([^;\s]*)/i.exec(disposition)
  if (extended !== null) {
    try {
      return decodeURIComponent(extended[1]!)
    } catch {
      // Malformed percent-encoding: fall back to the plain parameter.
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s"]*))/i.exec(disposition)
  if (plain === null) return undefined
  return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2]
}

/** Bytes of a file name at most: what common file systems allow in one path component. */
const MAX_NAME_BYTES = 255

/**
 * A client's file name made safe to show and store: its last path component only (after the last
 * `/` or `\`), without control characters, at most 255 UTF-8 bytes (cut between characters), and
 * `blob` when nothing is left (or only `.` / `..`). The name is the client's word, never a path the
 * server writes to: temporary files get random names of their own.
 */
export function safeFilename(raw: string | undefined): string {
  if (raw === undefined) return 'blob'
  const base = raw.slice(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1)
  // C0 and C1 controls and DEL: no newline, NUL or terminal escape survives into logs or headers.
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()
  const name = truncateUtf8(clean, MAX_NAME_BYTES)
  return name === '' || name === '.' || name === '..' ? 'blob' : name
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes that does not split a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 bytes: a short string needs no encoding.
  if (text.length * 3 <= maxBytes) return text
  let bytes = 0
  let end = 0
  for (const char of text) {
    const code = char.codePointAt(0)!
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
    if (bytes + size > maxBytes) break
    bytes += size
    end += char.length
  }
  return text.slice(0, end)
}

// File fields in the browser: what an `accept` list takes, sizes for people, and what leaves a
// query (files cannot travel in one; they are checked on submit). No zod here: see file-schema.ts.

/** True when `file` matches an `accept` list: MIME types, `type/*` wildcards and `.ext` suffixes. */
export function accepts(accept: string, file: Blob): boolean {
  const tokens = accept
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '')
  if (tokens.length === 0) return true
  const type = file.type.toLowerCase()
  const name = typeof (file as File).name === 'string' ? (file as File).name.toLowerCase() : ''
  return tokens.some((token) => (token.startsWith('.') ? name.endsWith(token) : token.endsWith('/*') ? type.startsWith(token.slice(0, -1)) : type === token))
}

/** A size for people: `2 MB`, `512 kB`, `10 bytes`. */
export function humanSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} kB`
  return `${bytes} bytes`
}

/** True for the values a query cannot carry: files and other blobs. */
export function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob
}

/** A copy of `values` without its files, for `validate` (a query): the server checks those on submit. */
export function withoutFiles(values: unknown): unknown {
  if (isBlob(values)) return undefined
  if (Array.isArray(values)) return values.filter((item) => !isBlob(item)).map(withoutFiles)
  if (typeof values !== 'object' || values === null) return values
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    // A list of files goes whole, as a single file does: the field is absent, not empty.
    const files = isBlob(value) || (Array.isArray(value) && value.length > 0 && value.every(isBlob))
    if (!files) copy[key] = withoutFiles(value)
  }
  return copy
}

import type { UploadProgress } from './types.js'
import type { WireInput } from './wire-input.js'
import { report, xhrFetch } from './xhr.js'

/**
 * Uploads: a mutation whose input holds files goes as one `multipart/form-data` request. Loaded
 * with the first such call, so apps that never upload never download it.
 *
 * Parts, in order: `input` (the JSON of the input with its files left out: in an object the key is
 * omitted, in an array a `null` holds the file's place), `meta` (superjson's, when the input needs
 * it), then one file part per file, named by its path from `input` (`input.image`,
 * `input.attachments.0`; `input` when the whole input is a file).
 */

/** A file of the input, with the part name that says where it goes back. */
export interface FilePart {
  name: string
  file: Blob
}

/** Marks a file taken out of the input. */
const TAKEN: unique symbol = Symbol('taken')

/**
 * Takes the files out of an input: the input without them (`undefined` when the input is a file)
 * and the files with their part names. Only plain objects and arrays are walked, as in `hasBlob`.
 * Throws a `TypeError` for a query (files go with mutations) and on a cyclic input (JSON could not
 * send it either): the call then fails alone, unsent, as for any input that cannot be encoded.
 */
export function splitFiles(kind: 'query' | 'mutation', input: unknown): { rest: unknown; files: FilePart[] } {
  // Checked here, in the module an input with files loads, to keep the core small.
  if (kind === 'query') throw new TypeError('a query cannot take files; files go with mutations')
  const files: FilePart[] = []
  const open = new Set<unknown>()
  const walk = (value: unknown, path: string): unknown => {
    if (value instanceof Blob) {
      files.push({ name: path, file: value })
      return TAKEN
    }
    const array = Array.isArray(value)
    if (!array && !plain(value)) return value
    if (open.has(value)) throw new TypeError('the input is circular')
    open.add(value)
    let out: unknown
    if (array) {
      out = (value as unknown[]).map((item, index) => {
        const kept = walk(item, `${path}.${index}`)
        return kept === TAKEN ? null : kept
      })
    } else {
      const copy: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const kept = walk(item, `${path}.${key}`)
        // defineProperty: an own `__proto__` key (JSON.parse makes them) stays a key, not a prototype.
        if (kept !== TAKEN) Object.defineProperty(copy, key, { value: kept, enumerable: true, writable: true, configurable: true })
      }
      out = copy
    }
    open.delete(value)
    return out
  }
  const rest = walk(input, 'input')
  return { rest: rest === TAKEN ? undefined : rest, files }
}

/** The name a file part carries: the `File`'s name, else `blob`. */
function fileName(file: Blob): string {
  const name = (file as Partial<File>).name
  return typeof name === 'string' && name !== '' ? name : 'blob'
}

/**
 * The request body of an upload: `wire`, the input without its files as written for the wire (the
 * caller writes it, with the client's transformer), then the files.
 */
export function uploadBody({ json, meta }: WireInput, files: readonly FilePart[]): FormData {
  const form = new FormData()
  if (json !== undefined) form.append('input', json)
  if (meta !== undefined) form.append('meta', meta)
  for (const { name, file } of files) form.append(name, file, fileName(file))
  return form
}

/**
 * The transport of an upload, given the client's headers (as for any call, with its connection).
 * With `onProgress` and an `XMLHttpRequest` (browsers): XHR, which reports upload progress as the
 * bytes leave. Otherwise the client's `fetch`, which cannot, so progress is reported once, when the
 * server's answer arrives, with `loaded === total` (the size of the parts).
 *
 * The body's own `Content-Type` (with its boundary) replaces any the app set; `x-mizan-upload: 1`
 * is added: a custom header makes a cross-site upload need a CORS preflight, which a plain HTML
 * form posting multipart with the user's cookies cannot pass.
 */
export function uploadFetch(fetchImpl: typeof fetch, body: FormData, onProgress: ((progress: UploadProgress) => void) | undefined): typeof fetch {
  const transport: typeof fetch =
    onProgress === undefined
      ? fetchImpl
      : typeof XMLHttpRequest !== 'undefined'
        ? xhrFetch(onProgress)
        : async (url, init) => {
            const response = await fetchImpl(url, init)
            let size = 0
            for (const [, value] of body) size += typeof value === 'string' ? new Blob([value]).size : value.size
            report(onProgress, size, size)
            return response
          }
  return (url, init) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries((init?.headers ?? {}) as Record<string, string>)) {
      if (name.toLowerCase() !== 'content-type') headers[name] = value
    }
    headers['x-mizan-upload'] = '1'
    return transport(url, { ...init, headers })
  }
}

/** A `{}` object or one without prototype: the objects walked, as `hasBlob` does. */
function plain(value: unknown): value is Record<string, unknown> {
  const proto = typeof value === 'object' && value !== null ? (Object.getPrototypeOf(value) as unknown) : undefined
  return proto === Object.prototype || proto === null
}

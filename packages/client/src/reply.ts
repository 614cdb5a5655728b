import type { ErrorShape, InvalidationWire } from '@mizan/wire'
import type { ClientInvalidation } from './http-link.js'
import { MizanClientError } from './errors.js'
import type { ClientTransformer } from './serializer.js'

/**
 * Reading what a server answered. Everything here comes off the network, from a server that may be
 * broken, hostile or simply another version: every field is checked, nothing throws, and the worst
 * an odd reply can do is fail the call it belongs to.
 */

/** One result as read from a reply: data, or an error shape, plus the invalidations it carries. */
export interface ReplyEntry {
  data: unknown
  meta: unknown
  /** The entry reports a failure: it has an `error`, well-formed or not. */
  failed: boolean
  /** The error object, when the entry has one (its fields are checked by `errorFromShape`). */
  error: ErrorShape | undefined
  /** The `invalidate` list when the entry has one; `undefined` when absent. */
  invalidate: InvalidationWire[] | undefined
  /** `{ type, name? }` when `data` is a file's bytes in base64 (checked when decoded). */
  blob: unknown
}

/** Reads one result envelope; `undefined` when `value` is not one (not a plain object). */
export function readEntry(value: unknown): ReplyEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const entry = value as Record<string, unknown>
  const error = typeof entry.error === 'object' && entry.error !== null && !Array.isArray(entry.error) ? (entry.error as ErrorShape) : undefined
  return {
    data: entry.data,
    meta: entry.meta,
    failed: entry.error !== undefined,
    error,
    invalidate: entry.invalidate === undefined ? undefined : readInvalidations(entry.invalidate),
    blob: entry.blob,
  }
}

/** The well-formed invalidations of a list (each needs a string `path`); anything else is none. */
export function readInvalidations(value: unknown): InvalidationWire[] {
  if (!Array.isArray(value)) return []
  return value.filter((item): item is InvalidationWire => typeof item === 'object' && item !== null && typeof (item as InvalidationWire).path === 'string')
}

/**
 * Decodes the inputs of invalidations. An input that does not decode (bad `meta`) degrades to its
 * path: every key of that procedure is invalidated, coarser but never lost. Never rejects.
 */
export async function decodeInvalidations(transformer: ClientTransformer, list: readonly InvalidationWire[]): Promise<ClientInvalidation[]> {
  return Promise.all(
    list.map(async ({ path, input, meta }): Promise<ClientInvalidation> => {
      if (input === undefined) return { path }
      try {
        return { path, input: await transformer.decode(input, meta) }
      } catch {
        return { path }
      }
    }),
  )
}

/**
 * The value of a successful entry: decoded by the transformer, or, for an entry that carries a
 * file (`blob`), a `Blob`/`File` made from its base64 bytes by a module loaded only then.
 * Rejects when it does not decode.
 */
export function entryValue(transformer: ClientTransformer, entry: ReplyEntry): unknown {
  return entry.blob === undefined ? transformer.decode(entry.data, entry.meta) : import('./binary.js').then((binary) => binary.entryBlob(entry.data, entry.blob))
}

/** Parses a body as JSON; `undefined` when it is not JSON. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * An error shape with its `data` decoded by the transformer when the server sent `meta` (a
 * declared error's Date, say). Data that does not decode stays as the JSON it came as: the error
 * is still the server's error. Never rejects.
 */
export async function decodeErrorShape(transformer: ClientTransformer, shape: ErrorShape): Promise<ErrorShape> {
  const { data, meta } = shape
  if (meta === undefined || meta === null || typeof data !== 'object' || data === null || Array.isArray(data)) return shape
  try {
    const decoded: unknown = await transformer.decode(data, meta)
    return typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded) ? { ...shape, data: decoded as Record<string, unknown> } : shape
  } catch {
    return shape
  }
}

/** The message of a reply (or frame, or line) that is no Mizan reply. */
export const NOT_A_REPLY = 'The server answered with something that is not a Mizan reply'

/** What a call fails with when its reply (or frame, or line) is no Mizan reply entry; `status` the HTTP status, 0 off HTTP. */
export function notAReply(path: string, status = 0): MizanClientError {
  return new MizanClientError({ code: 'INTERNAL_SERVER_ERROR', status, message: NOT_A_REPLY }, path)
}

/** What a call fails with when the transformer cannot decode its reply's value. */
export function undecodable(path: string, status: number, cause: unknown): MizanClientError {
  return new MizanClientError({ code: 'INTERNAL_SERVER_ERROR', status, message: 'The response could not be decoded' }, path, cause)
}

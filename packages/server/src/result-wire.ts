import type { InvalidationWire, Transformer } from '@mizan/wire'
import { CachedAnswer } from './cache/origin-cache.js'
import type { CallResult, Invalidation } from './dispatch.js'
import { toErrorShape } from './errors.js'
import type { MaybePromise } from './maybe-promise.js'
import { whenLoaded } from './transformer.js'
import { binaryEntry, isBinary } from './files/binary-output.js'

/**
 * Characters the invalidations of one reply or push frame may take. A frame far larger than this
 * would eat a socket's send buffer (a consumer that far behind is dropped): over it, the entries
 * become coarser (see {@link boundedInvalidations}).
 */
export const MAX_FRAME_INVALIDATIONS = 64 * 1024

/**
 * One call's result as JSON text, the same in an HTTP batch and on the WebSocket:
 * `{"data":...,"meta"?:...,"invalidate"?:[...]}`, `{}` for `undefined`, or `{"error":{...}}`.
 * A result that is bytes is `{"data":"<base64>","blob":{"type":...,"name"?:...}}`, read first (a
 * failure there, such as a stream over 16 MiB, is the entry's error, given to `report`).
 * Synchronous except when superjson has to load first (see whenLoaded), or for bytes.
 */
export function resultText(result: CallResult, transformer: Transformer, isDev: boolean, report?: (error: unknown) => void): MaybePromise<string> {
  if (result.ok && isBinary(result.data)) return binaryText(result, transformer, isDev, result.data, report)
  return whenLoaded(() => resultTextNow(result, transformer, isDev))
}

async function binaryText(result: CallResult, transformer: Transformer, isDev: boolean, data: Blob | ReadableStream<Uint8Array>, report: ((error: unknown) => void) | undefined): Promise<string> {
  let entry: string
  try {
    entry = await binaryEntry(data)
  } catch (error) {
    report?.(error)
    entry = JSON.stringify({ error: toErrorShape(error, isDev) })
  }
  const invalidate = result.invalidations.length > 0 ? await whenLoaded(() => boundedInvalidations(result.invalidations, transformer, MAX_FRAME_INVALIDATIONS, JSON.stringify)) : undefined
  return withInvalidate(entry, invalidate)
}

function resultTextNow(result: CallResult, transformer: Transformer, isDev: boolean): string {
  const invalidate = result.invalidations.length > 0 ? boundedInvalidations(result.invalidations, transformer, MAX_FRAME_INVALIDATIONS, JSON.stringify) : undefined
  if (!result.ok) return withInvalidate(JSON.stringify({ error: toErrorShape(result.error, isDev, transformer) }), invalidate)
  if (result.data instanceof CachedAnswer) return result.data.body
  if (result.data === undefined) return withInvalidate('{}', invalidate)
  const { json, meta } = transformer.serialize(result.data)
  return withInvalidate(JSON.stringify({ data: json, meta }), invalidate)
}

/** Adds the encoded invalidations as the last member of an object's JSON text. */
function withInvalidate(objectText: string, invalidate: string | undefined): string {
  if (invalidate === undefined) return objectText
  return `${objectText === '{}' ? '{' : objectText.slice(0, -1) + ','}"invalidate":${invalidate}}`
}

/** Invalidations as sent: inputs serialized by the transformer. */
export function invalidationsWire(list: readonly Invalidation[], transformer: Transformer): InvalidationWire[] {
  return list.map((entry) => {
    if (entry.input === undefined) return { path: entry.path }
    const { json, meta } = transformer.serialize(entry.input)
    return meta === undefined ? { path: entry.path, input: json } : { path: entry.path, input: json, meta }
  })
}

/**
 * Invalidations encoded where space is bounded (a response header, a push frame). Over `maxLength`,
 * entries become coarser rather than lost: first one path-level entry per path (every input of the
 * procedure), then one per top-level router. A client then refetches more than it had to, never less.
 */
export function boundedInvalidations(
  list: readonly Invalidation[],
  transformer: Transformer,
  maxLength: number,
  encode: (wire: readonly InvalidationWire[]) => string,
): string {
  const full = encode(invalidationsWire(list, transformer))
  if (full.length <= maxLength) return full
  const byPath = encode(uniquePaths(list.map((entry) => entry.path)))
  if (byPath.length <= maxLength) return byPath
  return encode(uniquePaths(list.map((entry) => entry.path.split('.', 1)[0]!)))
}

function uniquePaths(paths: readonly string[]): InvalidationWire[] {
  return [...new Set(paths)].map((path) => ({ path }))
}

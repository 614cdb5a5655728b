import type { InvalidationWire, Transformer } from '@mizan/wire'
import { CachedAnswer } from './cache/origin-cache.js'
import type { CallResult, Invalidation } from './dispatch.js'
import { toErrorShape } from './errors.js'

/**
 * One call's result as JSON text, the same in an HTTP batch and on the WebSocket:
 * `{"data":...,"meta"?:...,"invalidate"?:[...]}`, `{}` for `undefined`, or `{"error":{...}}`.
 */
export function resultText(result: CallResult, transformer: Transformer, isDev: boolean): string {
  const invalidate = result.invalidations.length > 0 ? invalidationsWire(result.invalidations, transformer) : undefined
  if (!result.ok) return JSON.stringify({ error: toErrorShape(result.error, isDev), invalidate })
  if (result.data instanceof CachedAnswer) return result.data.body
  if (result.data === undefined) return invalidate === undefined ? '{}' : JSON.stringify({ invalidate })
  const { json, meta } = transformer.serialize(result.data)
  return JSON.stringify({ data: json, meta, invalidate })
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

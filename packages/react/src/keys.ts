import type { ClientInvalidation } from '@mizan/client'
import { hashKey, type Query } from '@tanstack/react-query'

/** `'query'` for plain queries, `'infinite'` for infinite ones, `'stream'` for streamed ones: part of every key. */
export type QueryType = 'query' | 'infinite' | 'stream'

/**
 * A Mizan query key: `[pathSegments, { input?, shape?, type }]`, the shape tRPC and oRPC use, so
 * prefix matching and devtools habits carry over. `shape` (a query's selection of fields, or the
 * name of a shape) keeps each shape of an input in its own cache entry.
 */
export type MizanQueryKey = [path: string[], meta: { input?: unknown; shape?: unknown; type: QueryType }]

/** The key of every query under a path: `[pathSegments]`, for TanStack's prefix matching. */
export type MizanPathKey = [path: string[]]

/**
 * Builds a query key; an `undefined` input or shape is left out, so `queryKey()` and
 * `queryKey(undefined)` agree, and an unshaped key is what it was before shapes.
 */
export function queryKeyOf(path: string, input: unknown, type: QueryType, shape?: unknown): MizanQueryKey {
  const segments = path.split('.')
  if (shape === undefined) return [segments, input === undefined ? { type } : { input, type }]
  return [segments, input === undefined ? { shape, type } : { input, shape, type }]
}

/**
 * True when a cached query is what an invalidation names: under its path, and of its input when
 * given, whatever its shape (the server's data changed, not a view of it). An input that cannot be hashed (TanStack's `hashKey` cannot hash a BigInt, say) names no
 * one key, so it matches the whole path: coarser, never lost. A target without a string path
 * matches nothing.
 */
export function matchesInvalidation(queryKey: readonly unknown[], target: ClientInvalidation): boolean {
  return invalidationPredicate([target])({ queryKey } as Query)
}

/**
 * A TanStack filter predicate for a set of invalidations. The set is indexed once (paths to
 * invalidate whole, and per path the hashes of single keys), so testing a query costs the depth of
 * its path, not the size of the set: a server may announce thousands of entries.
 */
export function invalidationPredicate(targets: readonly ClientInvalidation[]): (query: Query) => boolean {
  const whole = new Set<string>()
  const single = new Map<string, Set<string>>()
  for (const target of targets) {
    const path = (target as Partial<ClientInvalidation> | null | undefined)?.path
    if (typeof path !== 'string') continue
    const hash = target.input === undefined ? undefined : hashOf(target.input)
    if (hash === undefined) {
      whole.add(path)
      continue
    }
    let hashes = single.get(path)
    if (hashes === undefined) single.set(path, (hashes = new Set()))
    hashes.add(hash)
  }
  return (query) => {
    const [segments, meta] = query.queryKey
    if (!Array.isArray(segments) || typeof meta !== 'object' || meta === null || !('type' in meta)) return false
    let path = ''
    for (let i = 0; i < segments.length; i++) {
      const segment: unknown = segments[i]
      if (typeof segment !== 'string') return false
      path = i === 0 ? segment : `${path}.${segment}`
      if (whole.has(path)) return true
    }
    // One key: the same procedure and an equal input (hashKey compares objects whatever their key
    // order). The shape is not compared: an input's every shape shows the same changed data.
    const hashes = single.get(path)
    if (hashes === undefined) return false
    const hash = hashOf((meta as { input?: unknown }).input)
    return hash !== undefined && hashes.has(hash)
  }
}

/** TanStack's hash of an input, or `undefined` when it cannot hash it. */
function hashOf(input: unknown): string | undefined {
  try {
    return hashKey([input])
  } catch {
    return undefined
  }
}

import type { ClientInvalidation } from '@mizan/client'
import { hashKey, type Query } from '@tanstack/react-query'

/** `'query'` for plain queries, `'infinite'` for infinite ones: part of every key. */
export type QueryType = 'query' | 'infinite'

/**
 * A Mizan query key: `[pathSegments, { input?, type }]`, the shape tRPC and oRPC use, so prefix
 * matching and devtools habits carry over.
 */
export type MizanQueryKey = [path: string[], meta: { input?: unknown; type: QueryType }]

/** The key of every query under a path: `[pathSegments]`, for TanStack's prefix matching. */
export type MizanPathKey = [path: string[]]

/** Builds a query key; `undefined` input is left out so `queryKey()` and `queryKey(undefined)` agree. */
export function queryKeyOf(path: string, input: unknown, type: QueryType): MizanQueryKey {
  return [path.split('.'), input === undefined ? { type } : { input, type }]
}

/** True when a cached query is what an invalidation names: under its path, and of its input when given. */
export function matchesInvalidation(queryKey: readonly unknown[], target: ClientInvalidation): boolean {
  const [segments, meta] = queryKey
  if (!Array.isArray(segments) || typeof meta !== 'object' || meta === null || !('type' in meta)) return false
  const wanted = target.path.split('.')
  if (segments.length < wanted.length) return false
  for (let i = 0; i < wanted.length; i++) if (segments[i] !== wanted[i]) return false
  if (target.input === undefined) return true
  // One key: the same procedure and an equal input (hashKey compares objects whatever their key order).
  return segments.length === wanted.length && hashKey([(meta as { input?: unknown }).input]) === hashKey([target.input])
}

/** A TanStack filter predicate for a set of invalidations. */
export function invalidationPredicate(targets: readonly ClientInvalidation[]): (query: Query) => boolean {
  return (query) => targets.some((target) => matchesInvalidation(query.queryKey, target))
}

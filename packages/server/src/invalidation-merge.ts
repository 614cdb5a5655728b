import { needsTransform } from '@mizan/wire'
import type { Invalidation } from './dispatch.js'

/** Declared paths first, then what the handler added, each target once. */
export function mergeInvalidations(declared: readonly Invalidation[], added: readonly Invalidation[]): Invalidation[] {
  const seen = new Set(declared.map((entry) => entry.path))
  const merged = [...declared]
  for (const entry of added) {
    const key = entry.input === undefined ? entry.path : stableKey(entry.path, entry.input)
    if (key !== undefined) {
      if (seen.has(key)) continue
      seen.add(key)
    }
    merged.push(entry)
  }
  return merged
}

/** A key equal for equal inputs whatever their key order; `undefined` (no merging) when JSON cannot express them. */
function stableKey(path: string, input: unknown): string | undefined {
  if (needsTransform(input)) return undefined
  try {
    return path + '\u0000' + JSON.stringify(input, (_key, inner: unknown) =>
      inner !== null && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
    )
  } catch {
    return undefined
  }
}

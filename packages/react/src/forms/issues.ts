// Issues keyed by full dotted path ('address.city' → messages), as a form's state holds them: what a
// change makes stale and which field an issue belongs to. Reading them from answers is answers.ts.
import { isUnder } from './paths.js'

/** Messages per full dotted path. */
export type IssueMap = ReadonlyMap<string, readonly string[]>

/** An empty map, shared. */
export const NO_ISSUES: IssueMap = new Map()

/** A copy of `map` without the paths `drop` selects. */
export function withoutPaths(map: IssueMap, drop: (path: string) => boolean): IssueMap {
  let changed = false
  const kept = new Map<string, readonly string[]>()
  for (const [path, messages] of map) {
    if (drop(path)) changed = true
    else kept.set(path, messages)
  }
  return changed ? kept : map
}

/**
 * Whether a change at `changed` makes an issue at `path` stale: the same path, one under it, or the
 * object or list holding it ('items' when 'items.0.name' changed). Issues about the whole input
 * ('') stay until the next submit.
 */
export function touchedBy(path: string, changed: string): boolean {
  return path !== '' && (isUnder(path, changed) || isUnder(changed, path))
}

/** The name of the field an issue path belongs to: the field itself or the nearest one holding it. */
export function fieldOfPath(fieldNames: readonly string[], path: string): string | undefined {
  let best: string | undefined
  for (const name of fieldNames) if (isUnder(path, name) && (best === undefined || name.length > best.length)) best = name
  return best
}

/** Whether `map` holds an issue at `field` or under it. */
export function hasUnder(map: IssueMap, field: string): boolean {
  for (const path of map.keys()) if (isUnder(path, field)) return true
  return false
}

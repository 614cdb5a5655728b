// Issues read from the browser's schema, from `validate`'s answers and from a failed `submit`, keyed
// by full dotted path. Whatever comes from the network is checked first: a malformed answer yields no
// issues rather than a crash.
import type { ValidationIssue } from '@mizan/server'
import { isUnder, joinPath } from './paths.js'
import { withoutPaths, type IssueMap } from './issues.js'

/** Groups issues by their path ('' for the input itself), in order. */
export function issueMap(issues: readonly ValidationIssue[]): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const issue of issues) {
    const path = joinPath(issue.path)
    let messages = map.get(path)
    if (messages === undefined) map.set(path, (messages = []))
    messages.push(issue.message)
  }
  return map
}

function isIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== 'object' || value === null) return false
  const { path, message } = value as Partial<ValidationIssue>
  return typeof message === 'string' && Array.isArray(path) && path.every((key) => typeof key === 'string' || typeof key === 'number')
}

/**
 * The issues of a validation answer or of a failed call's `data`: `issues` (full paths) when well
 * formed, else `fieldErrors` (their keys taken as paths). `undefined` when it holds neither.
 */
export function issuesOfData(data: unknown): Map<string, string[]> | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const { issues, fieldErrors } = data as { issues?: unknown; fieldErrors?: unknown }
  if (Array.isArray(issues) && issues.every(isIssue)) return issueMap(issues)
  if (typeof fieldErrors === 'object' && fieldErrors !== null && !Array.isArray(fieldErrors)) {
    const map = new Map<string, string[]>()
    for (const [path, messages] of Object.entries(fieldErrors)) {
      if (Array.isArray(messages) && messages.every((m) => typeof m === 'string') && messages.length > 0) map.set(path, [...messages])
    }
    return map
  }
  return undefined
}

/** The field issues of a failed submit: a `BAD_REQUEST` carrying `data.issues`/`data.fieldErrors`. */
export function issuesOfError(error: unknown): Map<string, string[]> | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { code, data } = error as { code?: unknown; data?: unknown }
  return code === 'BAD_REQUEST' ? issuesOfData(data) : undefined
}

/** The issues of `map` under `field` replaced by those of `next` under it. */
export function replaceUnder(map: IssueMap, field: string, next: IssueMap): IssueMap {
  const kept = new Map(withoutPaths(map, (path) => isUnder(path, field)))
  for (const [path, messages] of next) if (isUnder(path, field)) kept.set(path, messages)
  return kept
}

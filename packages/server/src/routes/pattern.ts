/**
 * A route's path pattern (`/files/:id`): literal segments and `:name` segments, each a whole
 * segment. Matching works on the raw path, segment by segment, and decodes each segment on its own,
 * so an encoded slash (`%2F`) stays inside one parameter and never creates a segment.
 */
export interface PathPattern {
  /** The pattern as written, normalized (no trailing slash). */
  readonly source: string
  /** Each segment: a literal, or a parameter name. */
  readonly segments: readonly PatternSegment[]
  /** The names of the parameters, in order. */
  readonly names: readonly string[]
}

/** One segment of a {@link PathPattern}. */
export type PatternSegment = { readonly literal: string } | { readonly param: string }

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const LITERAL = /^[A-Za-z0-9._~!$&'()*+,;=@-]+$/

/** Parses a pattern, throwing a TypeError that names `where` for anything it cannot serve. */
export function parsePattern(source: string, where: string): PathPattern {
  if (typeof source !== 'string' || !source.startsWith('/')) throw new TypeError(`Mizan: ${where}: path must start with "/" (got ${JSON.stringify(source)})`)
  const trimmed = source.length > 1 && source.endsWith('/') ? source.slice(0, -1) : source
  const parts = trimmed === '/' ? [] : trimmed.slice(1).split('/')
  const names: string[] = []
  const segments = parts.map((part): PatternSegment => {
    if (part.startsWith(':')) {
      const name = part.slice(1)
      if (!PARAM_NAME.test(name)) throw new TypeError(`Mizan: ${where}: "${part}" is not a parameter name (letters, digits and _)`)
      if (names.includes(name)) throw new TypeError(`Mizan: ${where}: parameter "${name}" appears twice`)
      names.push(name)
      return { param: name }
    }
    if (!LITERAL.test(part) || part === '.' || part === '..') throw new TypeError(`Mizan: ${where}: segment "${part}" of "${source}" cannot be matched (empty, dot or reserved characters)`)
    return { literal: part }
  })
  return { source: trimmed, segments, names }
}

/**
 * Matches a raw path (still percent-encoded, without query) against a pattern: the decoded
 * parameters, or `undefined`. A segment that is empty, does not decode, or decodes to `.` or `..`
 * never matches: handlers that build file paths from a parameter are not handed a traversal.
 */
export function matchPattern(pattern: PathPattern, parts: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== pattern.segments.length) return undefined
  let params: Record<string, string> | undefined
  for (let index = 0; index < parts.length; index++) {
    const segment = pattern.segments[index]!
    const raw = parts[index]!
    if ('literal' in segment) {
      if (raw !== segment.literal) return undefined
      continue
    }
    const value = decodeSegment(raw)
    if (value === undefined) return undefined
    ;(params ??= Object.create(null) as Record<string, string>)[segment.param] = value
  }
  return params ?? (Object.create(null) as Record<string, string>)
}

/** Splits a raw path into its segments; `/` alone has none. */
export function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  return trimmed === '/' || trimmed === '' ? [] : trimmed.slice(1).split('/')
}

function decodeSegment(raw: string): string | undefined {
  if (raw === '') return undefined
  let value = raw
  if (raw.includes('%')) {
    try {
      value = decodeURIComponent(raw)
    } catch {
      return undefined
    }
  }
  return value === '.' || value === '..' ? undefined : value
}

/**
 * Two patterns that can match the same path: same length, and at each place equal literals or a
 * parameter on either side. The router refuses such pairs when they share a method.
 */
export function patternsOverlap(a: PathPattern, b: PathPattern): boolean {
  if (a.segments.length !== b.segments.length) return false
  return a.segments.every((segment, index) => {
    const other = b.segments[index]!
    return 'param' in segment || 'param' in other || segment.literal === other.literal
  })
}

/** The parameters of a pattern as a type: `'/files/:id'` gives `{ id: string }`. */
export type PathParams<P extends string> = Flatten<ParamsOf<P>>
type ParamsOf<P extends string> = P extends `${infer Head}/${infer Tail}` ? ParamsOf<Head> & ParamsOf<Tail> : P extends `:${infer Name}` ? { [K in Name]: string } : {}
type Flatten<T> = { [K in keyof T]: T[K] }

/**
 * Envelopes: how a value crosses the wire. `json` is plain JSON; `meta`, present only when the value
 * holds types JSON cannot carry (Date, Map, Set, BigInt, undefined, ...), is superjson's description
 * of them. A peer that never sends such types never sees `meta`, so plain `curl` works.
 */
export interface Serialized {
  json: unknown
  meta?: unknown
}

/** Turns values into envelopes and back. `superjson` is the default; `json` sends plain JSON only. */
export interface Transformer {
  readonly name: string
  serialize(value: unknown): Serialized
  deserialize(json: unknown, meta: unknown): unknown
}

/** The body of a call: the `input` query parameter (GET), or one element of a POST body. */
export interface CallEnvelope {
  input?: unknown
  meta?: unknown
}

/** One result: `data` (absent when the procedure returned `undefined`), or `error`. */
export type ResultEnvelope =
  | { data?: unknown; meta?: unknown; invalidate?: InvalidationWire[]; error?: undefined }
  | { error: import('./codes.js').ErrorShape; invalidate?: InvalidationWire[] }

/** An invalidation as sent: a path (procedure or router prefix) and, for one key, its input. */
export interface InvalidationWire {
  path: string
  input?: unknown
  meta?: unknown
}

const MAX_PLAIN_DEPTH = 256

/**
 * True when `value` holds something plain JSON would change or lose. Checking is a fraction of
 * superjson's own walk, so values made only of JSON types (the common case) skip superjson.
 */
export function needsTransform(value: unknown): boolean {
  return !isPlain(value, 0)
}

function isPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      // NaN, ±Infinity and -0 do not survive JSON.
      return Number.isFinite(value) && !Object.is(value, -0)
    case 'object': {
      if (value === null) return true
      if (depth > MAX_PLAIN_DEPTH) return false
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlain(value[i], depth + 1)) return false
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      for (const key in value) {
        if (!isPlain((value as Record<string, unknown>)[key], depth + 1)) return false
      }
      return true
    }
    default:
      // undefined, bigint, symbol, function
      return false
  }
}

/** Plain JSON: values go as they are, types JSON cannot carry are lost as `JSON.stringify` loses them. */
export const jsonTransformer: Transformer = {
  name: 'json',
  serialize: (value) => ({ json: value }),
  deserialize: (json) => json,
}

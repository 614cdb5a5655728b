import { MizanError } from '../errors.js'

/** How much of a JSON document may be walked: nesting depth and the number of values. */
export interface JsonBounds {
  readonly maxDepth: number
  readonly maxNodes: number
}

/**
 * Parses untrusted JSON and refuses what could hurt later code: nesting deeper than `maxDepth`
 * (stack exhaustion in recursive consumers), more than `maxNodes` values (work for validators,
 * cache keys and serializers out of proportion to the limit), and `__proto__` keys, or
 * `constructor.prototype` (prototype pollution in naive deep merges).
 */
export function parseUntrustedJson(text: string, bounds: JsonBounds, what: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MizanError('BAD_REQUEST', `Malformed JSON in ${what}`)
  }
  guardJson(value, bounds)
  return value
}

/**
 * The checks of {@link parseUntrustedJson} on an already parsed value (a framework's `req.body`).
 * The walk stops at the first bound it crosses, so its cost never exceeds the bounds.
 */
export function guardJson(value: unknown, bounds: JsonBounds): void {
  if (typeof value !== 'object' || value === null) return
  const budget = { left: bounds.maxNodes - 1 }
  try {
    walk(value, bounds.maxDepth, budget)
  } catch (error) {
    if (error === TOO_MANY) throw new MizanError('BAD_REQUEST', `Input holds more than ${bounds.maxNodes} values`)
    throw error
  }
}

function walk(value: object, depth: number, budget: { left: number }): void {
  if (depth <= 0) throw new MizanError('BAD_REQUEST', 'Input is nested too deeply')
  if (Array.isArray(value)) {
    if ((budget.left -= value.length) < 0) throw TOO_MANY
    for (const item of value) if (typeof item === 'object' && item !== null) walk(item, depth - 1, budget)
    return
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    if (--budget.left < 0) throw TOO_MANY
    const child = (value as Record<string, unknown>)[key]
    if (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child)) {
      throw new MizanError('BAD_REQUEST', `Forbidden key "${key}" in input`)
    }
    if (typeof child === 'object' && child !== null) walk(child, depth - 1, budget)
  }
}

// Thrown deep in the walk and turned into the error at the top, where the limit is known.
const TOO_MANY = Symbol('too many values')

import { MizanError } from '../errors.js'

/**
 * Parses untrusted JSON and refuses what could hurt later code: nesting deeper than `maxDepth`
 * (stack exhaustion in recursive consumers) and `__proto__` keys, or `constructor.prototype`
 * (prototype pollution in naive deep merges).
 */
export function parseUntrustedJson(text: string, maxDepth: number, what: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MizanError('BAD_REQUEST', `Malformed JSON in ${what}`)
  }
  guardJson(value, maxDepth)
  return value
}

/** The checks of {@link parseUntrustedJson} on an already parsed value (a framework's `req.body`). */
export function guardJson(value: unknown, maxDepth: number): void {
  if (typeof value === 'object' && value !== null) walk(value, maxDepth)
}

function walk(value: object, depth: number): void {
  if (depth <= 0) throw new MizanError('BAD_REQUEST', 'Input is nested too deeply')
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) walk(item, depth - 1)
    return
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const child = (value as Record<string, unknown>)[key]
    if (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child)) {
      throw new MizanError('BAD_REQUEST', `Forbidden key "${key}" in input`)
    }
    if (typeof child === 'object' && child !== null) walk(child, depth - 1)
  }
}

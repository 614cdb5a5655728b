import type { InvalidationWire } from './envelope.js'

/** The response header that lists a single call's invalidations as a JSON array. */
export const INVALIDATE_HEADER = 'x-mizan-invalidate'

/**
 * Encodes invalidations for a header. Header values must be ASCII, so every other character is
 * written as a JSON `\u` escape: `JSON.parse` reads the value back unchanged.
 */
export function encodeInvalidateHeader(list: readonly InvalidationWire[]): string {
  return JSON.stringify(list).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** Reads the header back; a malformed value yields no invalidations rather than an error. */
export function decodeInvalidateHeader(value: string | null): InvalidationWire[] {
  if (!value) return []
  try {
    const parsed: unknown = JSON.parse(value)
    return Array.isArray(parsed) ? parsed.filter(isInvalidation) : []
  } catch {
    return []
  }
}

function isInvalidation(value: unknown): value is InvalidationWire {
  return typeof value === 'object' && value !== null && typeof (value as InvalidationWire).path === 'string'
}

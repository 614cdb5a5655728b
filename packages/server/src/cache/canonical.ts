/**
 * A canonical text of a value: equal inputs give equal text whatever their key order, and values
 * JSON would confuse stay apart (a Date and its ISO string, `undefined` and a missing key, 1n and 1).
 * Every value starts with a type letter and strings are JSON-quoted, so no two values share a text.
 */
export function canonical(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'S' + quote(value)
    case 'number':
      return 'N' + (Object.is(value, -0) ? '-0' : String(value))
    case 'boolean':
      return value ? 't' : 'f'
    case 'undefined':
      return 'u'
    case 'bigint':
      return 'B' + value.toString()
    case 'object':
      return value === null ? 'n' : objectText(value)
    default:
      throw new TypeError(`Mizan cache: cannot key a ${typeof value}`)
  }
}

function objectText(value: object): string {
  if (Array.isArray(value)) return 'A[' + value.map(canonical).join(',') + ']'
  const proto: unknown = Object.getPrototypeOf(value)
  // The common case before the instanceof walk: a parsed input is plain objects and arrays.
  if (proto === Object.prototype || proto === null) return recordText(value as Record<string, unknown>)
  if (value instanceof Date) return 'D' + (Number.isNaN(value.getTime()) ? 'NaN' : value.toISOString())
  if (value instanceof Map) return 'M[' + [...value].map(([k, v]) => canonical(k) + ':' + canonical(v)).sort().join(',') + ']'
  if (value instanceof Set) return 'T[' + [...value].map(canonical).sort().join(',') + ']'
  if (value instanceof RegExp) return 'R' + String(value)
  return recordText(value as Record<string, unknown>)
}

function recordText(value: Record<string, unknown>): string {
  const keys = Object.keys(value)
  if (keys.length > 1) keys.sort()
  let text = 'O{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    text += (i === 0 ? '' : ',') + quote(key) + ':' + canonical(value[key])
  }
  return text + '}'
}

/**
 * `JSON.stringify` of a string, which is most of the cost of a key: the short strings inputs are
 * made of rarely need escaping, and checking that is cheaper than the call.
 */
function quote(text: string): string {
  if (text.length > 64) return JSON.stringify(text)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // What JSON.stringify escapes: controls, the quote, the backslash, and (lone) surrogates.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text)
  }
  return '"' + text + '"'
}

/**
 * A canonical text of a value: equal inputs give equal text whatever their key order, and values
 * JSON would confuse stay apart (a Date and its ISO string, `undefined` and a missing key, 1n and 1).
 * Every value starts with a type letter and strings are JSON-quoted, so no two values share a text.
 */
export function canonical(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'S' + JSON.stringify(value)
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
  if (value instanceof Date) return 'D' + (Number.isNaN(value.getTime()) ? 'NaN' : value.toISOString())
  if (value instanceof Map) return 'M[' + [...value].map(([k, v]) => canonical(k) + ':' + canonical(v)).sort().join(',') + ']'
  if (value instanceof Set) return 'T[' + [...value].map(canonical).sort().join(',') + ']'
  if (value instanceof RegExp) return 'R' + String(value)
  const keys = Object.keys(value).sort()
  return 'O{' + keys.map((key) => JSON.stringify(key) + ':' + canonical((value as Record<string, unknown>)[key])).join(',') + '}'
}

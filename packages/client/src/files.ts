/**
 * Whether an input holds a file: a `Blob` (a `File` is one) found by walking its plain objects and
 * arrays. Kept tiny and in the core, since every call asks it; the upload code itself loads only
 * when the answer is yes. Objects already seen are not walked again, so a cyclic input ends; an
 * input that throws when read (a getter, a proxy) is no upload, and fails when written, alone.
 */
export function hasBlob(value: unknown): boolean {
  try {
    return walk(value, new Set())
  } catch {
    return false
  }
}

function walk(value: unknown, seen: Set<unknown>): boolean {
  if (typeof Blob !== 'undefined' && value instanceof Blob) return true
  // Only arrays and `{}` objects (or prototype-less ones) are walked: a class instance is not data.
  const proto = typeof value === 'object' && value !== null ? (Object.getPrototypeOf(value) as unknown) : undefined
  if (!(Array.isArray(value) || proto === Object.prototype || proto === null) || seen.has(value)) return false
  seen.add(value)
  return Object.values(value as object).some((item) => walk(item, seen))
}

// Dotted field paths: typed for the compiler (`FieldPath`, `FieldValue`) and read and written at run
// time (`getAt`, `setAt`). A path names an object's key or an array's index: 'address.city',
// 'items.0.name'.

/** Values a path stops at: they are set whole, never walked into. */
type Leaf = string | number | boolean | bigint | symbol | null | undefined | Date | Blob | ((...args: any[]) => unknown)

/** Depth budget: a recursive input type stops producing paths here instead of looping the compiler. */
type Down = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8]

type Join<K extends string, P> = P extends string ? `${K}.${P}` : never

type PathsOf<T, D extends number> = [D] extends [never]
  ? never
  : T extends Leaf
    ? never
    : T extends readonly (infer E)[]
      ? `${number}` | Join<`${number}`, PathsOf<NonNullable<E>, Down[D]>>
      : T extends object
        ? { [K in keyof T & string]-?: K | Join<K, PathsOf<NonNullable<T[K]>, Down[D]>> }[keyof T & string]
        : never

/**
 * Every dotted path of an input type: `'email' | 'address' | 'address.city' | 'items' |
 * `items.${number}` | `items.${number}.name``. A name outside it does not compile.
 */
export type FieldPath<T> = PathsOf<NonNullable<T>, 9>

type Step<T, K extends string> = T extends readonly (infer E)[] ? (K extends `${number}` ? E : never) : K extends keyof T ? T[K] : never

/** The type of the value at a path of `T` (`FieldValue<Contact, 'address.city'>` is `string`). */
export type FieldValue<T, P extends string> = P extends `${infer K}.${infer Rest}` ? FieldValue<Step<NonNullable<T>, K>, Rest> : Step<NonNullable<T>, P>

/** Splits a dotted path into keys; digits index arrays. */
export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('.')
}

/** Joins issue path segments into a dotted path (`['items', 0, 'name']` → `'items.0.name'`). */
export function joinPath(segments: readonly (string | number | symbol)[]): string {
  return segments.map(String).join('.')
}

/** Reads the value at a dotted path; `undefined` when any step is missing. */
export function getAt(values: unknown, path: string): unknown {
  let node: unknown = values
  for (const key of splitPath(path)) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

// Keys that would reach an object's prototype: a path from a form's schema never needs them, and a
// hostile one must not write through them.
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor'])

/**
 * A copy of `values` with `value` at `path`: the objects and arrays along the path are copied,
 * the rest is shared, so React sees a new value and unchanged branches keep their identity.
 * `undefined` removes the key. Missing steps become objects, or arrays when the next key is an index.
 */
export function setAt<T>(values: T, path: string, value: unknown): T {
  const keys = splitPath(path)
  if (keys.some((key) => FORBIDDEN.has(key))) throw new TypeError(`Mizan: "${path}" is not a field path`)
  const write = (node: unknown, i: number): unknown => {
    if (i === keys.length) return value
    const key = keys[i]!
    const copy = (Array.isArray(node) ? [...node] : typeof node === 'object' && node !== null ? { ...node } : /^\d+$/.test(key) ? [] : {}) as Record<string, unknown>
    const next = write(copy[key], i + 1)
    if (next === undefined && !Array.isArray(copy)) delete copy[key]
    else copy[key] = next
    return copy
  }
  return write(values, 0) as T
}

/** True when `path` is `field` or lies under it (`'items.0.name'` is under `'items'`). */
export function isUnder(path: string, field: string): boolean {
  return field === '' || path === field || path.startsWith(`${field}.`)
}

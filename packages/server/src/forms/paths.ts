// Field paths: typed dotted paths of an input (for `fields` keys) and reading values by path.

// What a form walks into: plain objects. Arrays, files, dates and functions are leaves.
type Leafy = readonly unknown[] | Blob | Date | ((...args: any[]) => unknown)
type IsBranch<T> = [T] extends [never] ? false : T extends Leafy ? false : T extends object ? true : false
type Depth = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/**
 * The field names of a form input: dotted paths through nested objects down to each leaf
 * (`'email' | 'address.city'`). Arrays are leaves (`'tags'`). Nesting is followed 10 levels deep.
 */
export type FormFieldPath<T, D extends number = 10> = [D] extends [never]
  ? never
  : T extends object
    ? {
        [K in keyof T & string]-?: IsBranch<NonNullable<T[K]>> extends true ? `${K}.${FormFieldPath<NonNullable<T[K]>, Depth[D]>}` : K
      }[keyof T & string]
    : never

/** The type of the value at a field path of `T`, `undefined` excluded (a check never sees an absent value). */
export type FormValueAt<T, P extends string> = P extends `${infer K}.${infer Rest}`
  ? K extends keyof NonNullable<T>
    ? FormValueAt<NonNullable<T>[K], Rest>
    : unknown
  : P extends keyof NonNullable<T>
    ? Exclude<NonNullable<T>[P], undefined>
    : unknown

/** The values a check sees next to its own: every field that passed its schema, the others absent. */
export type FormValues<T> = T extends Leafy ? T : T extends object ? { [K in keyof T]?: FormValues<T[K]> } : T

/** The value at `path` in `root`, own properties only; `undefined` when any step is missing. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** Sets `value` at `path` in `root`, making plain null-prototype objects on the way. */
export function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : (node[key] = Object.create(null) as Record<string, unknown>)
  }
  node[path[path.length - 1]!] = value
}

/** True when the issue path `path` is at or under the field `field`. */
export function isUnder(path: readonly (string | number)[], field: readonly string[]): boolean {
  if (path.length < field.length) return false
  for (let i = 0; i < field.length; i++) if (String(path[i]) !== field[i]) return false
  return true
}

// The types of shapes: which fields of a query's output a caller selects, and what it gets back.
// One declaration (the output schema) gives the handler's `shape`, the client's option and the
// projected result type. Plain mapped and conditional types, resolved lazily per use.

/** Values a shape never opens: a field holding one is selected whole, with `true`. */
type ShapeLeaf =
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined
  | Date
  | RegExp
  | Blob
  | ReadonlyMap<any, any>
  | ReadonlySet<any>
  | ArrayBuffer
  | ArrayBufferView
  | ((...args: any[]) => any)

/** The objects a value holds: itself, or the elements of an array; `never` when it holds none. */
export type ShapeObjectOf<T> = T extends ShapeLeaf ? never : T extends readonly (infer E)[] ? ShapeObjectOf<E> : T extends object ? T : never

/**
 * A selection of the fields of `T` (an object, an array of objects, either nullable): each key a
 * field, `true` to take it whole, or a nested selection for a field that holds objects.
 * `never` when `T` holds no object: such an output takes no shape.
 *
 * ```ts
 * const card: ShapeOf<Post[]> = { id: true, title: true, author: { name: true } }
 * ```
 */
export type ShapeOf<T> = [ShapeObjectOf<T>] extends [never] ? never : { readonly [K in keyof ShapeObjectOf<T>]?: FieldShapeOf<ShapeObjectOf<T>[K]> }

/** What a shape may say of one field: `true`, or a nested selection when the field holds objects. */
export type FieldShapeOf<F> = [ShapeObjectOf<F>] extends [never] ? true : true | ShapeOf<F>

/**
 * `T` cut down to the fields a shape `S` selects, at every level; arrays and `null`/`undefined`
 * pass through, and optional fields stay optional.
 *
 * ```ts
 * type Card = Projected<Post[], { id: true; author: { name: true } }> // { id: string; author: { name: string } }[]
 * ```
 */
export type Projected<T, S> = T extends ShapeLeaf
  ? T
  : T extends readonly (infer E)[]
    ? Projected<E, S>[]
    : T extends object
      ? { [K in keyof T as K extends keyof S ? K : never]: S[K & keyof S] extends true ? T[K] : Projected<T[K], S[K & keyof S]> }
      : T

/**
 * `S` with every key that names no field of `T` turned into `never`, at every level: used as
 * `shape: S & ExactShape<T, S>`, a field the output does not have fails to compile.
 */
export type ExactShape<T, S> = {
  [K in keyof S]: K extends keyof ShapeObjectOf<T> ? (S[K] extends true ? S[K] : ExactShape<ShapeObjectOf<T>[K], S[K]>) : never
}

/**
 * What a procedure's phantom types say of shapes: `Named` its declared shapes (name → selection),
 * `Free` whether a caller may send a selection of its own (`false` with `shape: 'named'`). A
 * procedure that takes no shape (a mutation, or a query without an output schema of objects) has
 * `never` here.
 */
export interface ShapeSpec<Named = {}, Free extends boolean = boolean> {
  readonly named: Named
  readonly free: Free
}

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

/** A zod 4 schema type's definition (`_zod.def`), `never` for any other schema. */
type ZodDefOf<S> = S extends { readonly _zod: { readonly def: infer D } } ? D : never

/** Wrappers whose value is their inner schema's, or null / undefined. */
type ZodWrapper = 'optional' | 'nullable' | 'default' | 'prefault' | 'readonly' | 'nonoptional' | 'catch'

/**
 * The field schemas of the objects a zod 4 schema's values hold (field name → field schema),
 * through optional, nullable, default, prefault, catch, readonly and nonoptional, an array's
 * elements, a lazy schema's target and a pipe's output side; `never` for a schema that holds no
 * object: a string, a union, a record, a transform's result, or a schema that is not zod 4. The
 * server reads the same definitions at run time, so what compiles is what it accepts.
 */
export type SchemaFieldsOf<S, Depth extends readonly unknown[] = []> = Depth['length'] extends 16
  ? never
  : ZodDefOf<S> extends infer D
    ? D extends { readonly type: 'object'; readonly shape: infer F }
      ? F
      : D extends { readonly type: 'array'; readonly element: infer E }
        ? SchemaFieldsOf<E, [...Depth, 0]>
        : D extends { readonly type: ZodWrapper; readonly innerType: infer I }
          ? SchemaFieldsOf<I, [...Depth, 0]>
          : D extends { readonly type: 'pipe'; readonly out: infer O }
            ? SchemaFieldsOf<O, [...Depth, 0]>
            : D extends { readonly type: 'lazy'; readonly getter: () => infer T }
              ? SchemaFieldsOf<T, [...Depth, 0]>
              : never
    : never

/**
 * The selections an output schema takes: each key a field, `true` to take it whole, or a nested
 * selection where the field's schema holds objects. `never` when the schema holds no object.
 */
export type SelectionOf<S> = [SchemaFieldsOf<S>] extends [never] ? never : { readonly [K in keyof SchemaFieldsOf<S>]?: FieldSelectionOf<SchemaFieldsOf<S>[K]> }

/** What a selection may say of one field, by its schema: `true`, or a nested selection when it holds objects. */
export type FieldSelectionOf<F> = [SchemaFieldsOf<F>] extends [never] ? true : true | SelectionOf<F>

/**
 * `S` with every key that the selection type `Sel` does not allow turned into `never`, at every
 * level (a nested selection of a field that takes only `true` included): used as
 * `shape: S & ExactSelection<Sel, S>`.
 */
export type ExactSelection<Sel, S> = {
  [K in keyof S]: K extends keyof Sel ? (S[K] extends true ? S[K] : ExactSelection<Exclude<NonNullable<Sel[K]>, true>, S[K]>) : never
}

/**
 * What a procedure's phantom types say of shapes: `Named` its declared shapes (name → selection),
 * `Free` whether a caller may send a selection of its own (`false` with `shape: 'named'`), and
 * `Selection` the selections its output schema takes ({@link SelectionOf}). A procedure that
 * takes no shape (a mutation, or a query without an output schema of objects) has `never` here.
 */
export interface ShapeSpec<Named = {}, Free extends boolean = boolean, Selection = never> {
  readonly named: Named
  readonly free: Free
  readonly selection: Selection
}

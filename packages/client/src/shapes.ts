import type { ExactSelection, Projected, ShapeSpec } from '@mizan/server'
import type { DeclaredClientError, ProcedureErrors } from './errors.js'
import type { CallOptions } from './types.js'

// The client's side of shapes: a query that takes them accepts `{ shape }` beside its call
// options and resolves to the projection. These types are reached only for such queries (the
// decoration picks them when the procedure's `Shapes` is not `never`), so a router of queries that
// take no shape costs the compiler nothing more.

/**
 * What a query's `shape` may be: one of its named shapes, or (unless it declares `shape: 'named'`)
 * a selection of the fields of its output, as its output schema allows them.
 */
export type ShapeChoice<Spec extends ShapeSpec<any, boolean, any>> = (keyof Spec['named'] & string) | (true extends Spec['free'] ? Spec['selection'] : never)

/**
 * The type `shape` is checked against once `S` is inferred: a name as it is; a selection where a
 * field the output schema does not offer, at any level, is `never` (so it fails to compile).
 */
export type ShapeParam<Selection, S> = S & (S extends string ? unknown : ExactSelection<Selection, S>)

/**
 * What a shaped call resolves to: `Output` without a shape (`S` is `never`), else the output cut to
 * the named shape's selection or to the selection itself. A union of names gives the union of
 * their projections.
 */
export type ShapedOutput<Output, Spec extends ShapeSpec<any, boolean, any>, S> = [S] extends [never] ? Output : ProjectedBy<Output, Spec['named'], S>

type ProjectedBy<Output, Named, S> = S extends keyof Named ? Projected<Output, Named[S]> : Projected<Output, S>

/** A call's options with the shape `S`: `{ signal, shape: 'card' }`, `{ shape: { id: true } }`. */
export type ShapedCallOptions<Selection, S> = CallOptions & { shape?: ShapeParam<Selection, S> }

/**
 * A query that takes shapes, on the client: `client.posts.list.query(input, { shape })`. `Spec`
 * is its {@link ShapeSpec}; without `shape` the call resolves to `Output`, as any query's.
 *
 * ```ts
 * const cards = await client.posts.list.query({ page: 1 }, { shape: 'card' })
 * const titles = await client.posts.list.query({ page: 1 }, { shape: { id: true, title: true } })
 * ```
 */
export interface ShapedQueryProcedure<Input, Output, Spec extends ShapeSpec<any, boolean, any>, Declared extends DeclaredClientError = never> extends ProcedureErrors<Declared> {
  query: undefined extends Input
    ? <const S extends ShapeChoice<Spec> = never>(input?: Input, options?: ShapedCallOptions<Spec['selection'], S>) => Promise<ShapedOutput<Output, Spec, S>>
    : <const S extends ShapeChoice<Spec> = never>(input: Input, options?: ShapedCallOptions<Spec['selection'], S>) => Promise<ShapedOutput<Output, Spec, S>>
}

import { fieldsOf } from './fields.js'
import { checkSelection } from './selection.js'

/**
 * The shape options of a procedure, checked when it is defined (the builder's types say the same
 * to TypeScript users): only a query takes `shapes` or `shape`, and only with a zod 4 output schema
 * that holds objects; `shape` is `'named'`, with named shapes to name; each named shape is a
 * selection of the output's fields. Any mistake is a TypeError now, never a failing call later.
 */
export function checkShapeOptions(kind: string, options: { output?: unknown; shapes?: unknown; shape?: unknown }, where: string): void {
  const { shapes, shape } = options
  if (shapes === undefined && shape === undefined) return
  if (kind !== 'query') throw new TypeError(`Mizan: ${where}: shapes and shape are for queries (a ${kind} takes no shape)`)
  if (shape !== undefined && shape !== 'named') throw new TypeError(`Mizan: ${where}: shape must be "named" (or left out to accept free selections too)`)
  if (options.output === undefined || fieldsOf(options.output) === undefined) {
    throw new TypeError(`Mizan: ${where}: shapes need an output schema of objects (zod 4): it is what a shape selects fields of`)
  }
  if (shapes === undefined) throw new TypeError(`Mizan: ${where}: shape: "named" needs named shapes (shapes: { name: { field: true } })`)
  if (typeof shapes !== 'object' || shapes === null || Array.isArray(shapes)) throw new TypeError(`Mizan: ${where}: shapes must be an object of name → selection`)
  for (const [name, selection] of Object.entries(shapes)) {
    checkSelection(selection, options.output, (message) => new TypeError(`Mizan: ${where}: shapes.${name}: ${message}`))
  }
}

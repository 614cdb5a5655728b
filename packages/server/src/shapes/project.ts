import type { Selection } from './selection.js'

/** Cuts a value down to a selection: what a handler returned, before the output check sees it. */
export type Projector = (value: unknown) => unknown

/** One selected field, precomputed: its key, and the projector of its value when nested. */
type Step = readonly [key: string, nested: Projector | undefined]

/**
 * Compiles a selection into a projector, once per shape: at call time it walks the value only, the
 * selection's entries being a prepared list. Arrays are mapped, `null`, `undefined` and other
 * non-objects pass as they are, and of an object only the selected own keys are copied (a field
 * the value lacks stays missing). So a handler that ignores the shape never sends an unselected field.
 */
export function compileProjector(selection: Selection): Projector {
  const steps: Step[] = Object.keys(selection).map((key) => {
    const nested = selection[key]!
    return [key, nested === true ? undefined : compileProjector(nested)]
  })
  const projectObject = (value: object): object => {
    const out: Record<string, unknown> = {}
    for (const [key, nested] of steps) {
      if (!Object.hasOwn(value, key)) continue
      const field = (value as Record<string, unknown>)[key]
      out[key] = nested === undefined ? field : nested(field)
    }
    return out
  }
  const project: Projector = (value) => {
    if (typeof value !== 'object' || value === null) return value
    if (Array.isArray(value)) return value.map(project)
    return projectObject(value)
  }
  return project
}

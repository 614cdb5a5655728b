import { compileProjector } from './project.js'
import { zodDefOf } from './fields.js'
import type { Selection } from './selection.js'

/** A zod 4 schema's internals a clone needs: the constructor its definition is passed to. */
interface ZodInternals {
  readonly _zod: { readonly def: Record<string, unknown> & { readonly type: string }; readonly constr: new (def: unknown) => unknown }
}

/** Wrappers rebuilt around their projected inner schema. */
const WRAPPERS = new Set(['optional', 'nullable', 'prefault', 'readonly', 'nonoptional'])

/** Unwrap steps at most, as the field walk takes. */
const MAX_STEPS = 64

/**
 * The output schema cut to a selection, for the output check of a shaped call: a clone of the zod
 * schema whose objects keep only the selected fields, nested likewise, through arrays, wrappers, a
 * lazy schema's target and a pipe. What the projection cannot keep is dropped: an object's own
 * refinements (`.refine`, `.superRefine` on the object) may read fields the shape left out, so a
 * projected object checks its fields only. A default or catch value of an object is projected too,
 * so it cannot bring back a field the caller did not select.
 */
export function projectSchema(schema: unknown, selection: Selection): unknown {
  return cut(schema, selection, 0)
}

function cut(schema: unknown, selection: Selection, steps: number): unknown {
  const def = zodDefOf(schema)
  if (def === undefined || steps > MAX_STEPS) return schema
  const rebuild = (changes: Record<string, unknown>) => clone(schema as ZodInternals, changes)
  const inner = (of: unknown) => cut(of, selection, steps + 1)
  switch (def.type) {
    case 'object': {
      const shape: Record<string, unknown> = {}
      for (const key of Object.keys(selection)) {
        if (!Object.hasOwn(def.shape!, key)) continue
        const nested = selection[key]!
        const field = def.shape![key]
        shape[key] = nested === true ? field : projectSchema(field, nested)
      }
      return rebuild({ shape, checks: [] })
    }
    case 'array':
      return rebuild({ element: inner(def.element) })
    case 'pipe':
      return rebuild({ in: inner(def.in), out: inner(def.out) })
    case 'lazy': {
      const target = inner(def.getter!())
      return rebuild({ getter: () => target })
    }
    case 'default': {
      const source = def as unknown as { readonly defaultValue: unknown }
      const project = compileProjector(selection)
      return clone(schema as ZodInternals, { innerType: inner(def.innerType) }, {
        defaultValue: { get: () => project(source.defaultValue), enumerable: true },
      })
    }
    case 'catch': {
      const catchValue = (def as unknown as { readonly catchValue: (ctx: unknown) => unknown }).catchValue
      const project = compileProjector(selection)
      return rebuild({ innerType: inner(def.innerType), catchValue: (ctx: unknown) => project(catchValue(ctx)) })
    }
    default:
      return WRAPPERS.has(def.type) ? rebuild({ innerType: inner(def.innerType) }) : schema
  }
}

/** A clone of a zod schema with its definition changed: zod builds a schema from its definition alone. */
function clone(schema: ZodInternals, changes: Record<string, unknown>, accessors?: PropertyDescriptorMap): unknown {
  const def: Record<string, unknown> = {}
  for (const key of Object.keys(schema._zod.def)) if (!(accessors !== undefined && key in accessors)) def[key] = schema._zod.def[key]
  Object.assign(def, changes)
  if (accessors !== undefined) Object.defineProperties(def, accessors)
  return new schema._zod.constr(def)
}

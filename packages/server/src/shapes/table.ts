import { MizanError } from '../errors.js'
import { outputValidator, type AnySchema, type Validator } from '../schema.js'
import { fieldsOf } from './fields.js'
import { compileProjector, type Projector } from './project.js'
import { projectSchema } from './projected-schema.js'
import { checkSelection, type CheckedSelection, type Selection } from './selection.js'

/** Free selections a procedure keeps compiled at most; the oldest is dropped past this. */
export const MAX_FREE_SHAPES = 64

/** A shape prepared for calls: everything per call is computed once per shape. */
export interface CompiledShape<Site = unknown> {
  /** What the handler receives as `shape`: the checked selection, keys sorted, frozen. */
  readonly selection: Selection
  /** Its canonical text: part of the origin cache key. */
  readonly canonical: string
  /** Cuts the handler's value to the selection. */
  readonly project: Projector
  /** The output check of the projected value, against the output schema projected likewise. */
  readonly checkOutput: Validator
  /** Where the origin cache keeps this shape's entries, when the procedure is cached. */
  readonly cacheSite: Site | undefined
}

/** What a procedure declares of shapes: its named shapes, and whether callers may send their own. */
export interface ShapeDeclaration {
  readonly shapes?: Readonly<Record<string, unknown>> | undefined
  readonly shape?: 'named' | undefined
}

/**
 * The shapes of one query with an output schema: it turns what a caller sent as `shape` (a name or
 * a selection) into a {@link CompiledShape}, or a `BAD_REQUEST` saying what is wrong. Named shapes
 * (checked when the query was defined) are compiled on first use and kept; free selections are kept
 * by canonical text, at most {@link MAX_FREE_SHAPES}, the oldest dropped first. A free selection
 * equal to a named one shares its compiled shape, and so its cache entries.
 */
export class ShapeTable<Site = unknown> {
  // Made on the first shaped call: every query with an output schema has a table, and a start
  // should not pay for maps most of them never fill.
  private named: Map<string, CompiledShape<Site>> | undefined
  private byCanonical: Map<string, CompiledShape<Site>> | undefined
  private free: Map<string, CompiledShape<Site>> | undefined

  constructor(
    private readonly path: string,
    private readonly output: AnySchema,
    private readonly declaration: ShapeDeclaration,
    /** The cache site of a shape's canonical text, when the procedure is cached. */
    private readonly siteOf: ((canonical: string) => Site) | undefined,
  ) {}

  /** The compiled shape a caller's `shape` asks for; throws `BAD_REQUEST` when it is not one this query takes. */
  resolve(raw: unknown): CompiledShape<Site> {
    // The schema is read once (fieldsOf remembers it), on the first shaped call: a start pays nothing.
    if (fieldsOf(this.output) === undefined) throw badRequest(`"${this.path}" takes no shape: it has no output schema of objects`)
    if (typeof raw === 'string') return this.namedShape(raw)
    if (this.declaration.shape === 'named') {
      throw badRequest(`"${this.path}" takes only its named shapes (${this.listed()}), not a selection of fields`)
    }
    const checked = checkSelection(raw, this.output, badRequest)
    const free = (this.free ??= new Map())
    const known = this.byCanonical?.get(checked.canonical) ?? free.get(checked.canonical)
    if (known !== undefined) return known
    const compiled = this.compile(checked)
    if (free.size >= MAX_FREE_SHAPES) free.delete(free.keys().next().value!)
    free.set(checked.canonical, compiled)
    return compiled
  }

  private namedShape(name: string): CompiledShape<Site> {
    const known = this.named?.get(name)
    if (known !== undefined) return known
    const declared = this.declaration.shapes
    if (declared === undefined || !Object.hasOwn(declared, name)) {
      const shown = JSON.stringify(name.length > 100 ? name.slice(0, 100) + '…' : name)
      throw badRequest(`"${this.path}" has no shape named ${shown} (${declared === undefined ? 'it declares none' : `named shapes: ${this.listed()}`})`)
    }
    // Checked when the query was defined: this cannot fail.
    const compiled = this.compile(checkSelection(declared[name], this.output, badRequest))
    ;(this.named ??= new Map()).set(name, compiled)
    const byCanonical = (this.byCanonical ??= new Map())
    if (!byCanonical.has(compiled.canonical)) byCanonical.set(compiled.canonical, compiled)
    return compiled
  }

  private compile({ selection, canonical }: CheckedSelection): CompiledShape<Site> {
    return {
      selection: deepFreeze(selection),
      canonical,
      project: compileProjector(selection),
      checkOutput: outputValidator(projectSchema(this.output, selection) as AnySchema),
      cacheSite: this.siteOf?.(canonical),
    }
  }

  private listed(): string {
    return Object.keys(this.declaration.shapes ?? {}).map((name) => JSON.stringify(name)).join(', ')
  }
}

function badRequest(message: string): MizanError {
  return new MizanError('BAD_REQUEST', message)
}

/** The selection a handler receives is shared by every call of its shape: no handler may change it. */
function deepFreeze(selection: Selection): Selection {
  for (const value of Object.values(selection)) if (value !== true) deepFreeze(value)
  return Object.freeze(selection)
}

import { compileAuth, type AuthCheck } from './auth.js'
import { MizanError } from './errors.js'
import { ChainResult } from './middleware.js'
import type { HandlerArgs, ProcedureDef, ProcedureKind } from './procedure.js'
import { assertAffects, flattenRouter, type AnyRouter, type FlatRouter } from './router.js'
import { inputValidator, outputValidator, type Validator } from './schema.js'

/** One invalidation: every key of `path` (a procedure or a sub-router), or only the key of `input`. */
export interface Invalidation {
  path: string
  input?: unknown
}

/** The outcome of one call. On error, only invalidations the handler added before failing remain. */
export type CallResult =
  | { ok: true; data: unknown; invalidations: readonly Invalidation[] }
  | { ok: false; error: unknown; invalidations: readonly Invalidation[] }

/** What `onError` receives. */
export interface ErrorEvent {
  error: unknown
  path: string
  ctx: unknown
}

/** Options of the dispatcher, set through `createMizanServer`. */
export interface DispatchOptions {
  /** Called with every error a call ends with; the default logs unexpected (5xx) errors. */
  onError?: (event: ErrorEvent) => void
  /**
   * Runs after a successful call with its invalidation set, before the response is sent: the seam
   * where the origin cache purges.
   */
  onInvalidate?: (invalidations: readonly Invalidation[], ctx: unknown) => void | Promise<void>
}

/** A procedure prepared once when the router is served: everything per-call is precomputed. */
export interface CompiledProcedure {
  readonly path: string
  readonly kind: ProcedureKind
  readonly def: ProcedureDef
  readonly affects: readonly Invalidation[]
  readonly auth: AuthCheck | undefined
  readonly parseInput: Validator | undefined
  readonly checkOutput: Validator | undefined
}

const neverAborted = () => new AbortController().signal

/**
 * The one request path every transport and the in-process caller use:
 * resolve → middlewares → auth → input → handler → output → invalidations.
 * A transport only turns bytes into (path, input, ctx) and a {@link CallResult} back into bytes.
 */
export class Dispatcher {
  readonly flat: FlatRouter
  private readonly compiled = new Map<string, CompiledProcedure>()
  private readonly onError: (event: ErrorEvent) => void
  private readonly onInvalidate: DispatchOptions['onInvalidate']

  constructor(router: AnyRouter, options: DispatchOptions = {}) {
    this.flat = flattenRouter(router)
    assertAffects(this.flat)
    for (const [path, def] of this.flat.procedures) {
      this.compiled.set(path, {
        path,
        kind: def.kind,
        def,
        affects: (def.options.affects ?? []).map((target) => ({ path: target })),
        auth: compileAuth(def),
        parseInput: def.options.input ? inputValidator(def.options.input) : undefined,
        checkOutput: def.options.output ? outputValidator(def.options.output) : undefined,
      })
    }
    this.onError = options.onError ?? logUnexpected
    this.onInvalidate = options.onInvalidate
  }

  /** The procedure at a dotted path, or `undefined`. */
  resolve(path: string): CompiledProcedure | undefined {
    return this.compiled.get(path)
  }

  /** True when `path` names a procedure or a sub-router: what `invalidate()` may target. */
  isTarget(path: string): boolean {
    return this.compiled.has(path) || this.flat.prefixes.has(path)
  }

  /** Runs one call. Never throws: failures come back as `{ ok: false }`. */
  async call(proc: CompiledProcedure, ctx: unknown, rawInput: unknown, getSignal: () => AbortSignal = neverAborted): Promise<CallResult> {
    let added: Invalidation[] | undefined
    const invalidate = (path: string, input?: unknown) => {
      if (!this.isTarget(path)) throw new TypeError(`Mizan: invalidate("${path}") names no procedure or router`)
      ;(added ??= []).push(input === undefined ? { path } : { path, input })
    }
    try {
      const middlewares = proc.def.middlewares
      const data =
        middlewares.length === 0
          ? await this.run(proc, ctx, rawInput, getSignal, invalidate)
          : await this.chain(proc, 0, ctx, rawInput, getSignal, invalidate)
      const invalidations = added === undefined ? proc.affects : mergeInvalidations(proc.affects, added)
      if (invalidations.length > 0 && this.onInvalidate !== undefined) await this.onInvalidate(invalidations, ctx)
      return { ok: true, data, invalidations }
    } catch (error) {
      this.onError({ error, path: proc.path, ctx })
      return { ok: false, error, invalidations: added ?? [] }
    }
  }

  private async chain(
    proc: CompiledProcedure,
    index: number,
    ctx: unknown,
    rawInput: unknown,
    getSignal: () => AbortSignal,
    invalidate: HandlerArgs<unknown, unknown>['invalidate'],
  ): Promise<unknown> {
    const middleware = proc.def.middlewares[index]
    if (middleware === undefined) return this.run(proc, ctx, rawInput, getSignal, invalidate)
    const next = async (options?: { ctx: unknown }) =>
      new ChainResult(await this.chain(proc, index + 1, options === undefined ? ctx : options.ctx, rawInput, getSignal, invalidate))
    const result: unknown = await middleware({ ctx, path: proc.path, kind: proc.kind, get signal() { return getSignal() }, next: next as never })
    if (!(result instanceof ChainResult)) throw new MizanError('INTERNAL_SERVER_ERROR', 'A middleware must return the result of next()')
    return result.value
  }

  private async run(
    proc: CompiledProcedure,
    ctx: unknown,
    rawInput: unknown,
    getSignal: () => AbortSignal,
    invalidate: HandlerArgs<unknown, unknown>['invalidate'],
  ): Promise<unknown> {
    if (proc.auth !== undefined) await proc.auth(ctx)
    let input = rawInput
    if (proc.parseInput !== undefined) {
      input = proc.parseInput(rawInput)
      if (input instanceof Promise) input = await input
    }
    let signal: AbortSignal | undefined
    let output = proc.def.handler({
      input,
      ctx,
      path: proc.path,
      get signal() {
        return (signal ??= getSignal())
      },
      invalidate,
    })
    if (output instanceof Promise) output = await output
    if (proc.checkOutput !== undefined) {
      output = proc.checkOutput(output)
      if (output instanceof Promise) output = await output
    }
    return output
  }
}

function mergeInvalidations(declared: readonly Invalidation[], added: readonly Invalidation[]): Invalidation[] {
  const seen = new Set(declared.map((entry) => entry.path))
  const merged = [...declared]
  for (const entry of added) {
    if (entry.input === undefined) {
      if (seen.has(entry.path)) continue
      seen.add(entry.path)
    }
    merged.push(entry)
  }
  return merged
}

function logUnexpected({ error, path }: ErrorEvent): void {
  if (error instanceof MizanError && error.status < 500) return
  console.error(`[mizan] ${path}:`, error instanceof MizanError && error.cause !== undefined ? error.cause : error)
}

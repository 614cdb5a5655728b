import type { AuthCheck } from './auth.js'
import { failWith, settleDeclared, type ErrorChecks } from './declared-errors.js'
import { MizanError, type MizanErrorCode } from './errors.js'
import { ChainResult } from './middleware.js'
import { REPORT_ERROR } from './report-error.js'
import type { CacheSite, OriginCache } from './cache/origin-cache.js'
import type { Hub } from './realtime/hub.js'
import type { LimitCheck, Limiter } from './rate-limit/limiter.js'
import type { CacheOptions, HandlerArgs, ProcedureDef, ProcedureKind } from './procedure.js'
import { assertAffects, flattenRouter, type AnyRouter, type FlatRouter } from './router.js'
import type { MaybePromise } from './maybe-promise.js'
import type { Validator } from './schema.js'
import type { ShapeTable, CompiledShape } from './shapes/table.js'
import { compileProcedure } from './compile-procedure.js'
import { mergeInvalidations } from './invalidation-merge.js'
import { CallStream, type StreamEnd, type StreamOwner } from './streams/call-stream.js'
import { isStreamResult } from './streams/detect.js'

/** One invalidation: every key of `path` (a procedure or a sub-router), or only the key of `input`. */
export interface Invalidation {
  path: string
  input?: unknown
}

/**
 * The outcome of one call. On error, only invalidations the handler added before failing remain.
 * For a transport that asked (`wantsCachedBody`), `data` of a cache hit is a `CachedAnswer`. A
 * handler that streams gives a {@link CallStream} as `data` and no invalidations yet: they are the
 * stream's, once it has ended.
 */
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
  /** The origin cache policy, when the procedure has one and the server caches. */
  readonly cache: CacheOptions | undefined
  /** Where the origin cache keeps this procedure's addresses, with {@link cache}. */
  readonly cacheSite: CacheSite | undefined
  /** The `Cache-Control` of its HTTP GET answers, when it declares `cache` (whether or not the server caches). */
  readonly cacheControl: string | undefined
  /** Its rate limit, when it has one and the server counts limits. */
  readonly rateLimit: LimitCheck | undefined
  /** Checks of its declared errors' data, by code, when it declares `errors`. */
  readonly errors: ErrorChecks | undefined
  /** What it makes of a caller's `shape`: a query with an output schema has a table; others take no shape. */
  readonly shapes: ShapeTable<CacheSite> | undefined
  /** Its handler is an async generator function: known to stream before it is called. */
  readonly stream: boolean
  /** It declares `websocket: true`: its HTTP replies say so (`x-mizan-websocket`), for clients to open their socket. */
  readonly websocket: boolean
}

/** What a transport tells the dispatcher about a call's surroundings; asked only when needed. */
export interface CallEnv {
  /** The call's abort signal, made when a handler or middleware first reads `signal`. */
  signal(): AbortSignal
  /** True when the response will set cookies (then it is never cached). */
  setsCookie?(): boolean
  /**
   * True when a cache hit may come back as a {@link CachedAnswer} (its stored reply body) instead
   * of a decoded value: a transport that sends bytes skips decoding and encoding again.
   */
  readonly wantsCachedBody?: boolean
  /** The WebSocket connection that made the call (or that an HTTP caller named): pushes skip it. */
  readonly connectionId?: string | undefined
  /** The client's address, for rate limits counted by address; asked only when one is. */
  clientAddress?(): string | undefined
  /** True for trusted callers (the in-process caller, unless asked): declared rate limits are not applied. */
  readonly unlimited?: boolean
}

// A call without an environment comes from trusted server code: no rate limit applies.
const neverAborted: CallEnv = { signal: () => new AbortController().signal, unlimited: true }

/**
 * The one request path every transport and the in-process caller use:
 * resolve → middlewares → auth → input → handler → output → invalidations.
 * A transport only turns bytes into (path, input, ctx) and a {@link CallResult} back into bytes.
 */
export class Dispatcher {
  readonly flat: FlatRouter
  private readonly compiled = new Map<string, CompiledProcedure>()
  /** @internal */ readonly onError: (event: ErrorEvent) => void
  private readonly onInvalidate: DispatchOptions['onInvalidate']
  /** @internal */ readonly cache: OriginCache | undefined
  /** @internal The realtime hub, once a server serves the router: publishing and invalidation pushes. */
  realtime: Hub | undefined

  constructor(router: AnyRouter, options: DispatchOptions = {}, cache?: OriginCache, limiter?: Limiter) {
    this.cache = cache
    this.flat = flattenRouter(router)
    assertAffects(this.flat)
    for (const [path, def] of this.flat.procedures) this.compiled.set(path, compileProcedure(path, def, cache, limiter))
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

  /**
   * Runs one call. Never throws and never rejects: failures come back as `{ ok: false }`. The result
   * is synchronous when every step was. `shape` is what the caller sent as its shape (a name or a
   * selection), `undefined` for the whole output.
   */
  call(proc: CompiledProcedure, ctx: unknown, rawInput: unknown, env: CallEnv = neverAborted, shape?: unknown): MaybePromise<CallResult> {
    const run = new CallRun(this, proc, ctx, rawInput, env, shape)
    let data: unknown
    try {
      data = proc.def.middlewares.length === 0 ? run.execute(ctx) : run.chain(0, ctx)
    } catch (error) {
      return this.failure(run, error)
    }
    if (data instanceof Promise) return data.then((value) => this.success(run, value), (error: unknown) => this.failure(run, error))
    return this.success(run, data)
  }

  /** @internal */ success(run: CallRun, data: unknown): MaybePromise<CallResult> {
    // A stream's invalidations are those added until it ends: announced then, by the stream.
    if (data instanceof CallStream) return { ok: true, data, invalidations: [] }
    const invalidations = run.added === undefined ? run.proc.affects : mergeInvalidations(run.proc.affects, run.added)
    return this.announce(run, { ok: true, data, invalidations })
  }

  /** @internal */ failure(run: CallRun, thrown: unknown): MaybePromise<CallResult> {
    // A `fail` is checked against its declaration on the way out: a mismatch becomes a 500.
    const error = settleDeclared(thrown)
    if (error instanceof Promise) return error.then((settled: unknown) => this.failed(run, settled))
    return this.failed(run, error)
  }

  private failed(run: CallRun, error: unknown): MaybePromise<CallResult> {
    this.onError({ error, path: run.proc.path, ctx: run.ctx })
    // What the handler invalidated before failing has changed: it is purged and announced too.
    return this.announce(run, { ok: false, error, invalidations: run.added ?? [] })
  }

  /** Purges the origin cache, runs `onInvalidate` and pushes to other connections, then settles the result. */
  /** @internal */ announce(run: CallRun, result: CallResult): MaybePromise<CallResult> {
    const invalidations = result.invalidations
    if (invalidations.length === 0 || (this.cache === undefined && this.onInvalidate === undefined && this.realtime === undefined)) return result
    // The change has happened: a failing purge is reported, and the call still succeeds.
    const report = (error: unknown) => this.onError({ error, path: run.proc.path, ctx: run.ctx })
    const settle = (step: () => void | Promise<void>): void | Promise<void> => {
      try {
        const done = step()
        if (done instanceof Promise) return done.catch(report)
      } catch (error) {
        report(error)
      }
    }
    // The origin cache purges before the response leaves, then the app's own hook runs.
    const purged = this.cache === undefined ? undefined : settle(() => this.cache!.purge(invalidations, this.normalize))
    const notify = () => (this.onInvalidate === undefined ? undefined : settle(() => this.onInvalidate!(invalidations, run.ctx)))
    const notified = purged instanceof Promise ? purged.then(notify) : notify()
    // Other connections hear of it too; the reply does not wait for them.
    this.realtime?.pushInvalidations(invalidations, run.ctx, run.connectionId).catch(report)
    return notified instanceof Promise ? notified.then(() => result) : result
  }

  /** An invalidation's input as the target's cache keys see it: parsed by its input schema when that is synchronous. */
  private readonly normalize = (path: string, input: unknown): unknown => {
    const parse = this.compiled.get(path)?.parseInput
    if (parse === undefined) return input
    try {
      const parsed = parse(input)
      return parsed instanceof Promise ? (parsed.catch(() => {}), input) : parsed
    } catch {
      return input
    }
  }

}

/** The state of one call: its steps run synchronously and go async only when a step returns a promise. */
class CallRun implements StreamOwner {
  added: Invalidation[] | undefined
  private signal: AbortSignal | undefined
  /** A streaming call's own signal, which its consumer may abort without aborting the transport's. */
  private own: AbortController | undefined
  /** Unhooks {@link own} from the transport's signal. */
  private unlink: (() => void) | undefined
  private stopped = false
  /** The shape the caller asked for, once resolved (before the input is parsed). */
  private shape: CompiledShape<CacheSite> | undefined

  constructor(
    private readonly dispatcher: Dispatcher,
    readonly proc: CompiledProcedure,
    readonly ctx: unknown,
    private readonly rawInput: unknown,
    private readonly env: CallEnv,
    private readonly rawShape: unknown,
  ) {}

  private bound: ((path: string, input?: unknown) => void) | undefined

  /** `invalidate` for the handler, bound on first use. */
  get invalidate(): (path: string, input?: unknown) => void {
    return (this.bound ??= (path, input) => {
      if (!this.dispatcher.isTarget(path)) {
        // The write may have happened already: a typo must not turn it into an error the client retries.
        const error = new TypeError(`Mizan: invalidate("${path}") in "${this.proc.path}" names no procedure or router; the invalidation was dropped`)
        this.dispatcher.onError({ error, path: this.proc.path, ctx: this.ctx })
        return
      }
      ;(this.added ??= []).push(input === undefined ? { path } : { path, input })
    })
  }

  /** Hands an error to `onError` with this call's path and context; the call goes on. */
  report(error: unknown): void {
    this.dispatcher.onError({ error, path: this.proc.path, ctx: this.ctx })
  }

  currentSignal(): AbortSignal {
    return (this.signal ??= this.proc.stream ? this.streamSignal() : this.env.signal())
  }

  /**
   * A stream outlives the steps of a plain call and may be stopped alone (a WebSocket `cancel`,
   * whose connection's signal stays up): it gets its own signal, following the transport's until
   * the stream ends, and no listener is left behind.
   */
  private streamSignal(): AbortSignal {
    const own = (this.own = new AbortController())
    const outer = this.env.signal()
    if (this.stopped || outer.aborted) own.abort(outer.reason)
    else {
      const follow = () => own.abort(outer.reason)
      outer.addEventListener('abort', follow, { once: true })
      this.unlink = () => outer.removeEventListener('abort', follow)
    }
    return own.signal
  }

  /** {@link StreamOwner.abort}: the consumer stopped the stream. */
  abort(): void {
    this.stopped = true
    this.own?.abort()
    this.unlink?.()
  }

  /** {@link StreamOwner.end}: the stream ended; the call settles as a plain call would have. */
  end(end: StreamEnd): MaybePromise<CallResult> {
    this.unlink?.()
    this.unlink = undefined
    if (end.kind === 'done') return this.dispatcher.success(this, end.value)
    if (end.kind === 'failed') return this.dispatcher.failure(this, end.error)
    return this.dispatcher.announce(this, { ok: true, data: undefined, invalidations: this.added ?? [] })
  }

  get connectionId(): string | undefined {
    return this.env.connectionId
  }

  /** `publish` for the handler: typed loosely here, checked against the channel's schemas at run time. */
  readonly publish = (path: string, params: unknown, message: unknown): Promise<void> => {
    const hub = this.dispatcher.realtime
    if (hub === undefined) return Promise.reject(new Error('Mizan: publish() needs the router served by createMizanServer'))
    return hub.publish(path, params, message, this.ctx)
  }

  /** Middlewares are async by contract; each gets `next` for the rest of the chain. */
  async chain(index: number, ctx: unknown): Promise<unknown> {
    const middleware = this.proc.def.middlewares[index]
    if (middleware === undefined) return this.execute(ctx)
    const run = this
    const next = async (options?: { ctx: unknown }) => new ChainResult(await this.chain(index + 1, options === undefined ? ctx : options.ctx))
    const result: unknown = await middleware({
      ctx,
      path: this.proc.path,
      kind: this.proc.kind,
      get signal() {
        return run.currentSignal()
      },
      next: next as never,
    })
    if (!(result instanceof ChainResult)) throw new MizanError('INTERNAL_SERVER_ERROR', 'A middleware must return the result of next()')
    return result.value
  }

  /** auth → input → rate limit → cache → handler → output. */
  execute(ctx: unknown): MaybePromise<unknown> {
    const auth = this.proc.auth
    if (auth !== undefined) {
      const checked = auth(ctx)
      if (checked instanceof Promise) return checked.then(() => this.parse(ctx))
    }
    return this.parse(ctx)
  }

  private parse(ctx: unknown): MaybePromise<unknown> {
    // A bad shape is refused with bad input: after auth, before anything is counted or run.
    if (this.rawShape !== undefined) this.shape = resolveShape(this.proc, this.rawShape)
    const parseInput = this.proc.parseInput
    if (parseInput === undefined) return this.limited(ctx, this.rawInput)
    const input = parseInput(this.rawInput)
    return input instanceof Promise ? input.then((value) => this.limited(ctx, value)) : this.limited(ctx, input)
  }

  /**
   * The rate limit, after auth and input (a custom key may read the parsed input) and before the
   * cache, so cache hits count too. Calls refused earlier spend nothing.
   */
  private limited(ctx: unknown, input: unknown): MaybePromise<unknown> {
    const limit = this.proc.rateLimit
    if (limit === undefined || this.env.unlimited === true) return this.cached(ctx, input)
    const checked = limit.check(ctx, input, this.env)
    return checked instanceof Promise ? checked.then(() => this.cached(ctx, input)) : this.cached(ctx, input)
  }

  /** The cache step, between input and handler: keyed by the parsed input, so defaults count. */
  private cached(ctx: unknown, input: unknown): MaybePromise<unknown> {
    // Each shape has its own site (its own keys) under the same generations: a purge reaches them all.
    const site = this.shape === undefined ? this.proc.cacheSite : this.shape.cacheSite
    const cache = this.dispatcher.cache
    if (site === undefined || cache === undefined) return this.handle(ctx, input)
    return cache.fetch(site, this.env, ctx, input, (shared) => {
      // A fill shared with other callers sees the flight's signal, not this caller's alone.
      if (shared !== undefined) this.signal = shared
      return this.handle(ctx, input)
    })
  }

  private handle(ctx: unknown, input: unknown): MaybePromise<unknown> {
    const output = this.proc.def.handler(new Args(input, ctx, this, this.shape?.selection))
    return output instanceof Promise ? output.then((value) => this.settle(value)) : this.settle(output)
  }

  /** The handler's result, cut to the shape and checked; a stream is wrapped, its values checked one by one. */
  private settle(output: unknown): unknown {
    // The one check a plain result pays (isStreamResult asks objects only, and only `in`).
    if (isStreamResult(output)) return this.stream(output)
    const shape = this.shape
    if (shape !== undefined) return shape.checkOutput(shape.project(output))
    const checkOutput = this.proc.checkOutput
    return checkOutput === undefined ? output : checkOutput(output)
  }

  private stream(source: AsyncIterable<unknown>): CallStream {
    const refuse = (error: Error): never => {
      // Nothing will read it: an iterator that started work lets it go.
      const iterator = source[Symbol.asyncIterator]()
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch((cause: unknown) => this.report(cause))
      throw error
    }
    if (this.proc.def.options.cache !== undefined) {
      refuse(new TypeError(`Mizan: "${this.proc.path}" streams, and a stream is never cached: remove its cache option`))
    }
    if (this.shape !== undefined) refuse(new MizanError('BAD_REQUEST', `"${this.proc.path}" streams: a stream takes no shape`))
    return new CallStream(source, this.proc.checkOutput, this)
  }
}

/** The compiled shape a call asks for, or `BAD_REQUEST` (a procedure without a table takes none). */
function resolveShape(proc: CompiledProcedure, raw: unknown): CompiledShape<CacheSite> {
  if (proc.shapes === undefined) throw new MizanError('BAD_REQUEST', `"${proc.path}" takes no shape${proc.kind === 'mutation' ? ' (a mutation returns what it did)' : proc.stream ? ': it streams' : ': it has no output schema of objects'}`)
  return proc.shapes.resolve(raw)
}

/**
 * What a handler receives. A class rather than a literal so `signal` and `invalidate` cost nothing
 * until read: most handlers read neither.
 */
class Args implements HandlerArgs<unknown, unknown, {}, unknown> {
  readonly #run: CallRun
  readonly path: string

  constructor(
    readonly input: unknown,
    readonly ctx: unknown,
    run: CallRun,
    readonly shape: unknown,
  ) {
    this.#run = run
    this.path = run.proc.path
  }

  get signal(): AbortSignal {
    return this.#run.currentSignal()
  }

  get invalidate(): HandlerArgs<unknown, unknown>['invalidate'] {
    return this.#run.invalidate
  }

  get publish(): HandlerArgs<unknown, unknown>['publish'] {
    return this.#run.publish
  }

  get fail(): (code: MizanErrorCode, data: unknown, message?: string) => never {
    const checks = this.#run.proc.errors
    return (code, data, message) => failWith(checks, code, data, message)
  }

  [REPORT_ERROR](error: unknown): void {
    this.#run.report(error)
  }
}

function logUnexpected({ error, path }: ErrorEvent): void {
  if (error instanceof MizanError && error.status < 500) return
  console.error(`[mizan] ${path}:`, error instanceof MizanError && error.cause !== undefined ? error.cause : error)
}

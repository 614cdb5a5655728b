import type { ProcedureKind } from './procedure.js'

declare const resultBrand: unique symbol

/** What `next()` resolves to; return it from the middleware. Opaque: it carries the next context's type. */
export interface MiddlewareResult<Ctx> {
  readonly [resultBrand]: Ctx
}

/** Calls the rest of the chain, with the same context or a new one. */
export interface MiddlewareNext<Ctx> {
  (): Promise<MiddlewareResult<Ctx>>
  <NewCtx>(options: { ctx: NewCtx }): Promise<MiddlewareResult<NewCtx>>
}

/** What a middleware receives. */
export interface MiddlewareArgs<Ctx> {
  ctx: Ctx
  path: string
  kind: ProcedureKind
  signal: AbortSignal
  next: MiddlewareNext<Ctx>
}

/**
 * Runs around every procedure of a builder made with `m.use(middleware)`. Return `next()` (same
 * context) or `next({ ctx })` (a new context the procedures are typed with); throw to refuse.
 */
export type Middleware<Ctx, NewCtx> = (args: MiddlewareArgs<Ctx>) => Promise<MiddlewareResult<NewCtx>>

/** The run-time value behind {@link MiddlewareResult}: what the rest of the chain returned. */
export class ChainResult {
  constructor(readonly value: unknown) {}
}

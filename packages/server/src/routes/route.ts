import type { MizanErrorCode } from '../errors.js'
import type { MizanRequest } from '../http/exchange.js'
import type { AuthRule, CacheOptions, HandlerArgs, ProcedureDef } from '../procedure.js'
import type { RateLimitRule } from '../rate-limit/rule.js'
import type { AnySchema, InferSchemaInput, InferSchemaOutput } from '../schema.js'
import type { PathParams, PathPattern } from './pattern.js'

/** Options of `m.route`: an HTTP endpoint of your own shape, served on the same dispatch as procedures. */
export interface RouteOptions<Ctx> {
  /** The method, or methods, it answers (`'GET'`, `['PUT', 'PATCH']`); any method name, upper case. */
  method: string | readonly string[]
  /** The path pattern, `:name` segments for parameters (`/files/:id`); under the base path unless `absolute`. */
  path: string
  /** Serve `path` at the root of the host instead of under the server's base path. */
  absolute?: boolean
  /** Schema of the path parameters; without it they are typed from the pattern as strings. */
  params?: AnySchema
  /** Schema of the query string, read as an object of strings (a repeated name gives an array). */
  query?: AnySchema
  /** Schema of the JSON body (methods other than GET and HEAD); with `rawBody`, of its text. */
  body?: AnySchema
  /**
   * Hand the handler the body as the exact text that arrived (within `maxBodySize`), whatever its
   * content type, instead of parsed JSON: what a webhook's signature is computed over. Such a
   * route takes any content type, so a cross-site form can reach it: authenticate it by the
   * signature, never by a cookie.
   */
  rawBody?: boolean
  /** Who may call it; see {@link AuthRule}. */
  auth?: AuthRule<Ctx>
  /** Origin cache policy of its GET and HEAD answers (values only: a `Response` is never stored). */
  cache?: CacheOptions
  /** Router paths a successful call changes: purged, announced in `x-mizan-invalidate` and pushed. */
  affects?: readonly string[]
  /** Its rate limit, or `false` to opt out of the builder's default. */
  rateLimit?: RateLimitRule<Ctx, unknown> | false
  /** Errors it declares it may answer with, by code: the schema of each one's `data`. */
  errors?: { readonly [C in MizanErrorCode]?: AnySchema }
  /** Free-form metadata, listed in the manifest. */
  meta?: Record<string, unknown>
}

/**
 * What a route handler receives: a procedure handler's arguments (`ctx`, `signal`, `path`,
 * `invalidate`, `publish`, `fail`), with the request's parts in place of `input`.
 */
export interface RouteArgs<Ctx, Params, Query, Body, Errors = {}> extends Omit<HandlerArgs<Ctx, unknown, Errors>, 'input' | 'shape'> {
  /** The path parameters, parsed by `params` when given. */
  params: Params
  /** The query string, parsed by `query` when given, else its raw strings. */
  query: Query
  /** The JSON body, parsed by `body` when given; with `rawBody`, its text. */
  body: Body
  /** The request: method, target and headers, the same on every runtime. */
  request: MizanRequest
}

/** The run-time description of a route, on its reserved `'~mizan'` slot. */
export interface RouteDef {
  readonly type: 'route'
  /** The methods it answers, upper case; `GET` brings `HEAD`. */
  readonly methods: readonly string[]
  readonly pattern: PathPattern
  readonly absolute: boolean
  readonly options: Readonly<RouteOptions<unknown>>
  /**
   * The procedures dispatch runs for it: `read` for GET and HEAD (the cache applies), `write` for
   * every other method. Their input is the route's `{ params, query, body }`.
   */
  readonly read: ProcedureDef
  readonly write: ProcedureDef
}

/**
 * An HTTP route in a router. Its types (method, pattern, what the client sends in the path and
 * query, what it answers) live on a phantom slot and cost nothing at run time.
 */
export interface Route<Path extends string = string, Params = any, Query = any, Output = unknown, Affects extends string = never> {
  readonly '~mizan': RouteDef
  readonly '~types'?: { readonly path: Path; readonly params: Params; readonly query: Query; readonly output: Output; readonly affects: Affects }
}

/** Any route. */
export type AnyRoute = Route<string, any, any, any, any>

/** True at run time when `value` is a route. */
export function isRoute(value: unknown): value is AnyRoute {
  return typeof value === 'object' && value !== null && (value as AnyRoute)['~mizan']?.type === 'route'
}

// ---- types `m.route` derives from its options ---------------------------------------------------

/** The parameters a client puts in the path: the `params` schema's input, else strings from the pattern. */
export type RouteClientParamsOf<O> = O extends { params: infer S extends AnySchema } ? InferSchemaInput<S> : O extends { path: infer P extends string } ? PathParams<P> : {}
/** The parameters a handler receives. */
export type RouteParamsOf<O> = O extends { params: infer S extends AnySchema } ? InferSchemaOutput<S> : O extends { path: infer P extends string } ? PathParams<P> : {}
/** The query a client sends: the `query` schema's input, else any strings. */
export type RouteClientQueryOf<O> = O extends { query: infer S extends AnySchema } ? InferSchemaInput<S> : Record<string, string | string[]>
/** The query a handler receives. */
export type RouteQueryOf<O> = O extends { query: infer S extends AnySchema } ? InferSchemaOutput<S> : Record<string, string | string[]>
/** The body a handler receives. */
export type RouteBodyOf<O> = O extends { body: infer S extends AnySchema } ? InferSchemaOutput<S> : O extends { rawBody: true } ? string : unknown
/** The errors a route declares. */
export type RouteErrorsOf<O> = O extends { errors: infer E } ? E : {}

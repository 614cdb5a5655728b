import { createChannel, type Channel, type ChannelOptions } from './channel.js'
import { ERROR_STATUS } from './errors.js'
import type { Middleware } from './middleware.js'
import type { AnySchema, InferSchemaInput, InferSchemaOutput } from './schema.js'
import {
  type AffectsOf,
  type AuthedCtx,
  type AuthRule,
  type ClientInputOf,
  type ClientOutputOf,
  type ContextOf,
  type ErrorsOption,
  type ClientErrorsOf,
  type ErrorsCheck,
  type ErrorsOf,
  type HandlerArgs,
  type HandlerInputOf,
  type HandlerReturnOf,
  type HandlerShapeOf,
  type MutationOptions,
  type Procedure,
  type ProcedureDef,
  type ProcedureKind,
  type QueryOptions,
  type RateLimitOptionOf,
  type IsStream,
  type ShapesCheck,
  type ShapeSpecOf,
  type StreamCheck,
  type WireValue,
} from './procedure.js'
import { parseRule, type ParsedRule, type RateLimitRule } from './rate-limit/rule.js'
import { checkFileLimits } from './files/limits.js'
import { checkShapeOptions } from './shapes/definition.js'
import { isStreamingHandler } from './streams/detect.js'
import { createRouter, type RecordSummary, type Router, type RouterConfig, type RouterRecord } from './router.js'
import { defineForm, validateInputSchema, type RawFormOptions } from './forms/definition.js'
import type { Form, FormOptions } from './forms/types.js'
import { defineRoute } from './routes/define.js'
import type { Route, RouteArgs, RouteBodyOf, RouteClientParamsOf, RouteClientQueryOf, RouteErrorsOf, RouteOptions, RouteParamsOf, RouteQueryOf } from './routes/route.js'

type UserOf<Ctx> = Ctx extends { user: infer U } ? NonNullable<U> : never

/** Options of {@link initMizan}. */
export interface MizanOptions<Ctx> {
  /** The roles of a signed-in user (`ctx.user`), for role-based `auth`. */
  roles?: (user: UserOf<Ctx>) => readonly string[]
  /** `superjson` (default: Date, Map, Set, BigInt, undefined survive) or `json` (plain JSON). */
  transformer?: 'superjson' | 'json'
  /** Send error messages and stack traces of unexpected errors. Default: `NODE_ENV === 'development'`. */
  isDev?: boolean
  /**
   * The rate limit of every procedure that declares none (`rateLimit: false` opts one out). A
   * custom `by` receives the context and the input as `unknown`.
   */
  rateLimit?: RateLimitRule<Ctx, unknown>
}

// The constraint of a builder's options: `rateLimit` is typed apart, by RateLimitOptionOf.
type WithoutRateLimit<O> = Omit<O, 'rateLimit'>
// What `auth` may be before it is known: then `by` sees the context un-narrowed.
type AnyAuth<Ctx> = AuthRule<Ctx> | undefined

/**
 * The builder `initMizan` returns. `Root` is the context `createContext` builds, `Ctx` the context
 * procedures of this builder see (extended by `use`), `T` the transformer.
 */
export interface Mizan<Root, Ctx, T extends string> {
  /** Defines a query: it reads, goes over GET and may be cached. */
  query<const O extends WithoutRateLimit<QueryOptions<Ctx>>, R extends HandlerReturnOf<O>, S = undefined, A extends AnyAuth<Ctx> = AnyAuth<Ctx>>(
    options: O & RateLimitOptionOf<Ctx, S, A> & ErrorsCheck<O> & ShapesCheck<O> & StreamCheck<O, R>,
    handler: (args: HandlerArgs<AuthedCtx<Ctx, O>, HandlerInputOf<O>, ErrorsOf<O>, HandlerShapeOf<O>>) => R,
  ): Procedure<'query', ClientInputOf<O>, ClientOutputOf<O, R, T>, never, ContextOf<O>, ClientErrorsOf<O, T>, IsStream<R> extends true ? never : ShapeSpecOf<O>>
  query<R>(handler: (args: HandlerArgs<Ctx, undefined>) => R): Procedure<'query', void, ClientOutputOf<{}, R, T>>

  /** Defines a mutation: it changes data, goes over POST and names what it `affects`. */
  mutation<const O extends WithoutRateLimit<MutationOptions<Ctx>>, R extends HandlerReturnOf<O>, S = undefined, A extends AnyAuth<Ctx> = AnyAuth<Ctx>>(
    options: O & RateLimitOptionOf<Ctx, S, A> & ErrorsCheck<O>,
    handler: (args: HandlerArgs<AuthedCtx<Ctx, O>, HandlerInputOf<O>, ErrorsOf<O>>) => R,
  ): Procedure<'mutation', ClientInputOf<O>, ClientOutputOf<O, R, T>, AffectsOf<O>, undefined, ClientErrorsOf<O, T>>
  mutation<R>(handler: (args: HandlerArgs<Ctx, undefined>) => R): Procedure<'mutation', void, ClientOutputOf<{}, R, T>>

  /** Defines a realtime channel: typed params and messages, server-chosen groups, optional client messages. */
  channel<P extends AnySchema, M extends AnySchema, R extends AnySchema | undefined = undefined, const A extends readonly string[] = []>(
    options: ChannelOptions<Ctx, P, M, R> & { affects?: A },
  ): Channel<InferSchemaInput<P>, InferSchemaOutput<M>, R extends AnySchema ? InferSchemaInput<R> : never, A[number]>

  /**
   * Defines a form: a router of three procedures the browser uses to show, validate and submit it
   * (`schema` and `validate`, queries; `submit`, a mutation whose handler is `onSubmit`). Field
   * names in `fields` are dotted paths of the input; their `check`s run on the server only.
   *
   * ```ts
   * contact: m.form({
   *   title: 'Contact us',
   *   input: z.object({ email: z.email(), message: z.string().min(10) }),
   *   fields: { message: { widget: 'textarea' } },
   *   onSubmit: async ({ input }) => ({ sent: true }),
   * })
   * ```
   */
  form<S extends AnySchema, R, A extends AnyAuth<Ctx> = AnyAuth<Ctx>, const Af extends readonly string[] = [], const E extends ErrorsOption = {}>(
    options: FormOptions<Ctx, S, A, R, E> & { affects?: Af } & ErrorsCheck<{ errors: E }>,
  ): Form<InferSchemaInput<S>, WireValue<T, Awaited<R>>, Af[number], Root, T, ClientErrorsOf<{ errors: E }, T>>

  /**
   * Defines an HTTP route of your own shape (`GET /files/:id`), served beside the protocol on the
   * same dispatch: auth, middlewares, rate limit, cache (GET), affects. It returns a value (sent as
   * `{ data }`) or a `Response` (sent as it is). Parameters are typed from the pattern unless a
   * `params` schema is given.
   */
  route<const O extends RouteOptions<Ctx>, R>(
    options: O,
    handler: (args: RouteArgs<AuthedCtx<Ctx, O>, RouteParamsOf<O>, RouteQueryOf<O>, RouteBodyOf<O>, RouteErrorsOf<O>>) => R,
  ): Route<O['path'], RouteClientParamsOf<O>, RouteClientQueryOf<O>, Awaited<R> extends Response ? Response : WireValue<T, Awaited<R>>, AffectsOf<O>>

  /** Groups procedures and routers under names; paths are dotted (`posts.list`). */
  router<const R extends RouterRecord>(record: R): Router<R, Root, T, RecordSummary<R>['paths'], RecordSummary<R>['affects']>

  /** A builder whose procedures run behind `middleware` and see the context it passes to `next`. */
  use<NewCtx>(middleware: Middleware<Ctx, NewCtx>): Mizan<Root, NewCtx, T>
}

/**
 * Starts a Mizan app: fixes the context type once and returns the builder.
 *
 * ```ts
 * export const m = initMizan<{ user: User | null }>({ roles: (user) => user.roles })
 * ```
 */
export function initMizan<Ctx>(options: MizanOptions<Ctx> & { transformer: 'json' }): Mizan<Ctx, Ctx, 'json'>
export function initMizan<Ctx>(options?: MizanOptions<Ctx>): Mizan<Ctx, Ctx, 'superjson'>
export function initMizan<Ctx>(options: MizanOptions<Ctx> = {}): Mizan<Ctx, Ctx, string> {
  const config: RouterConfig = {
    transformer: options.transformer ?? 'superjson',
    isDev: options.isDev ?? (typeof process !== 'undefined' && process.env?.NODE_ENV === 'development'),
  }
  if (config.transformer !== 'superjson' && config.transformer !== 'json') {
    throw new TypeError(`Mizan: unknown transformer "${String(config.transformer)}" (use "superjson" or "json")`)
  }
  const rateLimit = options.rateLimit === undefined ? undefined : parseRule(options.rateLimit, 'initMizan()')
  return createBuilder(config, options.roles as ProcedureDef['roles'], [], rateLimit)
}

function createBuilder(
  config: RouterConfig,
  roles: ProcedureDef['roles'],
  middlewares: readonly Middleware<any, any>[],
  rateLimit: ParsedRule | undefined,
): Mizan<any, any, string> {
  const define = (kind: ProcedureKind) => (first: unknown, second?: unknown) => {
    const [options, handler] = second === undefined ? [{}, first] : [first, second]
    if (typeof handler !== 'function') throw new TypeError(`Mizan: m.${kind}() needs a handler function`)
    if (typeof options !== 'object' || options === null) throw new TypeError(`Mizan: m.${kind}() options must be an object`)
    const frozen = Object.freeze({ ...(options as ProcedureDef['options']) })
    const own = frozen.rateLimit
    const def: ProcedureDef = {
      type: 'procedure',
      kind,
      options: frozen,
      handler: handler as ProcedureDef['handler'],
      middlewares,
      roles,
      rateLimit: own === false ? undefined : own === undefined ? rateLimit : parseRule(own, `m.${kind}()`),
      stream: isStreamingHandler(handler),
    }
    checkOptions(def)
    return Object.freeze({ '~mizan': def })
  }
  return {
    query: define('query') as never,
    mutation: define('mutation') as never,
    form: (options) => createForm(options as unknown as RawFormOptions & Record<string, unknown>, config, roles, define) as never,
    router: (record) => createRouter(record, config) as never,
    channel: (options) => createChannel(options as never) as never,
    route: (options, handler) => {
      const own = (options as RouteOptions<unknown> | null)?.rateLimit
      const limit = own === false ? undefined : own === undefined ? rateLimit : parseRule(own, 'm.route()')
      return defineRoute(options as RouteOptions<unknown>, handler as never, { middlewares, roles, rateLimit: limit }) as never
    },
    use: (middleware) => {
      if (typeof middleware !== 'function') throw new TypeError('Mizan: m.use() needs a middleware function')
      return createBuilder(config, roles, [...middlewares, middleware], rateLimit)
    },
  }
}

const FORM_KEYS = new Set(['title', 'description', 'submitLabel', 'input', 'fields', 'auth', 'rateLimit', 'files', 'affects', 'websocket', 'meta', 'errors', 'onSubmit'])

/**
 * A form: its definition checked (a TypeError for any mistake, now), then three procedures made
 * the way `m.query` and `m.mutation` make them (this builder's middlewares, roles and default rate
 * limit), grouped as `m.router` groups them, the form on the router's `'~mizan'` slot.
 */
function createForm(
  options: RawFormOptions & Record<string, unknown>,
  config: RouterConfig,
  roles: ProcedureDef['roles'],
  define: (kind: ProcedureKind) => (options: unknown, handler: unknown) => unknown,
): unknown {
  const { def, handlers } = defineForm(options)
  for (const key of Object.keys(options)) {
    if (!FORM_KEYS.has(key)) throw new TypeError(`Mizan: form "${def.title}": unknown option "${key}" (known: ${[...FORM_KEYS].join(', ')})`)
  }
  const { auth, websocket, rateLimit, files, affects, meta, errors } = options
  if ((typeof auth === 'string' || Array.isArray(auth)) && roles === undefined) {
    throw new TypeError(`Mizan: form "${def.title}": auth by role needs initMizan({ roles: (user) => user.roles })`)
  }
  const given = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined))
  const where = given({ auth, websocket })
  const record = {
    schema: define('query')(where, handlers.schema),
    validate: define('query')({ ...where, input: validateInputSchema }, handlers.validate),
    submit: define('mutation')({ ...where, ...given({ rateLimit, files, affects, meta, errors }), input: def.input }, handlers.submit),
  }
  const router = createRouter(record as RouterRecord, config)
  return Object.freeze({ '~mizan': Object.freeze({ ...router['~mizan'], form: def }) })
}

/** `errors`: a record of Mizan error codes to schemas (a misspelt code would never match a `fail`). */
function checkErrors(errors: unknown, where: string): void {
  if (errors === undefined) return
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) throw new TypeError(`Mizan: ${where}: errors must be an object of error code → schema`)
  for (const [code, schema] of Object.entries(errors)) {
    if (!Object.hasOwn(ERROR_STATUS, code)) throw new TypeError(`Mizan: ${where}: errors: "${code}" is not a Mizan error code`)
    if (typeof schema !== 'object' || schema === null || !('~standard' in schema)) throw new TypeError(`Mizan: ${where}: errors.${code} must be a schema (Standard Schema v1)`)
  }
}

/** Mistakes types catch for TypeScript users, caught again at definition time for everyone else. */
function checkOptions(def: ProcedureDef): void {
  const { kind, options } = def
  const where = `m.${kind}()`
  if (kind === 'query' && options.affects !== undefined) throw new TypeError(`Mizan: ${where}: a query cannot declare affects`)
  if (kind === 'mutation' && (options.context !== undefined || options.cache !== undefined)) {
    throw new TypeError(`Mizan: ${where}: context and cache are for queries`)
  }
  const affects: unknown = options.affects
  if (affects !== undefined && (!Array.isArray(affects) || affects.some((p) => typeof p !== 'string'))) {
    throw new TypeError(`Mizan: ${where}: affects must be a list of router paths`)
  }
  if (options.context !== undefined && options.context !== 'global' && options.context !== 'local') {
    throw new TypeError(`Mizan: ${where}: context must be "global" or "local"`)
  }
  if (kind === 'query' && options.files !== undefined) throw new TypeError(`Mizan: ${where}: files go with mutations`)
  checkFileLimits(options.files, where)
  checkErrors(options.errors, where)
  checkShapeOptions(kind, options, where)
  if (def.stream === true && options.cache !== undefined) throw new TypeError(`Mizan: ${where}: a handler that streams is never cached: remove cache`)
  if (def.stream === true && (options.shapes !== undefined || options.shape !== undefined)) throw new TypeError(`Mizan: ${where}: a handler that streams takes no shapes`)
  const auth = options.auth
  if ((typeof auth === 'string' || Array.isArray(auth)) && def.roles === undefined) {
    throw new TypeError(`Mizan: ${where}: auth by role needs initMizan({ roles: (user) => user.roles })`)
  }
}

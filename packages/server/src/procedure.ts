import type { MizanErrorCode } from './errors.js'
import type { FileLimits } from './files/limits.js'
import type { Middleware } from './middleware.js'
import type { ParsedRule, RateLimitRule } from './rate-limit/rule.js'
import type { AnySchema, InferSchemaInput, InferSchemaOutput } from './schema.js'
import type { ExactSelection, SchemaFieldsOf, SelectionOf, ShapeSpec } from './shapes/types.js'

/** What a procedure is: a `query` reads (GET, cacheable), a `mutation` changes (POST only). */
export type ProcedureKind = 'query' | 'mutation'

/**
 * Who may call a procedure: `true` (any signed-in user), a role name, a list of roles (any one
 * suffices), or a predicate over the context. The role `superuser` passes every role check.
 */
export type AuthRule<Ctx> = boolean | string | readonly string[] | ((ctx: Ctx) => boolean | Promise<boolean>)

/** The origin cache policy of a query (see the cache guide). */
export interface CacheOptions {
  /** Seconds an entry is fresh. */
  ttl: number
  /** `public`: one entry for everyone; `user`: one entry per signed-in user (no user: not cached). */
  scope: 'public' | 'user'
  /** Seconds a stale entry may still be served while one refresh runs. */
  swr?: number
  /** Bump to make every earlier entry of this procedure unreachable. */
  rev?: string | number
}

/**
 * The errors a procedure declares: each key a Mizan error code, each value the schema of the
 * `data` its handler sends with `fail(code, data)`. Clients see the codes and data types.
 */
export type ErrorsOption = { readonly [C in MizanErrorCode]?: AnySchema }

interface CommonOptions<Ctx> {
  /** Schema of the input, checked before the handler runs. */
  input?: AnySchema
  /** Schema of the output, checked after the handler: a failure is a server error, never sent as data. */
  output?: AnySchema
  /** Who may call it; see {@link AuthRule}. With `true` or roles, the handler's `ctx.user` is non-null. */
  auth?: AuthRule<Ctx>
  /** Also serve it over the WebSocket connection. */
  websocket?: boolean
  /** Free-form metadata of your own, listed in the manifest. */
  meta?: Record<string, unknown>
  /**
   * At most `max` calls per `window`, per caller (see {@link RateLimitRule}); `false` turns off the
   * default of `initMizan({ rateLimit })` for this procedure. (`any`: these options do not know the
   * input type; the builder types `by` with it, see {@link RateLimitOptionOf}.)
   */
  rateLimit?: RateLimitRule<Ctx, any> | false
  /**
   * Errors the handler may end with through `fail(code, data)`: code → schema of `data`. The data
   * is checked by its schema when sent (a mismatch is a 500, its data never sent); clients see
   * each declared code with its data type.
   */
  errors?: ErrorsOption
}

/** Options of `m.query`. */
export interface QueryOptions<Ctx> extends CommonOptions<Ctx> {
  /** `global`: fetched once per app and SSR-hydrated; `local`: fetched with input by a provider. */
  context?: 'global' | 'local'
  /** Origin cache policy. */
  cache?: CacheOptions
  /** Queries change nothing, so they affect nothing. */
  affects?: never
  /** Files go with mutations: a query's input cannot hold `z.file()`. */
  files?: never
  /**
   * Named shapes: name → a selection of the output's fields (`{ id: true, author: { name: true } }`),
   * each checked against the output schema. A caller asks for one by name; see {@link shape}.
   */
  shapes?: { readonly [name: string]: AnySelection }
  /**
   * `'named'`: callers may ask only for the named shapes (which keeps cache keys few). Left out, a
   * query whose output schema holds objects also takes a caller's own selection of fields.
   */
  shape?: 'named'
}

/** A selection of fields as the options type it before the output is known: checked by {@link ShapesCheck}. */
type AnySelection = { readonly [field: string]: true | AnySelection }

/** Options of `m.mutation`. */
export interface MutationOptions<Ctx> extends CommonOptions<Ctx> {
  /**
   * Router paths this mutation changes: a procedure (`'posts.list'`) or a sub-router (`'posts'`).
   * After success, clients refetch every matching query and the origin cache drops it.
   */
  affects?: readonly string[]
  /**
   * Limits of the files a call may upload, when the input schema holds `z.file()` (which makes the
   * mutation accept `multipart/form-data`); see {@link FileLimits} for the defaults.
   */
  files?: FileLimits
  context?: never
  cache?: never
  /** A mutation's result is what it did: it takes no shape. */
  shapes?: never
  shape?: never
}

/**
 * `fail` of a handler: ends the call with one of its declared errors. Without `errors` it accepts
 * no code at all.
 */
export type Fail<Errors> = <C extends keyof Errors & MizanErrorCode>(
  code: C,
  data: Errors[C] extends AnySchema ? InferSchemaInput<Errors[C]> : never,
  message?: string,
) => never

/**
 * What a handler receives; `Errors` is the procedure's `errors` declaration, `Shape` what `shape`
 * may hold (`undefined` for a procedure that takes none).
 */
export interface HandlerArgs<Ctx, Input, Errors = {}, Shape = undefined> {
  /** The parsed input (the schema's output type). */
  input: Input
  /** The context, as extended by middlewares. */
  ctx: Ctx
  /** Aborted when the caller goes away (connection closed, call aborted). */
  signal: AbortSignal
  /** The dotted path of the procedure being called. */
  path: string
  /**
   * Adds an invalidation at run time: every input of `path` (a procedure or a sub-router), or only
   * the key of `input` when it is given.
   */
  invalidate: (path: string, input?: unknown) => void
  /** Publishes a message to the channel group `params` select; validated against the channel's schemas. */
  publish: (channelPath: string, params: unknown, message: unknown) => Promise<void>
  /**
   * Throws one of the procedure's declared errors: `fail('NOT_FOUND', { id })` is a `MizanError`
   * with that code's status, the data checked by the declared schema.
   */
  fail: Fail<Errors>
  /**
   * The fields the caller asked for: a selection of the output's fields (a named shape resolved to
   * its selection, keys sorted, frozen), or `undefined` when the caller wants the whole output.
   * Select only these from the database; whatever the handler returns is cut to them anyway.
   */
  shape: Shape
}

/** The run-time description of a procedure, on its reserved `'~mizan'` slot. */
export interface ProcedureDef {
  readonly type: 'procedure'
  readonly kind: ProcedureKind
  readonly options: Readonly<
    CommonOptions<unknown> & { context?: 'global' | 'local'; cache?: CacheOptions; affects?: readonly string[]; files?: FileLimits; shapes?: QueryOptions<unknown>['shapes']; shape?: 'named' }
  >
  readonly handler: (args: HandlerArgs<any, any, any, any>) => unknown
  readonly middlewares: readonly Middleware<any, any>[]
  readonly roles: ((user: any) => readonly string[]) | undefined
  /** The rate limit in force: the procedure's own, else the builder's default; none when `false`. */
  readonly rateLimit: ParsedRule | undefined
  /**
   * The handler is an async generator function, so the procedure streams (known when it is
   * defined). A handler that returns an `AsyncIterable` otherwise streams too, known only when called.
   */
  readonly stream?: boolean
}

/**
 * A query or mutation. `Input` and `Output` are what a client sends and gets back; `Affects` the
 * paths it declares it changes; `Shapes` what it says of shapes ({@link ShapeSpec}, `never` when
 * it takes none). The types live on a phantom slot and cost nothing at run time.
 */
export interface Procedure<Kind extends ProcedureKind, Input, Output, Affects extends string = never, Context extends ContextKind = undefined, Errors = {}, Shapes = never> {
  readonly '~mizan': ProcedureDef & { readonly kind: Kind }
  readonly '~types'?: { readonly input: Input; readonly output: Output; readonly affects: Affects; readonly context: Context; readonly errors: Errors; shapes(shapes: Shapes): void }
}

// `shapes` is a method's parameter, which TypeScript compares both ways: a procedure that takes
// shapes still matches `Procedure<K, I, O, any, any>` (as one declaring errors matches the default
// `{}`), so code that reads only the first type parameters needs no change.

/** The {@link ShapeSpec} of a procedure, `never` when it takes no shape. */
export type ShapesOfProcedure<P> = P extends { readonly '~types'?: { shapes(shapes: infer S): void } } ? S : never

/** Whether a query is an app-wide (`global`) or provided (`local`) context, or neither. */
export type ContextKind = 'global' | 'local' | undefined

/** Any procedure. */
export type AnyProcedure = Procedure<ProcedureKind, any, any, any, any, any, any>

/** True at run time when `value` is a procedure. */
export function isProcedure(value: unknown): value is AnyProcedure {
  return typeof value === 'object' && value !== null && (value as AnyProcedure)['~mizan']?.type === 'procedure'
}

// ---- types a builder derives from one procedure's options -------------------------------------

type MaybePromise<T> = T | Promise<T>

/** The input a client sends: the schema's input type, or nothing. */
export type ClientInputOf<O> = O extends { input: infer S extends AnySchema } ? InferSchemaInput<S> : void
/** The input a handler receives: the schema's output type, or `undefined`. */
export type HandlerInputOf<O> = O extends { input: infer S extends AnySchema } ? InferSchemaOutput<S> : undefined
/**
 * What a handler must return when an output schema is given: a value of it, or a stream of them
 * (the schema describes one yielded value).
 */
export type HandlerReturnOf<O> = O extends { output: infer S extends AnySchema } ? MaybePromise<InferSchemaInput<S>> | MaybePromise<AsyncIterable<InferSchemaInput<S>>> : unknown
/**
 * What the client receives, after the transformer. A handler that streams (its result an
 * `AsyncIterable`, never a `ReadableStream`) gives an `AsyncGenerator` of its values (the output
 * schema's output type, when given), its return value the generator's.
 */
export type ClientOutputOf<O, R, T extends string> = [StreamOf<R>] extends [never]
  ? WireValue<T, O extends { output: infer S extends AnySchema } ? InferSchemaOutput<S> : Awaited<R>>
  : StreamOf<R> extends [infer Y, infer Ret]
    ? AsyncGenerator<WireValue<T, O extends { output: infer S extends AnySchema } ? InferSchemaOutput<S> : Y>, StreamReturn<T, Ret>, undefined>
    : never

/**
 * `[Yield, Return]` when a handler's result `R` streams, else `never`. A `ReadableStream` is bytes,
 * not a stream of values; an `AsyncIterable` that is not a generator has no return value.
 */
export type StreamOf<R> = 0 extends 1 & R
  ? never
  : Awaited<R> extends ReadableStream<any>
    ? never
    : Awaited<R> extends AsyncGenerator<infer Y, infer Ret, any>
      ? [Y, Ret]
      : Awaited<R> extends AsyncIterable<infer Y>
        ? [Y, void]
        : never
/** True when a handler's result `R` streams. */
export type IsStream<R> = [StreamOf<R>] extends [never] ? false : true
// A generator that returns nothing has `void` as its return type: the client sees `undefined`'s place as `void` too.
type StreamReturn<T extends string, Ret> = [Ret] extends [void] ? void : WireValue<T, Ret>

/** Refuses `cache` on a query whose handler's type shows that it streams: a stream is never cached. */
export type StreamCheck<O, R> = IsStream<R> extends true ? (O extends { cache: any } ? { cache?: never } : unknown) : unknown
/** The context kind of a query. */
export type ContextOf<O> = O extends { context: infer C extends 'global' | 'local' } ? C : undefined
/** The `errors` declaration of a procedure's options, `{}` without one. */
export type ErrorsOf<O> = O extends { errors: infer E extends ErrorsOption } ? E : {}
/** The declared errors as the client sees them: code → `data` after the transformer. */
export type ClientErrorsOf<O, T extends string> = { [C in keyof ErrorsOf<O>]: ErrorsOf<O>[C] extends AnySchema ? WireValue<T, InferSchemaOutput<ErrorsOf<O>[C]>> : never }
/**
 * Refuses an `errors` key that is not a Mizan error code (a misspelt `NOT_FOUD` would otherwise
 * slip through, as extra keys of a generic option do).
 */
export type ErrorsCheck<O> = O extends { errors: infer E } ? { errors?: { [K in keyof E]: K extends MizanErrorCode ? E[K] : never } } : unknown

/**
 * The declared errors of a procedure as a union of `{ code, data }`, the shape a client error
 * narrows to; `never` when it declares none.
 */
export type DeclaredErrorOf<P> = P extends { readonly '~types'?: { readonly errors: infer E } } ? { [C in keyof E & MizanErrorCode]: { code: C; data: E[C] } }[keyof E & MizanErrorCode] : never

/** The output schema of a query whose output holds objects (so it may take shapes); `never` otherwise. */
export type ShapeableSchemaOf<O> = O extends { output: infer S extends AnySchema } ? ([SchemaFieldsOf<S>] extends [never] ? never : S) : never

/** The {@link ShapeSpec} of a query's options: its named shapes, whether free selections are taken, and what a selection may be; `never` when it takes none. */
export type ShapeSpecOf<O> = [ShapeableSchemaOf<O>] extends [never]
  ? never
  : ShapeSpec<O extends { shapes: infer N } ? N : {}, O extends { shape: 'named' } ? false : true, SelectionOf<ShapeableSchemaOf<O>>>

/** The type of a handler's `shape`: a selection of the output's fields or `undefined`; only `undefined` when no shape is possible. */
export type HandlerShapeOf<O> = [ShapeableSchemaOf<O>] extends [never] ? undefined : SelectionOf<ShapeableSchemaOf<O>> | undefined

/**
 * Refuses `shapes` and `shape` on a query whose output schema holds no object, and a named shape
 * selecting a field the output does not have (at any level), as {@link ErrorsCheck} refuses codes.
 */
export type ShapesCheck<O> = [ShapeableSchemaOf<O>] extends [never]
  ? { shapes?: never; shape?: never }
  : O extends { shapes: infer N }
    ? { shapes?: { [K in keyof N]: SelectionOf<ShapeableSchemaOf<O>> & ExactSelection<SelectionOf<ShapeableSchemaOf<O>>, N[K]> } }
    : unknown

/** The affects literals of a mutation. */
export type AffectsOf<O> = O extends { affects: readonly (infer A extends string)[] } ? A : never

/**
 * The context a handler sees: `auth: true` or a role rule guarantee a user, so `ctx.user` is
 * non-null. A predicate may let anyone through, so it narrows nothing.
 */
export type AuthedCtx<Ctx, O> = O extends { auth: true | string | readonly string[] } ? WithUser<Ctx> : Ctx
type WithUser<Ctx> = Ctx extends { user: infer U } ? Ctx & { user: NonNullable<U> } : Ctx

/**
 * How a builder types `rateLimit`, next to the options' own type: `S` and `A` are inferred from the
 * `input` and `auth` options on their own, before `by` is checked, so `by` receives the parsed
 * input and the context `auth` narrows (`O` as a whole is only known after every option is).
 */
export type RateLimitOptionOf<Ctx, S, A> = {
  input?: S
  auth?: A
  rateLimit?: RateLimitRule<AuthedCtx<Ctx, { auth: A }>, S extends AnySchema ? InferSchemaOutput<S> : undefined> | false
}

/**
 * A value as the client sees it: unchanged with superjson, as JSON would make it with `json`. A
 * result that is bytes goes as bytes with either: a `Blob` or `File` stays itself, a
 * `ReadableStream` arrives as a `Blob` (only a result that is bytes as a whole; bytes inside an
 * object are not sent as bytes).
 */
export type WireValue<T extends string, V> = 0 extends 1 & V ? JsonOrNot<T, V> : V extends ReadableStream<any> ? Blob : V extends Blob ? V : JsonOrNot<T, V>
type JsonOrNot<T extends string, V> = T extends 'json' ? Jsonify<V> : V

/** What `JSON.parse(JSON.stringify(value))` gives, as a type. */
export type Jsonify<T> = T extends string | number | boolean | null
  ? T
  : T extends { toJSON(): infer J }
    ? J extends object ? Jsonify<J> : J
    : T extends undefined | bigint | symbol | ((...args: any[]) => unknown)
      ? never
      : T extends Map<any, any> | Set<any>
        ? Record<string, never>
        : T extends readonly (infer E)[]
          ? Jsonify<E>[]
          : { [K in keyof T as T[K] extends (...args: any[]) => unknown ? never : K]: Jsonify<T[K]> }

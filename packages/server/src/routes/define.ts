import { MizanError } from '../errors.js'
import type { Middleware } from '../middleware.js'
import type { HandlerArgs, ProcedureDef } from '../procedure.js'
import type { ParsedRule } from '../rate-limit/rule.js'
import type { AnySchema, StandardSchemaV1 } from '../schema.js'
import type { MizanRequest } from '../http/exchange.js'
import { parsePattern } from './pattern.js'
import type { AnyRoute, RouteArgs, RouteDef, RouteOptions } from './route.js'

/** The request beside a route's parsed input: a symbol, so cache keys (built from the input's own keys) never see it. */
export const ROUTE_REQUEST = Symbol('mizan.route.request')

/** A route call's raw input, as the HTTP adapter builds it. */
export interface RouteInput {
  params: Record<string, string>
  query: Record<string, string | string[]>
  body: unknown
  [ROUTE_REQUEST]: MizanRequest
}

const KEYS = new Set(['method', 'path', 'absolute', 'params', 'query', 'body', 'auth', 'cache', 'affects', 'rateLimit', 'errors', 'meta', 'rawBody'])
const METHOD = /^[A-Z][A-Z0-9_-]*$/

/** What `m.route` needs of its builder. */
export interface RouteBuilderState {
  readonly middlewares: readonly Middleware<any, any>[]
  readonly roles: ProcedureDef['roles']
  /** The rate limit in force (own or default), parsed by the builder. */
  readonly rateLimit: ParsedRule | undefined
}

/** Checks a route's options now (a TypeError for each mistake) and freezes it. */
export function defineRoute(options: RouteOptions<unknown>, handler: (args: RouteArgs<any, any, any, any, any>) => unknown, state: RouteBuilderState): AnyRoute {
  if (typeof options !== 'object' || options === null) throw new TypeError('Mizan: m.route() options must be an object')
  if (typeof handler !== 'function') throw new TypeError('Mizan: m.route() needs a handler function')
  const where = `m.route(${JSON.stringify(options.path)})`
  for (const key of Object.keys(options)) if (!KEYS.has(key)) throw new TypeError(`Mizan: ${where}: unknown option "${key}"`)
  const listed = typeof options.method === 'string' ? [options.method] : options.method
  if (!Array.isArray(listed) || listed.length === 0 || listed.some((method) => typeof method !== 'string' || !METHOD.test(method))) {
    throw new TypeError(`Mizan: ${where}: method must be an upper-case method name or a list of them`)
  }
  const methods = [...new Set(listed.includes('GET') && !listed.includes('HEAD') ? [...listed, 'HEAD'] : listed)]
  const pattern = parsePattern(options.path, where)
  for (const key of ['params', 'query', 'body'] as const) {
    const schema = options[key]
    if (schema !== undefined && (typeof schema !== 'object' || schema === null || !('~standard' in schema))) throw new TypeError(`Mizan: ${where}: ${key} must be a Standard Schema (zod 4, Valibot, ArkType)`)
  }
  const affects: unknown = options.affects
  if (affects !== undefined && (!Array.isArray(affects) || affects.some((p) => typeof p !== 'string'))) throw new TypeError(`Mizan: ${where}: affects must be a list of router paths`)
  if (options.rawBody !== undefined && typeof options.rawBody !== 'boolean') throw new TypeError(`Mizan: ${where}: rawBody must be true or false`)
  const auth = options.auth
  if ((typeof auth === 'string' || Array.isArray(auth)) && state.roles === undefined) throw new TypeError(`Mizan: ${where}: auth by role needs initMizan({ roles: (user) => user.roles })`)
  const frozen = Object.freeze({ ...options })
  const input = routeInputSchema(frozen)
  const run = (args: HandlerArgs<unknown, unknown>) => handler(new Args(args))
  const procedure = (kind: 'query' | 'mutation', cache: boolean): ProcedureDef => ({
    type: 'procedure',
    kind,
    options: Object.freeze({ input, auth, affects: frozen.affects, cache: cache ? frozen.cache : undefined, meta: frozen.meta, errors: frozen.errors }),
    handler: cache && frozen.cache !== undefined ? (args) => refuseResponse(run(args), where) : run,
    middlewares: state.middlewares,
    roles: state.roles,
    rateLimit: state.rateLimit,
  })
  const def: RouteDef = { type: 'route', methods, pattern, absolute: frozen.absolute === true, options: frozen, read: procedure('query', true), write: procedure('mutation', false) }
  return Object.freeze({ '~mizan': Object.freeze(def) })
}

/** The origin cache stores values: a cached route that answers with a `Response` is a server mistake, said plainly. */
function refuseResponse(result: unknown, where: string): unknown {
  const check = (value: unknown) => {
    if (value instanceof Response) throw new MizanError('INTERNAL_SERVER_ERROR', `${where} declares cache, so it must return a value (the origin cache never stores a Response)`)
    return value
  }
  return result instanceof Promise ? result.then(check) : check(result)
}

/**
 * One schema over `{ params, query, body }`: each part checked by its own schema, issues under its
 * name (`params.id`), so a 400 lists every problem at once with `fieldErrors` by part.
 */
function routeInputSchema(options: RouteOptions<unknown>): StandardSchemaV1 {
  const parts = (['params', 'query', 'body'] as const).map((key) => [key, options[key]] as const)
  const validate = (raw: unknown) => {
    const value = raw as RouteInput
    const output: Record<string, unknown> = {}
    const issues: { message: string; path: PropertyKey[] }[] = []
    const pending: Promise<void>[] = []
    for (const [key, schema] of parts) {
      if (schema === undefined) {
        output[key] = value[key]
        continue
      }
      const settle = (result: Awaited<ReturnType<AnySchema['~standard']['validate']>>) => {
        if (result.issues === undefined) output[key] = result.value
        else for (const issue of result.issues) issues.push({ message: issue.message, path: [key, ...(issue.path ?? []).map((part) => (typeof part === 'object' && part !== null ? part.key : part))] })
      }
      const result = schema['~standard'].validate(value[key])
      if (result instanceof Promise) pending.push(result.then(settle))
      else settle(result)
    }
    const finish = () => {
      if (issues.length > 0) return { issues }
      Object.defineProperty(output, ROUTE_REQUEST, { value: value[ROUTE_REQUEST], enumerable: false })
      return { value: output }
    }
    return pending.length === 0 ? finish() : Promise.all(pending).then(finish)
  }
  return { '~standard': { version: 1, vendor: 'mizan', validate } }
}

/** What a route handler receives, read from the procedure arguments dispatch builds. */
class Args implements RouteArgs<unknown, unknown, unknown, unknown, Record<string, AnySchema>> {
  readonly #args: HandlerArgs<unknown, unknown>

  constructor(args: HandlerArgs<unknown, unknown>) {
    this.#args = args
  }

  get params(): unknown {
    return (this.#args.input as RouteInput).params
  }
  get query(): unknown {
    return (this.#args.input as RouteInput).query
  }
  get body(): unknown {
    return (this.#args.input as RouteInput).body
  }
  get request(): MizanRequest {
    return (this.#args.input as RouteInput)[ROUTE_REQUEST]
  }
  get ctx(): unknown {
    return this.#args.ctx
  }
  get signal(): AbortSignal {
    return this.#args.signal
  }
  get path(): string {
    return this.#args.path
  }
  get invalidate(): RouteArgs<unknown, unknown, unknown, unknown>['invalidate'] {
    return this.#args.invalidate
  }
  get publish(): RouteArgs<unknown, unknown, unknown, unknown>['publish'] {
    return this.#args.publish
  }

  /** The dispatcher's own `fail`: the route's declared errors, checked on the way out as a procedure's are. */
  get fail(): RouteArgs<unknown, unknown, unknown, unknown, Record<string, AnySchema>>['fail'] {
    return this.#args.fail as never
  }
}

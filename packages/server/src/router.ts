import { isChannel, type AnyChannel, type Channel, type ChannelDef } from './channel.js'
import type { FormDef } from './forms/definition.js'
import { isProcedure, type AnyProcedure, type Procedure, type ProcedureDef } from './procedure.js'
import { isRoute, type AnyRoute, type Route, type RouteDef } from './routes/route.js'

/** The children of a router: procedures, channels, routes, routers, or plain nested objects of them. */
export interface RouterRecord {
  readonly [key: string]: AnyProcedure | AnyChannel | AnyRoute | AnyRouter | RouterRecord
}

/** The run-time description of a router, on its reserved `'~mizan'` slot. */
export interface RouterDef<R extends RouterRecord> {
  readonly type: 'router'
  readonly record: R
  readonly config: RouterConfig
  /** Present on a router `m.form` made: the form its three procedures serve. */
  readonly form?: FormDef
}

/** Settings a router carries from `initMizan` to the server that serves it. */
export interface RouterConfig {
  readonly transformer: 'superjson' | 'json'
  readonly isDev: boolean
}

/**
 * A router: named procedures and sub-routers. `Ctx` is the context `createContext` must build and
 * `T` the transformer; both are phantom types. `Paths` (every procedure path and router prefix
 * under it, relative) and `Affects` (every path its mutations and channels declare in `affects`)
 * are computed once, where `m.router` makes it, so checking `affects` where a router is served or
 * given to a client reads two unions instead of walking the whole router again; in emitted
 * declarations they are written out, so a client built against a server's `.d.ts` computes nothing.
 */
export interface Router<R extends RouterRecord, Ctx = any, T extends string = string, Paths extends string = string, Affects extends string = string> {
  readonly '~mizan': RouterDef<R>
  readonly '~types'?: { readonly ctx: Ctx; readonly transformer: T; readonly paths: Paths; readonly affects: Affects }
}

/** Any router. */
export type AnyRouter = Router<any, any, any, any, any>

/** The record of a router or of a plain nested object. */
export type RecordOf<T> = T extends AnyRouter ? T['~mizan']['record'] : T

/** The context type `createContext` must return for a router. */
export type RouterContext<R extends AnyRouter> = NonNullable<R['~types']>['ctx']

/** True at run time when `value` is a router. */
export function isRouter(value: unknown): value is AnyRouter {
  return typeof value === 'object' && value !== null && (value as AnyRouter)['~mizan']?.type === 'router'
}

const RESERVED_KEYS = new Set(['then', 'toJSON', 'constructor', '__proto__', 'prototype'])
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/

/** Creates a router from a record; checks that every key can be a path segment. */
export function createRouter<R extends RouterRecord>(record: R, config: RouterConfig): Router<R> {
  for (const key of Object.keys(record)) {
    if (!KEY_PATTERN.test(key) || RESERVED_KEYS.has(key) || key.startsWith('_')) {
      throw new TypeError(
        `Mizan: router key "${key}" cannot be a path segment: use letters, digits, "-" and "_" (not leading), and none of ${[...RESERVED_KEYS].join(', ')}`,
      )
    }
  }
  return { '~mizan': { type: 'router', record, config } }
}

/** A router flattened once, when it is served: every procedure by its dotted path. */
export interface FlatRouter {
  readonly procedures: ReadonlyMap<string, ProcedureDef>
  /** Every channel by its dotted path. */
  readonly channels: ReadonlyMap<string, ChannelDef>
  /** Every sub-router path (`'posts'`), the targets `affects` may name besides procedures. */
  readonly prefixes: ReadonlySet<string>
  /** Every form (a router `m.form` made) by its dotted path. */
  readonly forms: ReadonlyMap<string, FormDef>
  /** Every route (`m.route`) by its dotted path. */
  readonly routes: ReadonlyMap<string, RouteDef>
}

// A router is immutable once built: it is walked once, however many servers, caches and callers ask.
const flattened = new WeakMap<AnyRouter, FlatRouter>()

/** Walks a router into a {@link FlatRouter}, checking keys of plain nested objects too. */
export function flattenRouter(router: AnyRouter): FlatRouter {
  let flat = flattened.get(router)
  if (flat === undefined) flattened.set(router, (flat = walkRouter(router)))
  return flat
}

function walkRouter(router: AnyRouter): FlatRouter {
  const procedures = new Map<string, ProcedureDef>()
  const channels = new Map<string, ChannelDef>()
  const prefixes = new Set<string>()
  const forms = new Map<string, FormDef>()
  const routes = new Map<string, RouteDef>()
  const walk = (record: RouterRecord, prefix: string, seen: Set<object>) => {
    for (const [key, child] of Object.entries(record)) {
      const path = prefix + key
      if (isProcedure(child)) {
        procedures.set(path, child['~mizan'])
      } else if (isChannel(child)) {
        channels.set(path, child['~mizan'])
      } else if (isRoute(child)) {
        routes.set(path, child['~mizan'])
      } else if (isRouter(child) || (typeof child === 'object' && child !== null)) {
        const inner: RouterRecord = isRouter(child) ? child['~mizan'].record : (child as RouterRecord)
        if (!isRouter(child)) createRouter(inner, router['~mizan'].config) // key check only
        if (seen.has(inner)) throw new TypeError(`Mizan: router cycle at "${path}"`)
        prefixes.add(path)
        const form = isRouter(child) ? child['~mizan'].form : undefined
        if (form !== undefined) forms.set(path, form)
        walk(inner, path + '.', new Set(seen).add(inner))
      } else {
        throw new TypeError(`Mizan: "${path}" is neither a procedure nor a router`)
      }
    }
  }
  walk(router['~mizan'].record, '', new Set())
  return { procedures, channels, prefixes, forms, routes }
}

/** Throws at startup when an `affects` path names nothing in the router. */
export function assertAffects(flat: FlatRouter): void {
  for (const [path, def] of flat.procedures) {
    for (const target of def.options.affects ?? []) {
      if (!flat.procedures.has(target) && !flat.prefixes.has(target)) {
        throw new TypeError(`Mizan: "${path}" affects "${target}", which is neither a procedure nor a router path`)
      }
    }
  }
  for (const [path, def] of flat.routes) {
    for (const target of def.options.affects ?? []) {
      if (!flat.procedures.has(target) && !flat.prefixes.has(target)) {
        throw new TypeError(`Mizan: route "${path}" affects "${target}", which is neither a procedure nor a router path`)
      }
    }
  }
  for (const [path, def] of flat.channels) {
    for (const target of def.options.affects ?? []) {
      if (!flat.procedures.has(target) && !flat.prefixes.has(target)) {
        throw new TypeError(`Mizan: channel "${path}" affects "${target}", which is neither a procedure nor a router path`)
      }
    }
  }
}

// ---- the serve-time type check of `affects` ------------------------------------------------------

/**
 * Every procedure path and router prefix of a record, dotted and relative to it. A sub-router made
 * by `m.router` contributes the paths it carries, so each router's paths are computed once.
 */
export type RecordPaths<R> = RecordSummary<R>['paths']

/** Every path the mutations and channels of a record declare in `affects` (they are absolute). */
export type RecordAffects<R> = RecordSummary<R>['affects']

/**
 * What `m.router` computes of a record. Read through interface members, so the unions come out
 * bare, not as an alias of the record: emitted declarations write them out (a few characters a
 * path) instead of repeating the whole record inside `RecordPaths<...>`.
 */
export interface RecordSummary<R> {
  paths: {
    [K in keyof R & string]: R[K] extends AnyProcedure
      ? K
      : R[K] extends Router<any, any, any, infer P, any>
        ? K | `${K}.${P}`
        : R[K] extends AnyChannel | AnyRoute
          ? never
          : K | `${K}.${RecordSummary<R[K]>['paths']}`
  }[keyof R & string]
  affects: {
    [K in keyof R & string]: R[K] extends Procedure<any, any, any, infer A, any>
      ? A
      : R[K] extends Router<any, any, any, any, infer A>
        ? A
        : R[K] extends Channel<any, any, any, infer A>
          ? A
          : R[K] extends Route<any, any, any, any, infer A>
            ? A
            : RecordSummary<R[K]>['affects']
  }[keyof R & string]
}

/** Every procedure path and router prefix of a router, dotted: what `affects` may name. */
export type RouterPaths<R extends AnyRouter> = R extends Router<any, any, any, infer P, any> ? P : never

/** Every path the mutations and channels of a router declare in `affects`. */
export type DeclaredAffects<R extends AnyRouter> = R extends Router<any, any, any, any, infer A> ? A : never

/** Every channel path of a record, dotted: what `publish` may name. */
export type ChannelPaths<R, P extends string = ''> = {
  [K in keyof R & string]: R[K] extends AnyChannel ? `${P}${K}` : R[K] extends AnyProcedure | AnyRoute ? never : ChannelPaths<RecordOf<R[K]>, `${P}${K}.`>
}[keyof R & string]

/** The `affects` paths of a router that name nothing in it. */
export type InvalidAffects<R extends AnyRouter> = R extends Router<any, any, any, infer P, infer A> ? Exclude<A, P> : never

/**
 * `unknown` when every `affects` path of the router exists; otherwise a required property whose
 * name states the problem and whose type lists the bad paths, so the call that serves the router
 * (or creates a client for it) fails to compile.
 */
export type AffectsCheck<R extends AnyRouter> = [InvalidAffects<R>] extends [never]
  ? unknown
  : { 'affects names paths that do not exist': InvalidAffects<R> }

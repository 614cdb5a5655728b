import type { OriginCache } from '../cache/origin-cache.js'
import { compileProcedure } from '../compile-procedure.js'
import type { CompiledProcedure } from '../dispatch.js'
import type { Limiter } from '../rate-limit/limiter.js'
import { matchPattern, patternsOverlap, splitPath, type PathPattern } from './pattern.js'
import type { RouteDef } from './route.js'

/** A route prepared once when the router is served. */
export interface CompiledRoute {
  /** Its dotted router path. */
  readonly path: string
  readonly def: RouteDef
  /** The full pattern it is served at: the base path's segments first unless absolute. */
  readonly url: PathPattern
  /** What dispatch runs for GET and HEAD, then for every other method. */
  readonly read: CompiledProcedure
  readonly write: CompiledProcedure
}

/** What matching a request path gave: a route and its raw parameters, or the methods the path allows (405). */
export type RouteMatch =
  | { readonly route: CompiledRoute; readonly params: Record<string, string> }
  | { readonly route: undefined; readonly allow: readonly string[] }

/** Every route of a served router, matched against raw request paths. */
export class RouteTable {
  readonly routes: readonly CompiledRoute[]

  constructor(routes: ReadonlyMap<string, RouteDef>, basePath: string, procedures: ReadonlyMap<string, unknown>, cache: OriginCache | undefined, limiter: Limiter | undefined) {
    const compiled: CompiledRoute[] = []
    for (const [path, def] of routes) {
      const source = def.absolute ? def.pattern.source : basePath + (def.pattern.source === '/' ? '' : def.pattern.source)
      const url: PathPattern = { ...def.pattern, source: source === '' ? '/' : source, segments: [...splitPath(basePath).map((literal) => ({ literal })), ...def.pattern.segments] }
      const full = def.absolute ? def.pattern : url
      for (const other of compiled) {
        if (patternsOverlap(full, other.url) && def.methods.some((method) => other.def.methods.includes(method))) {
          throw new TypeError(`Mizan: route "${path}" (${def.methods.join(', ')} ${full.source}) collides with route "${other.path}" (${other.def.methods.join(', ')} ${other.url.source})`)
        }
      }
      if (!def.absolute && full.segments.length === splitPath(basePath).length + 1) {
        // A one-segment route under the base path would shadow the procedure of the same name.
        const only = def.pattern.segments[0]!
        for (const name of procedures.keys()) {
          if ('param' in only || only.literal === name) throw new TypeError(`Mizan: route "${path}" (${full.source}) collides with procedure "${name}" (${basePath}/${name})`)
        }
      }
      compiled.push({ path, def, url: full, read: compileProcedure(path, def.read, cache, limiter), write: compileProcedure(path, def.write, undefined, limiter) })
    }
    this.routes = compiled
  }

  /** The route a raw path (percent-encoded, no query) and method name, or `undefined` when no route has the path. */
  match(rawPath: string, method: string): RouteMatch | undefined {
    if (this.routes.length === 0) return undefined
    const parts = splitPath(rawPath)
    let allow: string[] | undefined
    for (const route of this.routes) {
      const params = matchPattern(route.url, parts)
      if (params === undefined) continue
      if (route.def.methods.includes(method)) return { route, params }
      ;(allow ??= []).push(...route.def.methods)
    }
    return allow === undefined ? undefined : { route: undefined, allow }
  }
}


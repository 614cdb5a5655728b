import { compileAuth } from './auth.js'
import type { CacheSite, OriginCache } from './cache/origin-cache.js'
import { compileErrors } from './declared-errors.js'
import type { CompiledProcedure } from './dispatch.js'
import { cacheControlOf } from './http/cache-control.js'
import type { ProcedureDef } from './procedure.js'
import type { Limiter } from './rate-limit/limiter.js'
import { inputValidator, outputValidator } from './schema.js'
import { ShapeTable } from './shapes/table.js'

/**
 * Prepares a procedure definition once, for every call: what the dispatcher serves at `path`
 * (a procedure, or one side of a route).
 */
export function compileProcedure(path: string, def: ProcedureDef, cache: OriginCache | undefined, limiter: Limiter | undefined): CompiledProcedure {
  return {
    path,
    kind: def.kind,
    def,
    affects: (def.options.affects ?? []).map((target) => ({ path: target })),
    auth: compileAuth(def),
    parseInput: def.options.input ? inputValidator(def.options.input) : undefined,
    checkOutput: def.options.output ? outputValidator(def.options.output) : undefined,
    cache: cache === undefined ? undefined : def.options.cache,
    cacheSite: cache === undefined || def.options.cache === undefined ? undefined : cache.site(path, def.options.cache),
    cacheControl: cacheControlOf(def),
    rateLimit: limiter === undefined || def.rateLimit === undefined ? undefined : limiter.compile(path, def.rateLimit),
    errors: compileErrors(def),
    shapes: def.stream === true ? undefined : shapeTableOf(path, def, cache),
    stream: def.stream === true,
    websocket: def.options.websocket === true,
  }
}

/** The shape table of a query with an output schema; its shapes are compiled when first asked for, so a start pays nothing. */
function shapeTableOf(path: string, def: ProcedureDef, cache: OriginCache | undefined): ShapeTable<CacheSite> | undefined {
  const { output, cache: policy } = def.options
  if (def.kind !== 'query' || output === undefined) return undefined
  const siteOf = cache === undefined || policy === undefined ? undefined : (canonical: string) => cache.site(path, policy, canonical)
  return new ShapeTable(path, output, def.options, siteOf)
}

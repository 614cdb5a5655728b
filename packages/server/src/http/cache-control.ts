import type { ProcedureDef } from '../procedure.js'

/**
 * The `Cache-Control` a query with a cache policy answers GETs with. Only a public-scope query that
 * anyone may call is shared-cacheable: a CDN cannot run `auth`, so it would hand what one caller was
 * allowed to see to every other. Everything else is `private`.
 */
export function cacheControlOf(def: ProcedureDef): string | undefined {
  const policy = def.options.cache
  if (policy === undefined) return undefined
  const auth = def.options.auth
  if (policy.scope !== 'public' || (auth !== undefined && auth !== false)) return 'private, no-cache'
  return `public, max-age=0, s-maxage=${policy.ttl}${policy.swr ? `, stale-while-revalidate=${policy.swr}` : ''}`
}

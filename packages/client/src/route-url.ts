import type { ManifestRoute } from '@mizan/server'

/** A route on the client: not callable, only addressed with `client.$url(route, params, query)`. */
export interface RouteClient<Params, Query> {
  /** Phantom (reads `undefined` at run time): what `$url` takes for this route; it marks routes apart from procedures. */
  readonly '~route': { readonly params: Params; readonly query: Query }
}

/** Where a route is served, as the manifest's `routes` lists it: all `$url` needs. */
export type RouteTable = Readonly<Record<string, Pick<ManifestRoute, 'path'>>>

/**
 * A route's URL: its pattern's parameters filled in (each percent-encoded as one segment), the
 * query appended (an array repeats the name; `undefined` leaves it out), on the origin of `baseUrl`.
 */
export function routeURL(baseUrl: string, pattern: string, params: Record<string, unknown> | undefined, query: Record<string, unknown> | undefined): string {
  const path = pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment
      const value = params?.[segment.slice(1)]
      if (value === undefined || value === null) throw new TypeError(`Mizan: $url needs the parameter "${segment.slice(1)}" of ${pattern}`)
      return encodeURIComponent(String(value))
    })
    .join('/')
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item instanceof Date ? item.toISOString() : String(item))
  }
  const text = search.toString()
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(baseUrl)
  return (match === null ? '' : match[0]) + path + (text === '' ? '' : `?${text}`)
}

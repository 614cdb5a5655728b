import { INVALIDATE_HEADER, encodeInvalidateHeader } from '@mizan/wire'
import type { CallResult, CompiledProcedure } from '../dispatch.js'
import type { HttpExchange, HttpReply } from '../http/exchange.js'
import { createContext, MAX_INVALIDATE_HEADER, MethodNotAllowed, readJsonBody, singleResult, tooLarge, type HttpSettings } from '../http/handle.js'
import { MizanError } from '../errors.js'
import { boundedInvalidations } from '../result-wire.js'
import { ROUTE_REQUEST, type RouteInput } from './define.js'
import type { RouteMatch } from './table.js'

const SAFE = new Set(['GET', 'HEAD'])

/**
 * Answers a request a route matched, through the one dispatch path: context, then (in dispatch)
 * middlewares → auth → params, query and body → rate limit → cache (GET, HEAD) → handler →
 * affects. A value goes back as `{ data }`, a `Response` as it is.
 */
export async function routeReply(exchange: HttpExchange, settings: HttpSettings, match: RouteMatch): Promise<HttpReply> {
  if (match.route === undefined) {
    const allow = [...new Set(match.allow)].join(', ')
    throw new MethodNotAllowed(allow, `${exchange.method} is not served here (allowed: ${allow})`)
  }
  const { route, params } = match
  const safe = SAFE.has(exchange.method)
  const proc = safe ? route.read : route.write
  const body = safe ? undefined : route.def.options.rawBody === true ? await rawBody(exchange, settings) : await routeBody(exchange, settings, route.def.options.body !== undefined)
  const ctx = await createContext(exchange, settings, route.path)
  const input: RouteInput = { params, query: queryObject(exchange.query), body, [ROUTE_REQUEST]: exchange.contextOptions().req }
  const result = await settings.dispatcher.call(proc, ctx, input, exchange)
  if (result.ok && result.data instanceof Response) return responseReply(exchange, proc, result, result.data, settings)
  return singleResult(exchange, proc, result, settings)
}

/**
 * The body of a method other than GET and HEAD: JSON when declared so. A POST must always say
 * JSON (a cross-site form cannot, without a preflight); other methods without a body schema may
 * send none.
 */
async function routeBody(exchange: HttpExchange, settings: HttpSettings, declared: boolean): Promise<unknown> {
  if (exchange.method === 'POST' || declared || exchange.header('content-type') !== undefined) return readJsonBody(exchange, settings, 0)
  return undefined
}

/** The body's exact text (a webhook's signature covers these bytes), 413 over `maxBodySize`. */
async function rawBody(exchange: HttpExchange, settings: HttpSettings): Promise<string> {
  // A framework that parsed the body first (express.json()) has left no bytes to sign.
  if (exchange.bodyConsumed()) throw new MizanError('BAD_REQUEST', 'This route reads the raw body, and the body was read already (mount it before body parsers)')
  const length = exchange.header('content-length')
  if (length !== undefined && Number(length) > settings.limits.maxBodySize) throw tooLarge(settings.limits.maxBodySize)
  return exchange.readBody(settings.limits.maxBodySize)
}

/** The query string as an object of strings; a name given twice or more gives an array. */
function queryObject(query: string): Record<string, string | string[]> {
  const result = Object.create(null) as Record<string, string | string[]>
  if (query === '') return result
  for (const [name, value] of new URLSearchParams(query)) {
    const known = result[name]
    result[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value]
  }
  return result
}

/** A `Response` the handler returned: its status, headers and body, plus the headers of the call (invalidations, cookies). */
function responseReply(exchange: HttpExchange, proc: CompiledProcedure, result: CallResult, response: Response, settings: HttpSettings): HttpReply {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  for (const [name, value] of exchange.resHeaders.entries ?? []) {
    const known = headers[name]
    headers[name] = known === undefined ? value : name === 'set-cookie' ? [known, value].flat() : known
  }
  if (result.invalidations.length > 0) headers[INVALIDATE_HEADER] = boundedInvalidations(result.invalidations, settings.transformer, MAX_INVALIDATE_HEADER, encodeInvalidateHeader)
  if (proc.kind === 'mutation' && headers['cache-control'] === undefined) headers['cache-control'] = 'no-store'
  if (response.body === null) return { status: response.status, headers, body: null }
  return { status: response.status, headers, body: response.body }
}

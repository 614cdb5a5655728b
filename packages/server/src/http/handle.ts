import { INVALIDATE_HEADER, encodeInvalidateHeader, type InvalidationWire, type Transformer } from '@mizan/wire'
import type { CallResult, CompiledProcedure, Dispatcher, Invalidation } from '../dispatch.js'
import { MizanError, toErrorShape } from '../errors.js'
import type { CorsPolicy } from './cors.js'
import { ResponseHeaders, type ContextOptions, type HttpExchange, type HttpReply } from './exchange.js'
import { guardJson, parseUntrustedJson } from './json-guard.js'

/** Limits on what one request may carry; each has a default and its own error. */
export interface HttpLimits {
  /** Bytes of a request body (413). Default 1 MiB. */
  maxBodySize: number
  /** Calls in one batch (400). Default 100. */
  maxBatchSize: number
  /** Nesting depth of an input (400). Default 64. */
  maxInputDepth: number
  /** Characters of a request URL (414). Default 8192. */
  maxURLLength: number
}

/** The defaults of {@link HttpLimits}. */
export const DEFAULT_LIMITS: HttpLimits = {
  maxBodySize: 1024 * 1024,
  maxBatchSize: 100,
  maxInputDepth: 64,
  maxURLLength: 8192,
}

/** Everything the protocol needs, fixed when the server is created. */
export interface HttpSettings {
  readonly dispatcher: Dispatcher
  readonly transformer: Transformer
  readonly createContext: (options: ContextOptions) => unknown
  readonly limits: HttpLimits
  readonly isDev: boolean
  readonly cors: CorsPolicy | undefined
  /** The manifest body and its ETag, or `undefined` when turned off. */
  readonly manifest: { body: string; etag: string } | undefined
}

const JSON_TYPE = 'application/json'

/** Answers one HTTP request: the Mizan protocol (see docs/protocol.md), written once for every adapter. */
export async function handleHttp(exchange: HttpExchange, settings: HttpSettings): Promise<HttpReply> {
  const origin = settings.cors === undefined ? undefined : exchange.header('origin')
  const reply = await answer(exchange, settings)
  settings.cors?.apply(reply.headers, origin)
  return reply
}

async function answer(exchange: HttpExchange, settings: HttpSettings): Promise<HttpReply> {
  const { method, path } = exchange
  try {
    if (method === 'OPTIONS') {
      const headers = settings.cors?.preflight(exchange.header('origin'), exchange.header('access-control-request-headers')) ?? {}
      headers['allow'] = 'GET, POST, OPTIONS'
      return { status: 204, headers, body: null }
    }
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
      throw new MizanError('METHOD_NOT_SUPPORTED', `${method} is not supported`)
    }
    if (path === '_manifest' && settings.manifest !== undefined) return manifestReply(exchange, settings.manifest)
    const params = exchange.query === '' ? undefined : new URLSearchParams(exchange.query)
    if (path.includes(',') || params?.has('batch')) return await batchReply(exchange, settings, path.split(','), params)
    return await singleReply(exchange, settings, path, params)
  } catch (error) {
    return errorReply(error, settings.isDev)
  }
}

async function singleReply(exchange: HttpExchange, settings: HttpSettings, path: string, params: URLSearchParams | undefined): Promise<HttpReply> {
  const proc = resolve(settings.dispatcher, path, exchange.method)
  let input: unknown
  if (exchange.method === 'POST') {
    const body = await readJsonBody(exchange, settings)
    input = body === undefined ? undefined : envelopeValue(body, settings, 'body')
  } else if (params !== undefined) {
    input = paramValue(params, settings)
  }
  const resHeaders = new ResponseHeaders()
  const ctx = await settings.createContext(exchange.contextOptions(resHeaders))
  const result = await settings.dispatcher.call(proc, ctx, input, () => exchange.signal())
  const headers = baseHeaders(proc, resHeaders)
  if (result.invalidations.length > 0) {
    headers[INVALIDATE_HEADER] = encodeInvalidateHeader(result.invalidations.map((entry) => invalidationWire(entry, settings.transformer)))
  }
  if (!result.ok) {
    const shape = toErrorShape(result.error, settings.isDev)
    return { status: shape.status, headers, body: JSON.stringify({ error: shape }) }
  }
  return { status: 200, headers, body: dataBody(result.data, settings.transformer) }
}

async function batchReply(
  exchange: HttpExchange,
  settings: HttpSettings,
  paths: string[],
  params: URLSearchParams | undefined,
): Promise<HttpReply> {
  if (paths.length > settings.limits.maxBatchSize) {
    throw new MizanError('BAD_REQUEST', `A batch holds at most ${settings.limits.maxBatchSize} calls`)
  }
  let envelopes: unknown
  if (exchange.method === 'POST') envelopes = (await readJsonBody(exchange, settings)) ?? []
  else {
    const text = params?.get('input')
    envelopes = text == null ? [] : parseUntrustedJson(text, settings.limits.maxInputDepth + 2, 'input')
  }
  if (!Array.isArray(envelopes)) throw new MizanError('BAD_REQUEST', 'A batch input must be a JSON array, one element per call')
  const resHeaders = new ResponseHeaders()
  const ctx = await settings.createContext(exchange.contextOptions(resHeaders))
  const signal = () => exchange.signal()
  let anyMutation = false
  const results = await Promise.all(
    paths.map(async (path, index): Promise<string> => {
      try {
        const proc = resolve(settings.dispatcher, path, exchange.method)
        if (proc.kind === 'mutation') anyMutation = true
        const envelope = envelopes[index]
        const input = envelope == null ? undefined : envelopeValue(envelope, settings, `input[${index}]`)
        return resultEntry(await settings.dispatcher.call(proc, ctx, input, signal), settings)
      } catch (error) {
        return JSON.stringify({ error: toErrorShape(error, settings.isDev) })
      }
    }),
  )
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE }
  if (anyMutation || exchange.method === 'POST') headers['cache-control'] = 'no-store'
  addResponseHeaders(headers, resHeaders)
  return { status: 200, headers, body: `[${results.join(',')}]` }
}

function resolve(dispatcher: Dispatcher, path: string, method: string): CompiledProcedure {
  const proc = dispatcher.resolve(path)
  if (proc === undefined) throw new MizanError('NOT_FOUND', `No procedure at "${path}"`)
  if (proc.kind === 'mutation' && method !== 'POST') {
    throw new MizanError('METHOD_NOT_SUPPORTED', `"${path}" is a mutation: send it with POST`)
  }
  return proc
}

/** Reads a POST body as JSON: `undefined` when empty, 415 when not JSON, 413 when too large. */
async function readJsonBody(exchange: HttpExchange, settings: HttpSettings): Promise<unknown> {
  const parsed = exchange.parsedBody()
  if (parsed !== undefined) {
    guardJson(parsed, settings.limits.maxInputDepth + 2)
    return parsed
  }
  const type = exchange.header('content-type')
  const length = exchange.header('content-length')
  if (length !== undefined && Number(length) > settings.limits.maxBodySize) throw tooLarge(settings.limits.maxBodySize)
  if (type !== undefined && !isJsonType(type)) {
    throw new MizanError('UNSUPPORTED_MEDIA_TYPE', `Send JSON (content-type: ${JSON_TYPE}), not ${type.split(';')[0]}`)
  }
  const text = await exchange.readBody(settings.limits.maxBodySize)
  if (text === '') return undefined
  if (type === undefined) throw new MizanError('UNSUPPORTED_MEDIA_TYPE', `Send JSON with content-type: ${JSON_TYPE}`)
  return parseUntrustedJson(text, settings.limits.maxInputDepth + 2, 'body')
}

function isJsonType(type: string): boolean {
  const semi = type.indexOf(';')
  return (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase() === JSON_TYPE
}

/** The 413 error for a body over the limit. */
export function tooLarge(limit: number): MizanError {
  return new MizanError('PAYLOAD_TOO_LARGE', `The body exceeds ${limit} bytes`)
}

/** The input of a single GET call: the `input` parameter, with `meta` when it has special types. */
function paramValue(params: URLSearchParams, settings: HttpSettings): unknown {
  const text = params.get('input')
  if (text === null) return undefined
  const depth = settings.limits.maxInputDepth
  const json = parseUntrustedJson(text, depth, 'input')
  const metaText = params.get('meta')
  return deserialize(settings, json, metaText === null ? undefined : parseUntrustedJson(metaText, depth, 'meta'))
}

/** The input of a call in a body or a batch: `{ "input": ..., "meta"?: ... }`. */
function envelopeValue(envelope: unknown, settings: HttpSettings, where: string): unknown {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new MizanError('BAD_REQUEST', `The ${where} must be an object { "input": ..., "meta"?: ... }`)
  }
  const { input, meta } = envelope as { input?: unknown; meta?: unknown }
  return deserialize(settings, input, meta)
}

function deserialize(settings: HttpSettings, json: unknown, meta: unknown): unknown {
  if (meta === undefined) return json
  try {
    return settings.transformer.deserialize(json, meta)
  } catch {
    throw new MizanError('BAD_REQUEST', 'Invalid meta in input')
  }
}

function baseHeaders(proc: CompiledProcedure, resHeaders: ResponseHeaders): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE }
  if (proc.kind === 'mutation') headers['cache-control'] = 'no-store'
  addResponseHeaders(headers, resHeaders)
  return headers
}

function addResponseHeaders(headers: Record<string, string | string[]>, resHeaders: ResponseHeaders): void {
  if (resHeaders.entries === undefined) return
  for (const [name, value] of resHeaders.entries) {
    const existing = headers[name]
    headers[name] = existing === undefined ? value : name === 'set-cookie' ? [existing, value].flat() : value
  }
}

/** `{"data":...}` (with `meta` when needed); `{}` when the procedure returned `undefined`. */
function dataBody(data: unknown, transformer: Transformer): string {
  if (data === undefined) return '{}'
  const { json, meta } = transformer.serialize(data)
  return meta === undefined ? `{"data":${JSON.stringify(json)}}` : JSON.stringify({ data: json, meta })
}

function resultEntry(result: CallResult, settings: HttpSettings): string {
  const invalidate = result.invalidations.length > 0 ? result.invalidations.map((entry) => invalidationWire(entry, settings.transformer)) : undefined
  if (!result.ok) return JSON.stringify({ error: toErrorShape(result.error, settings.isDev), invalidate })
  if (result.data === undefined) return invalidate === undefined ? '{}' : JSON.stringify({ invalidate })
  const { json, meta } = settings.transformer.serialize(result.data)
  return JSON.stringify({ data: json, meta, invalidate })
}

function invalidationWire(entry: Invalidation, transformer: Transformer): InvalidationWire {
  if (entry.input === undefined) return { path: entry.path }
  const { json, meta } = transformer.serialize(entry.input)
  return meta === undefined ? { path: entry.path, input: json } : { path: entry.path, input: json, meta }
}

function errorReply(error: unknown, isDev: boolean): HttpReply {
  const shape = toErrorShape(error, isDev)
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE }
  if (shape.code === 'METHOD_NOT_SUPPORTED') headers['allow'] = 'GET, POST, OPTIONS'
  return { status: shape.status, headers, body: JSON.stringify({ error: shape }) }
}

function manifestReply(exchange: HttpExchange, manifest: { body: string; etag: string }): HttpReply {
  const headers = { 'content-type': JSON_TYPE, etag: manifest.etag, 'cache-control': 'no-cache' }
  if (exchange.header('if-none-match') === manifest.etag) return { status: 304, headers, body: null }
  return { status: 200, headers, body: manifest.body }
}

/** The reply for a request the adapter refused before the protocol ran (URL too long, body too large). */
export function refusal(error: MizanError, settings: Pick<HttpSettings, 'isDev' | 'cors'>, origin: string | undefined): HttpReply {
  const reply = errorReply(error, settings.isDev)
  settings.cors?.apply(reply.headers, origin)
  return reply
}

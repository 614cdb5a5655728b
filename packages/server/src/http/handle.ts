import { INVALIDATE_HEADER, WEBSOCKET_HEADER, encodeInvalidateHeader, type InvalidationWire, type Transformer } from '@mizan/wire'
import type { CallResult, CompiledProcedure, Dispatcher, Invalidation } from '../dispatch.js'
import { CachedAnswer, etagOf } from '../cache/origin-cache.js'
import { boundedInvalidations } from '../result-wire.js'
import { MizanError, toErrorShape } from '../errors.js'
import { dataBody, whenLoaded } from '../transformer.js'
import type { CorsPolicy } from './cors.js'
import type { ContextOptions, HttpExchange, HttpReply, ResponseHeaders } from './exchange.js'
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../input/limits.js'
import type { InputDecoder } from '../input/decoder.js'
import { andThen, type MaybePromise } from '../maybe-promise.js'
import type { ClientAddressOf } from '../rate-limit/address.js'
import { retryAfterOf } from '../rate-limit/error.js'
import { binaryHeaders, isBinary, type BinaryValue } from '../files/binary-output.js'
import type { ResolvedUploadOptions } from '../files/limits.js'
import type { UploadPlan } from '../files/plan.js'
import type { RouteMatch, RouteTable } from '../routes/table.js'
import { routeReply } from '../routes/serve.js'
import { isMultipart, uploadReply } from './upload-reply.js'
import { batchReply } from './batch-reply.js'
import { CallStream } from '../streams/call-stream.js'
import { StreamLines } from '../streams/line-body.js'
import { lineOpening, NDJSON_TYPE, type LineSettings } from '../streams/lines.js'

/** Limits on what one request may carry; each has a default and its own error. The input limits bind WebSocket calls too. */
export interface HttpLimits extends InputLimits {
  /** Bytes of a request body (413). Default 1 MiB. */
  maxBodySize: number
  /** Calls in one batch (400). Default 100. */
  maxBatchSize: number
  /** Characters of a request URL (414). Default 8192. */
  maxURLLength: number
}

/** The defaults of {@link HttpLimits}. */
export const DEFAULT_LIMITS: HttpLimits = {
  maxBodySize: 1024 * 1024,
  maxBatchSize: 100,
  maxURLLength: 8192,
  ...DEFAULT_INPUT_LIMITS,
}

/** Everything the protocol needs, fixed when the server is created. */
export interface HttpSettings {
  readonly dispatcher: Dispatcher
  readonly transformer: Transformer
  /** Turns received JSON into inputs within the input limits, the same way the WebSocket does. */
  readonly decoder: InputDecoder
  readonly createContext: (options: ContextOptions) => unknown
  readonly limits: HttpLimits
  readonly isDev: boolean
  readonly cors: CorsPolicy | undefined
  /** The manifest body and its ETag, or `undefined` when turned off. */
  readonly manifest: { body: string; etag: string } | undefined
  /** Mints a socket ticket for a request's principal, when sockets require tickets (within the ticket rate limit). */
  readonly session: ((ctx: unknown, env: HttpExchange) => Promise<string>) | undefined
  /** The server's `clientAddress` option: where a request comes from, for limits by address. */
  readonly clientAddress?: ClientAddressOf | undefined
  /** Multipart uploads: the plan of each procedure that takes files, and where files wait. */
  readonly uploads?: UploadSettings | undefined
  /** The router's routes (`m.route`), matched by the adapters before the protocol. */
  readonly routes?: RouteTable | undefined
  /** `GET {basePath}/_openapi.json`: the document's body, built on first read; `undefined` when off. */
  readonly openapi?: { readonly body: string } | undefined
  /** `{basePath}/_events`, realtime over Server-Sent Events; `undefined` when the server has no realtime. */
  readonly events?: { reply(exchange: HttpExchange, settings: HttpSettings): Promise<HttpReply> } | undefined
}

/** What the server knows of uploads, fixed when it is created. */
export interface UploadSettings {
  /** By procedure path: only procedures whose input holds `z.file()` have one. */
  readonly plans: ReadonlyMap<string, UploadPlan>
  readonly options: ResolvedUploadOptions
}

export const JSON_TYPE = 'application/json'

/**
 * Characters the invalidation header may take. Node's and undici's clients refuse a response whose
 * headers pass 16 KiB together: over this, the header lists coarser entries (see boundedInvalidations).
 */
export const MAX_INVALIDATE_HEADER = 8 * 1024

/** Answers one HTTP request: the Mizan protocol (see docs/protocol.md), written once for every adapter. */
export function handleHttp(exchange: HttpExchange, settings: HttpSettings, route?: RouteMatch): MaybePromise<HttpReply> {
  if (exchange.method === 'OPTIONS') return preflightReply(exchange, settings)
  const reply = route === undefined ? answer(exchange, settings) : routeReply(exchange, settings, route).catch((error: unknown) => errorReply(error, settings.isDev))
  const cors = settings.cors
  if (cors === undefined) return reply
  const origin = exchange.header('origin')
  return andThen(reply, (done) => {
    cors.apply(done.headers, origin)
    return done
  })
}

function answer(exchange: HttpExchange, settings: HttpSettings): MaybePromise<HttpReply> {
  const { method, path } = exchange
  try {
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') throw new MethodNotAllowed(ALL_METHODS, `${method} is not supported`)
    if (path === '_openapi.json' && settings.openapi !== undefined) {
      if (method === 'POST') throw new MethodNotAllowed('GET, HEAD', 'The OpenAPI document is read with GET')
      return { status: 200, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-cache' }, body: settings.openapi.body }
    }
    if (path === '_manifest' && settings.manifest !== undefined) {
      if (method === 'POST') throw new MethodNotAllowed('GET, HEAD', 'The manifest is read with GET')
      return manifestReply(exchange, settings.manifest)
    }
    if (path === '_events' && settings.events !== undefined) return settings.events.reply(exchange, settings).catch((error: unknown) => errorReply(error, settings.isDev))
    const params = exchange.query === '' ? undefined : new URLSearchParams(exchange.query)
    const reply =
      path === '_session' && settings.session !== undefined
        ? sessionReply(exchange, settings, settings.session)
        : path.includes(',') || params?.has('batch') === true
          ? batchReply(exchange, settings, path.split(','), params)
          : method === 'POST' && isMultipart(exchange.header('content-type'))
            ? uploadReply(exchange, settings, path)
            : singleReply(exchange, settings, path, params)
    return reply instanceof Promise ? reply.catch((error: unknown) => errorReply(error, settings.isDev)) : reply
  } catch (error) {
    return errorReply(error, settings.isDev)
  }
}

function singleReply(exchange: HttpExchange, settings: HttpSettings, path: string, params: URLSearchParams | undefined): MaybePromise<HttpReply> {
  const proc = resolve(settings.dispatcher, path, exchange.method)
  if (exchange.method === 'POST') {
    return readJsonBody(exchange, settings, 1).then((body) =>
      body === undefined
        ? callOnce(exchange, settings, proc, undefined, undefined)
        : andThen(envelopeValue(body, settings.decoder, 'body'), (input) => callOnce(exchange, settings, proc, input, shapeOf(body))),
    )
  }
  if (params === undefined) return callOnce(exchange, settings, proc, undefined, undefined)
  const shape = shapeParam(params, settings.decoder)
  return andThen(paramValue(params, settings.decoder), (input) => callOnce(exchange, settings, proc, input, shape))
}

function callOnce(exchange: HttpExchange, settings: HttpSettings, proc: CompiledProcedure, input: unknown, shape: unknown): MaybePromise<HttpReply> {
  const ctx = createContext(exchange, settings, proc.path)
  if (ctx instanceof Promise) return ctx.then((value) => callWith(exchange, settings, proc, input, shape, value))
  return callWith(exchange, settings, proc, input, shape, ctx)
}

/** Runs `createContext`, reporting its failures to `onError` like any other: they would otherwise leave no trace. */
export function createContext(exchange: HttpExchange, settings: HttpSettings, path: string): MaybePromise<unknown> {
  const report = (error: unknown): never => {
    settings.dispatcher.onError({ error, path, ctx: undefined })
    throw error
  }
  try {
    const ctx = settings.createContext(exchange.contextOptions())
    return ctx instanceof Promise ? ctx.catch(report) : ctx
  } catch (error) {
    return report(error)
  }
}

function callWith(exchange: HttpExchange, settings: HttpSettings, proc: CompiledProcedure, input: unknown, shape: unknown, ctx: unknown): MaybePromise<HttpReply> {
  const result = settings.dispatcher.call(proc, ctx, input, exchange, shape)
  if (result instanceof Promise) return result.then((value) => singleResult(exchange, proc, value, settings))
  return singleResult(exchange, proc, result, settings)
}

/** The reply to one call. It serializes (again, if superjson had to load first: building it changes nothing). */
export function singleResult(exchange: HttpExchange, proc: CompiledProcedure, result: CallResult, settings: HttpSettings): MaybePromise<HttpReply> {
  return whenLoaded(() => resultReply(exchange, proc, result, settings))
}

function resultReply(exchange: HttpExchange, proc: CompiledProcedure, result: CallResult, settings: HttpSettings): HttpReply {
  const headers = baseHeaders(proc, exchange.method, exchange.resHeaders)
  if (proc.websocket) headers[WEBSOCKET_HEADER] = proc.path
  if (result.invalidations.length > 0) {
    headers[INVALIDATE_HEADER] = boundedInvalidations(result.invalidations, settings.transformer, MAX_INVALIDATE_HEADER, encodeInvalidateHeader)
  }
  if (!result.ok) {
    const shape = toErrorShape(result.error, settings.isDev, settings.transformer)
    headers['cache-control'] = 'no-store'
    addErrorHeaders(headers, result.error)
    return { status: shape.status, headers, body: JSON.stringify({ error: shape }) }
  }
  if (isBinary(result.data)) return binaryReply(exchange, proc, headers, result.data)
  if (result.data instanceof CallStream) return streamReply(headers, result.data, lineSettings(settings, proc.path, undefined))
  const cached = result.data instanceof CachedAnswer ? result.data : undefined
  const body = cached?.body ?? dataBody(result.data, settings.transformer)
  if (proc.cacheControl === undefined || exchange.method === 'POST') return { status: 200, headers, body }
  return httpCached(exchange, proc.cacheControl, headers, body, cached?.etag)
}

/**
 * A result that is bytes (a Blob, a File, a stream): the body is the bytes, never an envelope.
 * A cached query's answer gets its `Cache-Control` but no `ETag`: a stream cannot be hashed before
 * it is sent, and the origin cache never stores bytes.
 */
function binaryReply(exchange: HttpExchange, proc: CompiledProcedure, headers: Record<string, string | string[]>, value: BinaryValue): HttpReply {
  Object.assign(headers, binaryHeaders(value))
  if (proc.cacheControl !== undefined && exchange.method !== 'POST') headers['cache-control'] = exchange.setsCookie() ? 'private, no-store' : proc.cacheControl
  return { status: 200, headers, body: value }
}

/**
 * A result that streams: `200` at once, then one line per value as the stream gives them, and its
 * `done` or `error` line (see docs/protocol.md, Streamed results). Never cached by anyone.
 */
function streamReply(headers: Record<string, string | string[]>, stream: CallStream, settings: LineSettings): HttpReply {
  headers['content-type'] = NDJSON_TYPE
  headers['cache-control'] = 'no-store'
  return { status: 200, headers, body: new StreamLines(stream, lineOpening(), settings) }
}

/** What the lines of a call need: the transformer, and `onError` with the call's path and context. */
export function lineSettings(settings: HttpSettings, path: string, ctx: unknown): LineSettings {
  return { transformer: settings.transformer, isDev: settings.isDev, report: (error) => settings.dispatcher.onError({ error, path, ctx }) }
}

/**
 * HTTP caching of a query with a cache policy: `Cache-Control` for browsers and shared caches, an
 * `ETag` of the body, and `304` when the client already holds it.
 */
function httpCached(exchange: HttpExchange, cacheControl: string, headers: Record<string, string | string[]>, body: string, knownETag: string | undefined): HttpReply {
  if (exchange.setsCookie()) {
    headers['cache-control'] = 'private, no-store'
    return { status: 200, headers, body }
  }
  headers['cache-control'] = cacheControl
  const etag = knownETag ?? etagOf(body)
  headers['etag'] = etag
  if (matchesETag(exchange.header('if-none-match'), etag)) return { status: 304, headers, body: null }
  return { status: 200, headers, body }
}

/** `If-None-Match` holds the tag: a list, `*`, and weak tags (`W/`) count, as RFC 9110 compares for GET. */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`
  })
}

export function resolve(dispatcher: Dispatcher, path: string, method: string): CompiledProcedure {
  const proc = dispatcher.resolve(path)
  if (proc === undefined) throw new MizanError('NOT_FOUND', `No procedure at "${path}"`)
  if (proc.kind === 'mutation' && method !== 'POST') throw new MethodNotAllowed('POST', `"${path}" is a mutation: send it with POST`)
  return proc
}

const ALL_METHODS = 'GET, HEAD, POST, OPTIONS'

/** A 405 that knows which methods to list in `Allow`. */
export class MethodNotAllowed extends MizanError {
  constructor(
    readonly allow: string,
    message: string,
  ) {
    super('METHOD_NOT_SUPPORTED', message)
  }
}

/**
 * Reads a POST body as JSON: `undefined` when empty, 413 when too large, and 415 when it is not
 * declared JSON, even when empty. Requiring the JSON type on every POST is what keeps a cross-site
 * form (which cannot send it without a preflight) from calling a mutation.
 * `wrapping` is how many levels the envelope adds above the inputs, for the depth limit.
 */
export async function readJsonBody(exchange: HttpExchange, settings: HttpSettings, wrapping: number): Promise<unknown> {
  const type = exchange.header('content-type')
  if (type === undefined || !isJsonType(type)) {
    throw new MizanError('UNSUPPORTED_MEDIA_TYPE', `Send JSON with content-type: ${JSON_TYPE}${type === undefined ? '' : `, not ${type.split(';')[0]}`}`)
  }
  const parsed = exchange.parsedBody()
  if (parsed !== undefined) {
    settings.decoder.guard(parsed, wrapping)
    return parsed
  }
  const length = exchange.header('content-length')
  if (length !== undefined && Number(length) > settings.limits.maxBodySize) throw tooLarge(settings.limits.maxBodySize)
  const text = await exchange.readBody(settings.limits.maxBodySize)
  return text === '' ? undefined : settings.decoder.parse(text, wrapping, 'body')
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
function paramValue(params: URLSearchParams, decoder: InputDecoder): MaybePromise<unknown> {
  const text = params.get('input')
  if (text === null) return undefined
  const json = decoder.parse(text, 0, 'input')
  const metaText = params.get('meta')
  return decoder.value(json, metaText === null ? undefined : decoder.parse(metaText, 0, 'meta'))
}

/**
 * The `shape` parameter of a single GET call (JSON: a selection object, or a shape's name as a
 * string), `undefined` without one. Checked against the procedure by the dispatcher.
 */
function shapeParam(params: URLSearchParams, decoder: InputDecoder): unknown {
  const text = params.get('shape')
  return text === null ? undefined : decoder.parse(text, 0, 'shape')
}

/** The `shape` of an envelope {@link envelopeValue} has checked is an object. */
export function shapeOf(envelope: unknown): unknown {
  return (envelope as { shape?: unknown }).shape
}

/** The input of a call in a body or a batch: `{ "input": ..., "meta"?: ..., "shape"?: ... }`. */
export function envelopeValue(envelope: unknown, decoder: InputDecoder, where: string): MaybePromise<unknown> {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new MizanError('BAD_REQUEST', `The ${where} must be an object { "input": ..., "meta"?: ..., "shape"?: ... }`)
  }
  const { input, meta } = envelope as { input?: unknown; meta?: unknown }
  return decoder.value(input, meta)
}

function baseHeaders(proc: CompiledProcedure, method: string, resHeaders: ResponseHeaders): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE }
  // Mutations change data and answers to POST are not the resource: no cache may keep them.
  if (proc.kind === 'mutation' || method === 'POST') headers['cache-control'] = 'no-store'
  addResponseHeaders(headers, resHeaders)
  return headers
}

/** Adds the headers a handler set (`resHeaders`: cookies and the like) to a reply's own. */
export function addResponseHeaders(headers: Record<string, string | string[]>, resHeaders: ResponseHeaders): void {
  if (resHeaders.entries === undefined) return
  for (const [name, value] of resHeaders.entries) {
    const existing = headers[name]
    headers[name] = existing === undefined ? value : name === 'set-cookie' ? [existing, value].flat() : value
  }
}

export function errorReply(error: unknown, isDev: boolean): HttpReply {
  const shape = toErrorShape(error, isDev)
  // A refusal is about this request, never a resource a cache should keep.
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }
  if (error instanceof MethodNotAllowed) headers['allow'] = error.allow
  addErrorHeaders(headers, error)
  return { status: shape.status, headers, body: JSON.stringify({ error: shape }) }
}

/**
 * The headers an error asks for: its own (`MizanError`'s `headers`, such as `WWW-Authenticate`),
 * then `Retry-After` for a refusal that says when to come back (a rate limit). A batch's entries
 * have no headers of their own: their data carries what they need.
 */
function addErrorHeaders(headers: Record<string, string | string[]>, error: unknown): void {
  if (error instanceof MizanError && error.headers !== undefined) {
    for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value
  }
  const seconds = retryAfterOf(error)
  if (seconds !== undefined) headers['retry-after'] = String(seconds)
}

function manifestReply(exchange: HttpExchange, manifest: { body: string; etag: string }): HttpReply {
  const headers = { 'content-type': JSON_TYPE, etag: manifest.etag, 'cache-control': 'no-cache' }
  if (matchesETag(exchange.header('if-none-match'), manifest.etag)) return { status: 304, headers, body: null }
  return { status: 200, headers, body: manifest.body }
}

/** `POST {basePath}/_session`: a short-lived, single-use ticket for the caller's WebSocket. */
async function sessionReply(exchange: HttpExchange, settings: HttpSettings, mint: (ctx: unknown, env: HttpExchange) => Promise<string>): Promise<HttpReply> {
  if (exchange.method !== 'POST') throw new MethodNotAllowed('POST', 'A ticket is minted with POST')
  await readJsonBody(exchange, settings, 1)
  const ctx = await createContext(exchange, settings, '_session')
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }
  addResponseHeaders(headers, exchange.resHeaders)
  return { status: 200, headers, body: JSON.stringify({ ticket: await mint(ctx, exchange) }) }
}

function preflightReply(exchange: HttpExchange, settings: HttpSettings): HttpReply {
  const headers = settings.cors?.preflight(exchange.header('origin'), exchange.header('access-control-request-headers')) ?? {}
  headers['allow'] = ALL_METHODS
  return { status: 204, headers, body: null }
}

/** The reply for a request the adapter refused before the protocol ran (URL too long, body too large). */
export function refusal(error: MizanError, settings: Pick<HttpSettings, 'isDev' | 'cors'>, origin: string | undefined): HttpReply {
  const reply = errorReply(error, settings.isDev)
  settings.cors?.apply(reply.headers, origin)
  return reply
}

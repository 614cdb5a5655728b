import { ERROR_STATUS, type MizanErrorCode } from '../errors.js'
import { cacheControlOf } from '../http/cache-control.js'
import type { ProcedureDef } from '../procedure.js'
import { flattenRouter, type AnyRouter } from '../router.js'
import type { RouteDef } from '../routes/route.js'
import type { AnySchema } from '../schema.js'
import { describeShapes, shapeJsonSchema } from '../shapes/describe.js'
import { jsonSchemaOf, type JsonSchema } from './json-schema.js'

/** Options of {@link toOpenAPI}. */
export interface OpenAPIOptions {
  /** The API's title (`info.title`). */
  title: string
  /** The API's version (`info.version`). */
  version: string
  /** A description (`info.description`). */
  description?: string
  /** Where the API is served (`servers`): `[{ url: 'https://api.example.com' }]`. */
  servers?: { url: string; description?: string }[]
  /** The server's base path. Default `/api/mizan`. */
  basePath?: string
  /**
   * How callers prove who they are, for procedures and routes with `auth`: each scheme is listed
   * as one way to satisfy them. Default: a bearer token (`{ bearer: { type: 'http', scheme: 'bearer' } }`);
   * a session cookie is `{ cookie: { type: 'apiKey', in: 'cookie', name: 'session' } }`.
   */
  securitySchemes?: Record<string, Record<string, unknown>>
}

/** An OpenAPI 3.1 document, as plain JSON. */
export interface OpenAPIDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description?: string }
  servers?: { url: string; description?: string }[]
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, Record<string, unknown>> }
  tags?: { name: string }[]
}

const JSON_TYPE = 'application/json'

const ERROR_SHAPE: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'status', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        status: { type: 'integer' },
        message: { type: 'string' },
        data: { type: 'object', description: 'Details of the error: for a failed input check, `issues` and `fieldErrors`.' },
        meta: { type: 'object', description: 'The superjson transformer\'s description of `data`, present when `data` holds types JSON lacks.' },
      },
    },
  },
}

const SHAPE_NOTE = 'The fields to return, as JSON: the name of a declared shape, or a selection (`{"id":true,"author":{"name":true}}`); left out, the whole output.'

const META_NOTE = 'The superjson transformer\'s description of the value (Dates, Maps, Sets, BigInts…), present only when it holds such types; with the json transformer never.'

/**
 * Describes a router as an OpenAPI 3.1 document: every query (GET with `input` as a JSON query
 * parameter, and POST), mutation (POST with `{ input, meta? }`), form procedure and route (its own
 * method, path, params, query and body), their outputs under `{ data }`, declared errors under
 * their statuses, `auth` as security requirements, cache headers, and a tag per router nesting.
 *
 * ```ts
 * const document = toOpenAPI(appRouter, { title: 'Blog API', version: '1.0.0' })
 * ```
 */
export function toOpenAPI(router: AnyRouter, options: OpenAPIOptions): OpenAPIDocument {
  const flat = flattenRouter(router)
  const basePath = (options.basePath ?? '/api/mizan').replace(/\/+$/, '')
  const securitySchemes = options.securitySchemes ?? { bearer: { type: 'http', scheme: 'bearer' } }
  const security = Object.keys(securitySchemes).map((name) => ({ [name]: [] }))
  const paths: OpenAPIDocument['paths'] = {}
  const tags = new Set<string>()
  const tagOf = (path: string) => {
    const cut = path.lastIndexOf('.')
    if (cut === -1) return undefined
    const tag = path.slice(0, cut)
    tags.add(tag)
    return [tag]
  }
  for (const [path, def] of [...flat.procedures].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const common = { tags: tagOf(path), ...(def.options.auth === undefined || def.options.auth === false ? {} : { security }), ...description(def.options.meta) }
    const input = def.options.input === undefined ? undefined : jsonSchemaOf(def.options.input, 'input')
    const responses = responsesOf(def.options.output === undefined ? {} : jsonSchemaOf(def.options.output, 'output'), errorsOf(def), def.options.input !== undefined, def.options.auth)
    const shapes = describeShapes(def)
    const shape = shapes === undefined ? undefined : shapeJsonSchema(def, shapes)
    const body = { required: input !== undefined, content: { [JSON_TYPE]: { schema: envelope(input, shape) } } }
    if (def.kind === 'query') {
      const cacheControl = cacheControlOf(def)
      const parameters: Record<string, unknown>[] = input === undefined ? [] : [{ name: 'input', in: 'query', required: !acceptsUndefined(def.options.input!), description: 'The input as JSON. With superjson, a `meta` parameter (JSON) may describe special types in it.', content: { [JSON_TYPE]: { schema: input } } }]
      if (shape !== undefined) parameters.push({ name: 'shape', in: 'query', required: false, description: SHAPE_NOTE, content: { [JSON_TYPE]: { schema: shape } } })
      paths[`${basePath}/${path}`] = {
        get: {
          operationId: path,
          ...common,
          parameters,
          responses: cacheControl === undefined ? responses : cachedResponses(responses, cacheControl),
        },
        post: { operationId: `${path}.post`, ...common, description: 'The same query sent with POST (for inputs too long for a URL).', requestBody: body, responses },
      }
    } else {
      paths[`${basePath}/${path}`] = { post: { operationId: path, ...common, requestBody: body, responses: invalidating(responses, def.options.affects) } }
    }
  }
  for (const [path, def] of [...flat.routes].sort(([a], [b]) => (a < b ? -1 : 1))) routeOperations(paths, path, def, basePath, { tags: tagOf(path), security })
  const document: OpenAPIDocument = {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, ...(options.description === undefined ? {} : { description: options.description }) },
    paths,
    components: { schemas: { MizanError: ERROR_SHAPE }, securitySchemes },
  }
  if (options.servers !== undefined) document.servers = options.servers
  if (tags.size > 0) document.tags = [...tags].sort().map((name) => ({ name }))
  return document
}

function routeOperations(paths: OpenAPIDocument['paths'], path: string, def: RouteDef, basePath: string, shared: { tags: string[] | undefined; security: Record<string, never[]>[] }): void {
  const { options, pattern } = def
  const template = (def.absolute ? '' : basePath) + (pattern.segments.length === 0 ? (def.absolute ? '/' : '') : '/' + pattern.segments.map((segment) => ('param' in segment ? `{${segment.param}}` : segment.literal)).join('/'))
  const params = options.params === undefined ? undefined : jsonSchemaOf(options.params, 'input')
  const parameters: Record<string, unknown>[] = pattern.names.map((name) => ({ name, in: 'path', required: true, schema: (params?.properties as Record<string, JsonSchema> | undefined)?.[name] ?? { type: 'string' } }))
  if (options.query !== undefined) {
    const query = jsonSchemaOf(options.query, 'input')
    const required = new Set((query.required as string[] | undefined) ?? [])
    for (const [name, schema] of Object.entries((query.properties as Record<string, JsonSchema> | undefined) ?? {})) parameters.push({ name, in: 'query', required: required.has(name), schema })
  }
  const errors = errorsOf({ options } as unknown as ProcedureDef)
  const responses = responsesOf({ description: 'The handler\'s value; a handler may also answer with a Response of its own.' }, errors, options.params !== undefined || options.query !== undefined || options.body !== undefined, options.auth)
  const entry = (paths[template] ??= {})
  for (const method of def.methods) {
    const safe = method === 'GET' || method === 'HEAD'
    const cacheControl = safe ? cacheControlOf(def.read) : undefined
    entry[method.toLowerCase()] = {
      operationId: def.methods.length === 1 || method === def.methods[0] ? path : `${path}.${method.toLowerCase()}`,
      tags: shared.tags,
      ...(options.auth === undefined || options.auth === false ? {} : { security: shared.security }),
      ...description(options.meta),
      parameters,
      ...(safe
        ? {}
        : options.rawBody === true
          ? { requestBody: { required: true, description: 'Taken as its exact text, whatever its content type.', content: { '*/*': { schema: options.body === undefined ? { type: 'string' } : jsonSchemaOf(options.body, 'input') } } } }
          : options.body === undefined
            ? {}
            : { requestBody: { required: true, content: { [JSON_TYPE]: { schema: jsonSchemaOf(options.body, 'input') } } } }),
      responses: cacheControl === undefined ? invalidating(responses, safe ? undefined : options.affects) : cachedResponses(responses, cacheControl),
    }
  }
}

/** `{ input, meta?, shape? }`, the body of a POST call (`shape` for a query that takes one). */
function envelope(input: JsonSchema | undefined, shape: JsonSchema | undefined): JsonSchema {
  return {
    type: 'object',
    properties: {
      input: input ?? { description: 'This procedure takes no input.' },
      meta: { type: 'object', description: META_NOTE },
      ...(shape === undefined ? {} : { shape: { ...shape, description: SHAPE_NOTE } }),
    },
    ...(input === undefined ? {} : { required: ['input'] }),
  }
}

function responsesOf(output: JsonSchema, errors: [MizanErrorCode, JsonSchema][], checksInput: boolean, auth: unknown): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    200: { description: 'Success: the output as `data`.', content: { [JSON_TYPE]: { schema: { type: 'object', properties: { data: output, meta: { type: 'object', description: META_NOTE } } } } } },
  }
  const byStatus = new Map<number, JsonSchema[]>()
  for (const [code, schema] of errors) {
    const shape = { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'status', 'message', 'data'], properties: { code: { const: code }, status: { const: ERROR_STATUS[code] }, message: { type: 'string' }, data: schema, meta: { type: 'object', description: META_NOTE } } } } }
    const list = byStatus.get(ERROR_STATUS[code]) ?? []
    list.push(shape)
    byStatus.set(ERROR_STATUS[code], list)
  }
  if (checksInput && !byStatus.has(400)) responses[400] = errorResponse('The input failed its checks (`data.issues`, `data.fieldErrors`) or could not be read.')
  if (auth !== undefined && auth !== false && !byStatus.has(401)) responses[401] = errorResponse('Sign-in required.')
  for (const [status, shapes] of byStatus) {
    const schema = shapes.length === 1 ? shapes[0] : { oneOf: [...shapes, { $ref: '#/components/schemas/MizanError' }] }
    responses[status] = { description: `Declared error${shapes.length === 1 ? '' : 's'}.`, content: { [JSON_TYPE]: { schema } } }
  }
  responses['default'] = errorResponse('Any other error, in the shape every error has.')
  return responses
}

function errorResponse(text: string): Record<string, unknown> {
  return { description: text, content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/MizanError' } } } }
}

/** GET answers of a cached query or route: their `Cache-Control` and `ETag`, and the 304 `If-None-Match` earns. */
function cachedResponses(responses: Record<string, unknown>, cacheControl: string): Record<string, unknown> {
  const ok = responses[200] as Record<string, unknown>
  const headers = {
    'Cache-Control': { description: `\`${cacheControl}\` (\`private, no-store\` when the answer sets a cookie).`, schema: { type: 'string' } },
    ETag: { description: 'A tag of the body; send it back in `If-None-Match`.', schema: { type: 'string' } },
  }
  return { ...responses, 200: { ...ok, headers }, 304: { description: 'Not modified: the `If-None-Match` tag is current.', headers } }
}

/** Answers of a call that changes data: the header that names what to refetch. */
function invalidating(responses: Record<string, unknown>, affects: readonly string[] | undefined): Record<string, unknown> {
  if (affects === undefined || affects.length === 0) return responses
  const ok = responses[200] as Record<string, unknown>
  const header = { description: `What changed, for clients to refetch (declared: ${affects.join(', ')}); see the protocol documentation.`, schema: { type: 'string' } }
  return { ...responses, 200: { ...ok, headers: { 'x-mizan-invalidate': header } } }
}

/** Declared errors (`errors: { CODE: schema }`), read generically: codes Mizan does not know are skipped. */
function errorsOf(def: ProcedureDef): [MizanErrorCode, JsonSchema][] {
  const declared = (def.options as { errors?: Record<string, AnySchema> }).errors
  if (declared === undefined || declared === null) return []
  return Object.entries(declared).flatMap(([code, schema]) => (code in ERROR_STATUS && schema !== undefined ? [[code as MizanErrorCode, jsonSchemaOf(schema, 'output')] as [MizanErrorCode, JsonSchema]] : []))
}

function acceptsUndefined(schema: AnySchema): boolean {
  try {
    const result = schema['~standard'].validate(undefined)
    return !(result instanceof Promise) && result.issues === undefined
  } catch {
    return false
  }
}

function description(meta: Record<string, unknown> | undefined): { description?: string } {
  return typeof meta?.description === 'string' ? { description: meta.description } : {}
}

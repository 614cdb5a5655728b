import { nodeCrypto } from './builtins.js'
import { describeAuth } from './auth.js'
import type { Dispatcher } from './dispatch.js'
import type { CacheOptions, ProcedureKind } from './procedure.js'
import type { UploadPlan } from './files/plan.js'
import { cacheControlOf } from './http/cache-control.js'
import { describeRule, type RateLimitDescription } from './rate-limit/rule.js'
import { describeShapes, type ShapesDescription } from './shapes/describe.js'

/** The manifest format version; bumped on any incompatible change. */
export const MANIFEST_VERSION = 1

/** One procedure as the manifest describes it. */
export interface ManifestProcedure {
  kind: ProcedureKind
  /** The HTTP methods it answers: queries `GET` and `POST`, mutations `POST`. */
  methods: ('GET' | 'POST')[]
  auth: ReturnType<typeof describeAuth>
  affects: string[]
  context: 'global' | 'local' | null
  cache: CacheOptions | null
  /**
   * The `Cache-Control` its GET answers carry when it has a cache policy: `public, …` only for a
   * public-scope query without `auth`; `private, no-cache` for one with `auth` or user scope.
   */
  cacheControl: string | null
  websocket: boolean
  /** The rate limit in force (its own, or the router-wide default), the window in milliseconds. */
  rateLimit: RateLimitDescription | null
  /** The error codes it declares (`errors`), sorted; `[]` for none. */
  errors: string[]
  /**
   * Present when the procedure accepts file uploads (a mutation whose input holds `z.file()`):
   * its limits, defaults applied; `types: null` allows any type.
   */
  files?: ManifestFiles
  /**
   * Present when the query takes a shape (its output schema holds objects): the names of its
   * declared shapes, and whether a caller may send a selection of its own.
   */
  shapes?: ShapesDescription
  /**
   * Present when the procedure streams its result (its handler is an async generator function:
   * see docs/protocol.md, Streamed results). A handler that returns an `AsyncIterable` otherwise
   * streams too, but that is only known when it is called: it is not marked.
   */
  stream?: true
  meta?: Record<string, unknown>
}

/** The upload limits of a procedure that accepts files, as the manifest lists them. */
export interface ManifestFiles {
  maxFileSize: number
  maxFiles: number
  maxTotalSize: number
  types: string[] | null
}

/**
 * What `GET {basePath}/_manifest` returns: the router described for edges, CDN rules and tools, so
 * they read declarations instead of source code. `hash` changes whenever anything listed changes.
 */
export interface Manifest {
  version: typeof MANIFEST_VERSION
  hash: string
  transformer: string
  basePath: string
  procedures: Record<string, ManifestProcedure>
  /** Realtime channels: what they stand for and whether they take client messages. */
  channels: Record<string, ManifestChannel>
  routers: string[]
  /** Forms (routers `m.form` made) by path: their title and field names in display order. */
  forms: Record<string, ManifestForm>
  /** Routes (`m.route`) by router path: where they are served and what they declare. */
  routes: Record<string, ManifestRoute>
}

/** One route as the manifest describes it. */
export interface ManifestRoute {
  /** The methods it answers (`GET` brings `HEAD`). */
  methods: string[]
  /** The full path pattern, base path included unless the route is absolute (`/api/mizan/files/:id`). */
  path: string
  absolute: boolean
  auth: ReturnType<typeof describeAuth>
  affects: string[]
  cache: CacheOptions | null
  cacheControl: string | null
  rateLimit: RateLimitDescription | null
  /** The error codes it declares. */
  errors: string[]
  meta?: Record<string, unknown>
}

/** One form as the manifest describes it; its procedures are listed under `<path>.schema`, `.validate`, `.submit`. */
export interface ManifestForm {
  title: string
  fields: string[]
}

/** One channel as the manifest describes it. */
export interface ManifestChannel {
  /** `authorize` present: not everyone may join. */
  authorized: boolean
  affects: string[]
  receives: boolean
}

/** Describes a served router. */
export function buildManifest(dispatcher: Dispatcher, basePath: string, transformer: string, uploads: ReadonlyMap<string, UploadPlan> = new Map()): Manifest {
  const procedures: Record<string, ManifestProcedure> = {}
  for (const path of [...dispatcher.flat.procedures.keys()].sort()) {
    const { def, cacheControl } = dispatcher.resolve(path)!
    const { options } = def
    const entry: ManifestProcedure = {
      kind: def.kind,
      methods: def.kind === 'query' ? ['GET', 'POST'] : ['POST'],
      auth: describeAuth(def),
      affects: [...(options.affects ?? [])],
      context: options.context ?? null,
      cache: options.cache ?? null,
      cacheControl: cacheControl ?? null,
      websocket: options.websocket ?? false,
      rateLimit: def.rateLimit === undefined ? null : describeRule(def.rateLimit),
      errors: Object.keys(options.errors ?? {}).sort(),
    }
    const plan = uploads.get(path)
    if (plan !== undefined) {
      const { maxFileSize, maxFiles, maxTotalSize, types } = plan.limits
      entry.files = { maxFileSize, maxFiles, maxTotalSize, types: types === undefined ? null : [...types] }
    }
    const shapes = describeShapes(def)
    if (shapes !== undefined) entry.shapes = shapes
    if (def.stream === true) entry.stream = true
    if (options.meta !== undefined) entry.meta = options.meta
    procedures[path] = entry
  }
  const channels: Record<string, ManifestChannel> = {}
  for (const path of [...dispatcher.flat.channels.keys()].sort()) {
    const { options } = dispatcher.flat.channels.get(path)!
    channels[path] = { authorized: options.authorize !== undefined, affects: [...(options.affects ?? [])], receives: options.receive !== undefined }
  }
  const routers = [...dispatcher.flat.prefixes].sort()
  const forms: Record<string, ManifestForm> = {}
  for (const path of [...dispatcher.flat.forms.keys()].sort()) {
    const form = dispatcher.flat.forms.get(path)!
    forms[path] = { title: form.title, fields: form.fields.map((field) => field.wire.name) }
  }
  const routes: Record<string, ManifestRoute> = {}
  for (const path of [...dispatcher.flat.routes.keys()].sort()) {
    const def = dispatcher.flat.routes.get(path)!
    const { options } = def
    routes[path] = {
      methods: [...def.methods],
      path: def.absolute ? def.pattern.source : basePath + (def.pattern.source === '/' ? '' : def.pattern.source),
      absolute: def.absolute,
      auth: describeAuth(def.read),
      affects: [...(options.affects ?? [])],
      cache: options.cache ?? null,
      cacheControl: cacheControlOf(def.read) ?? null,
      rateLimit: def.read.rateLimit === undefined ? null : describeRule(def.read.rateLimit),
      errors: Object.keys(options.errors ?? {}),
      ...(options.meta === undefined ? {} : { meta: options.meta }),
    }
  }
  const described = { version: MANIFEST_VERSION, transformer, basePath, procedures, channels, routers, forms, routes }
  // Written out now, so a `meta` JSON cannot hold fails at startup; hashed when first read: loading
  // node:crypto and a first sha256 cost a start about 2 ms of CPU that it need not pay.
  const text = JSON.stringify(described)
  let hash: string | undefined
  return {
    version: MANIFEST_VERSION,
    get hash() {
      return (hash ??= 'sha256-' + nodeCrypto().createHash('sha256').update(text).digest('base64url'))
    },
    transformer,
    basePath,
    procedures,
    channels,
    routers,
    forms,
    routes,
  }
}

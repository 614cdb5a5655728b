import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { createCallerProxy, type Caller, type CallerOptions } from './caller.js'
import { Dispatcher, type DispatchOptions } from './dispatch.js'
import { CorsPolicy, type CorsOptions } from './http/cors.js'
import type { ContextOptions } from './http/exchange.js'
import { createFetchHandler, type FetchHandler } from './http/fetch.js'
import { DEFAULT_LIMITS, type HttpLimits, type HttpSettings } from './http/handle.js'
import { InFlight } from './http/in-flight.js'
import { createNodeHandler, type NodeHandler } from './http/node.js'
import { buildManifest, type Manifest } from './manifest.js'
import { flattenRouter, type AffectsCheck, type AnyRouter, type ChannelPaths, type RecordOf, type RouterContext } from './router.js'
import type { ChannelAt, ChannelMessage, ChannelParams } from './channel.js'
import { Hub } from './realtime/hub.js'
import { DEFAULT_SOCKET_LIMITS, type SocketLimits } from './realtime/limits.js'
import { memoryPubSub } from './realtime/memory-pubsub.js'
import type { PubSub } from './realtime/pubsub.js'
import { SocketServer, type WebSocketOptions } from './realtime/socket-server.js'
import { SseEndpoint } from './realtime/sse/endpoint.js'
import { resolveTransformer } from './transformer.js'
import { InputDecoder } from './input/decoder.js'
import type { Transformer } from '@mizan/wire'
import type { CacheBackend } from './cache/backend.js'
import { memoryCache } from './cache/memory.js'
import { OriginCache, type PrincipalOf } from './cache/origin-cache.js'
import type { ClientAddressOf } from './rate-limit/address.js'
import { serverLimits } from './rate-limit/server-limits.js'
import type { TicketRateLimitOptions } from './rate-limit/session.js'
import type { RateLimitStore } from './rate-limit/store.js'
import { resolveUploadOptions, type UploadOptions } from './files/limits.js'
import { uploadPlanOf, type UploadPlan } from './files/plan.js'
import { RouteTable } from './routes/table.js'
import { servedOpenAPI, type OpenAPIServeOption } from './openapi/serve.js'

type MaybePromise<T> = T | Promise<T>

type ContextOption<R extends AnyRouter> = {} extends RouterContext<R>
  ? {
      /** Builds the context of each request. Optional here because the context has no required field. */
      createContext?: (options: ContextOptions) => MaybePromise<RouterContext<R>>
    }
  : {
      /** Builds the context of each request: who the user is, database handles, and so on. */
      createContext: (options: ContextOptions) => MaybePromise<RouterContext<R>>
    }

/** Options of {@link createMizanServer}. */
export type MizanServerOptions<R extends AnyRouter> = ContextOption<R> & {
  /** The root router. Its `affects` paths are checked here, by the compiler and at startup. */
  router: R & AffectsCheck<R>
  /** Where the API lives. Default `/api/mizan`. */
  basePath?: string
  /** Cross-origin access; off by default (same origin only). */
  cors?: CorsOptions
  /** Request limits; see {@link HttpLimits}. */
  limits?: Partial<HttpLimits>
  /** Serve `GET {basePath}/_manifest`. Default `true`. */
  manifest?: boolean
  /** Overrides the router's `isDev`: send messages and stack traces of unexpected errors. */
  isDev?: boolean
  /** Milliseconds `close()` waits for running requests before cutting connections. Default 10,000. */
  closeTimeout?: number
  /**
   * The origin cache of queries that declare `cache`: `memoryCache()` (the default when any does)
   * or `redisCache({ redis, secret })`; `false` turns it off.
   */
  cache?: CacheBackend | false
  /** Who the caller is: for `scope: 'user'` cache entries and pushes to a user's other tabs. Default: `ctx.user.id`. */
  principal?: PrincipalOf
  /** Fan-out across instances for channels and invalidation pushes: `memoryPubSub()` (default) or `redisPubSub({ redis })`. */
  pubsub?: PubSub
  /** The WebSocket transport: its path, allowed origins and limits, and how many tickets a caller may mint. */
  websocket?: WebSocketOptions & Partial<SocketLimits> & TicketRateLimitOptions
  /**
   * Where declared rate limits count: `memoryRateLimit()` (the default when any limit is declared,
   * or tickets are on) or `redisRateLimit({ redis })` for several instances; `false` turns every
   * limit off, the ticket limit included.
   */
  rateLimit?: RateLimitStore | false
  /**
   * The client address of a request, for limits by address. Default: the socket's peer address on
   * Node (HTTP and WebSocket), none on fetch runtimes. Headers such as `X-Forwarded-For` are never
   * read unless this function reads them: do so only behind a proxy you run.
   */
  clientAddress?: ClientAddressOf
  /**
   * Where the files of uploads wait while their call runs (mutations whose input holds `z.file()`
   * accept `multipart/form-data`): the temporary directory, how much stays in memory, how long an
   * upload may stall. Each procedure's own limits are its `files` option.
   */
  uploads?: UploadOptions
  /**
   * Serve an OpenAPI 3.1 document of the router at `GET {basePath}/_openapi.json`, built on the
   * first request: `true`, or its `title`, `version`, `servers` and `securitySchemes`. Off by default.
   */
  openapi?: OpenAPIServeOption
} & DispatchOptions

/** A served router. */
export interface MizanServer<R extends AnyRouter> {
  /** `(req, res, next?)` for `node:http`, Express and Connect. */
  readonly nodeHandler: NodeHandler
  /** `(Request) => Promise<Response>` for fetch runtimes. */
  readonly fetchHandler: FetchHandler
  /** The description served at `{basePath}/_manifest`. */
  readonly manifest: Manifest
  /** The Node server `listen` created, once it has. */
  readonly httpServer: Server | undefined
  /** Starts a `node:http` server on `port` (0 picks a free one). */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>
  /** Stops accepting, lets running requests finish (up to `closeTimeout`), then closes. */
  close(): Promise<void>
  /**
   * Calls procedures in process with the given context, through the same dispatch as HTTP. Rate
   * limits apply only when `options.rateLimit` asks.
   */
  createCaller(ctx: RouterContext<R>, options?: CallerOptions): Caller<RecordOf<R>>
  /** Makes every origin cache entry unreachable at once (a deploy that changes outputs, say). */
  bumpCacheRevision(): Promise<void>
  /** Publishes to a channel group from outside any handler; params and message are validated. */
  publish<P extends ChannelPaths<RecordOf<R>>>(path: P, params: ChannelParams<ChannelAt<RecordOf<R>, P>>, message: ChannelMessage<ChannelAt<RecordOf<R>, P>>): Promise<void>
  /**
   * Takes a WebSocket upgrade, for apps that own their HTTP server
   * (`httpServer.on('upgrade', (req, socket, head) => mizan.handleUpgrade(req, socket, head) || socket.destroy())`).
   * Returns `false` when the request is not for Mizan. `listen()` wires it by itself.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
}

/**
 * Serves a router over HTTP.
 *
 * ```ts
 * const server = createMizanServer({ router: appRouter, createContext: ({ req }) => ({ user: userFrom(req) }) })
 * await server.listen(3000)
 * ```
 */
export function createMizanServer<R extends AnyRouter>(options: MizanServerOptions<R>): MizanServer<R> {
  const router = options.router as AnyRouter
  const config = router?.['~mizan']?.config
  if (config === undefined || router['~mizan'].type !== 'router') {
    throw new TypeError('Mizan: createMizanServer({ router }) needs a router made with m.router()')
  }
  const basePath = normalizeBasePath(options.basePath ?? '/api/mizan')
  const isDev = options.isDev ?? config.isDev
  const transformer = resolveTransformer(config.transformer)
  const cache = originCache(router, options as Pick<MizanServerOptions<AnyRouter>, 'cache' | 'principal' | 'onError'>, transformer)
  const principalOf = options.principal ?? defaultPrincipal
  const tickets = options.websocket?.tickets
  const report = (event: { error: unknown; path: string; ctx: unknown }) => dispatcher.onError(event)
  const { limiter, ticketLimit } = serverLimits(router, { rateLimit: options.rateLimit, tickets: tickets !== undefined, ticketRateLimit: options.websocket?.ticketRateLimit, principalOf, report })
  const dispatcher = new Dispatcher(router, options, cache, limiter)
  const hub = new Hub(dispatcher.flat, options.pubsub ?? memoryPubSub(), transformer, principalOf)
  dispatcher.realtime = hub
  const plans = new Map<string, UploadPlan>()
  for (const [path, def] of dispatcher.flat.procedures) {
    const plan = uploadPlanOf(path, def)
    if (plan !== undefined) plans.set(path, plan)
  }
  // Built on first read (a request for it, or `server.manifest`): nothing at start-up needs it.
  let manifest: Manifest | undefined
  const manifestOf = (): Manifest => (manifest ??= buildManifest(dispatcher, basePath, transformer.name, plans))
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const decoder = new InputDecoder(transformer, limits)
  const createContext = (options as { createContext?: (o: ContextOptions) => unknown }).createContext ?? (() => ({}))
  // Apps that declare realtime features will take sockets: their server loads `ws` right after it
  // listens, so the first upgrade need not wait. Others load it only if a socket ever comes.
  const expectsSockets = options.websocket !== undefined || dispatcher.flat.channels.size > 0 || [...dispatcher.flat.procedures.values()].some((def) => def.options.websocket === true)
  // Realtime over Server-Sent Events, for the same apps and those whose mutations push invalidations.
  const hasRealtime = expectsSockets || [...dispatcher.flat.procedures.values()].some((def) => ((def.options as { affects?: readonly string[] }).affects?.length ?? 0) > 0)
  const settings: HttpSettings = {
    dispatcher,
    transformer,
    decoder,
    createContext,
    limits,
    isDev,
    cors: options.cors === undefined ? undefined : new CorsPolicy(options.cors),
    manifest: options.manifest === false ? undefined : servedManifest(manifestOf),
    session:
      tickets === undefined
        ? undefined
        : async (ctx, env) => {
            await ticketLimit?.check(ctx, undefined, env)
            return tickets.mint({ sub: principalString(principalOf(ctx)) })
          },
    clientAddress: options.clientAddress,
    uploads: { plans, options: resolveUploadOptions(options.uploads) },
    routes: dispatcher.flat.routes.size === 0 ? undefined : new RouteTable(dispatcher.flat.routes, basePath, dispatcher.flat.procedures, cache, limiter),
    openapi: options.openapi === undefined || options.openapi === false ? undefined : servedOpenAPI(router, basePath, options.openapi),
    events: hasRealtime ? new SseEndpoint(() => socketServer()) : undefined,
  }

  const inFlight = new InFlight()
  const nodeHandler = createNodeHandler(settings, basePath, inFlight)
  // Made at the first upgrade (or when `listen` expects sockets): an app without realtime never
  // runs this code.
  let sockets: SocketServer | undefined
  const socketServer = (): SocketServer =>
    (sockets ??= new SocketServer({
      hub,
      dispatcher,
      transformer,
      decoder,
      limits: { ...DEFAULT_SOCKET_LIMITS, ...options.websocket },
      isDev,
      path: options.websocket?.path ?? `${basePath}/_ws`,
      origins: options.websocket?.origins,
      createContext,
      tickets,
      authTimeoutMs: options.websocket?.authTimeoutMs ?? 5000,
      clientAddress: options.clientAddress,
      websocketPaths: [...dispatcher.flat.procedures].filter(([, def]) => def.options.websocket === true).map(([path]) => path),
    }))
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => socketServer().handleUpgrade(req, socket, head)
  let fetchHandler: FetchHandler | undefined
  let httpServer: Server | undefined
  let closing: Promise<void> | undefined

  /** Stops the HTTP server if one listens (draining running requests), then sockets, cache and pub/sub. */
  const shutDown = async (server: Server | undefined): Promise<void> => {
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()))
    // Made here if no socket came, so that one coming after close is refused.
    await socketServer().close()
    if (server !== undefined) {
      server.closeIdleConnections()
      const timeout = options.closeTimeout ?? 10_000
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout)
        timer.unref()
      })
      await Promise.race([inFlight.idle(), deadline])
      clearTimeout(timer)
      server.closeAllConnections()
    }
    await closed
    await cache?.backend.close?.()
    await limiter?.store.close?.()
    await hub.pubsub.close()
  }

  return {
    nodeHandler,
    get fetchHandler() {
      return (fetchHandler ??= createFetchHandler(settings, basePath))
    },
    get manifest() {
      return manifestOf()
    },
    get httpServer() {
      return httpServer
    },
    listen(port = 0, host) {
      if (httpServer !== undefined) return Promise.reject(new Error('Mizan: the server is already listening'))
      const server = (httpServer = createServer(nodeHandler))
      server.on('upgrade', (req, socket, head) => handleUpgrade(req, socket, head) || socket.destroy())
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const address = server.address() as AddressInfo
          const shownHost = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}${basePath}` })
          // After the caller hears it listens: loading `ws` does not delay that.
          if (expectsSockets) setImmediate(() => socketServer().load().catch((error: unknown) => report({ error, path: '(websocket)', ctx: undefined })))
        })
      })
    },
    async close() {
      const server = httpServer
      httpServer = undefined
      if (closing === undefined) closing = shutDown(server)
      return closing
    },
    createCaller(ctx, callerOptions) {
      return createCallerProxy(dispatcher, ctx, callerOptions) as Caller<RecordOf<R>>
    },
    async bumpCacheRevision() {
      await cache?.bumpRevision()
    },
    publish: (path, params, message) => hub.publish(path, params, message),
    handleUpgrade,
  }
}

/** The origin cache for a router, checked against its policies; none when no query declares `cache`. */
function originCache(router: AnyRouter, options: Pick<MizanServerOptions<AnyRouter>, 'cache' | 'principal' | 'onError'>, transformer: Transformer): OriginCache | undefined {
  const flat = flattenRouter(router)
  const policies = [...flat.procedures, ...[...flat.routes].map(([path, def]) => [path, def.read] as const)].flatMap(([path, def]) =>
    def.options.cache === undefined ? [] : [[path, def.options.cache] as const],
  )
  if (options.cache === false || policies.length === 0) return undefined
  const backend = options.cache ?? memoryCache()
  for (const [path, policy] of policies) {
    const { ttl, swr = 0, scope } = policy
    if (!(ttl > 0) || !(swr >= 0) || (scope !== 'public' && scope !== 'user')) {
      throw new TypeError(`Mizan: "${path}" cache needs ttl > 0 seconds, swr >= 0 and scope 'public' or 'user'`)
    }
    if (backend.generationTTL !== undefined && ttl + swr > backend.generationTTL) {
      throw new TypeError(`Mizan: "${path}" cache lives ${ttl + swr} s, longer than the cache's generationTTL (${backend.generationTTL} s)`)
    }
  }
  const report = options.onError ?? ((event: { error: unknown; path: string }) => console.error(`[mizan] cache (${event.path}):`, event.error))
  return new OriginCache(backend, transformer, options.principal ?? defaultPrincipal, (error, path) => report({ error, path, ctx: undefined }))
}

/** The manifest's body and ETag, made on the first request for it (see buildManifest). */
function servedManifest(manifestOf: () => Manifest): { body: string; etag: string } {
  let served: { body: string; etag: string } | undefined
  const make = () => {
    if (served !== undefined) return served
    const manifest = manifestOf()
    return (served = { body: JSON.stringify(manifest), etag: `"${manifest.hash}"` })
  }
  return {
    get body() {
      return make().body
    },
    get etag() {
      return make().etag
    },
  }
}

function principalString(principal: string | number | null | undefined): string | null {
  return principal === null || principal === undefined ? null : String(principal)
}

function defaultPrincipal(ctx: unknown): string | number | null | undefined {
  const user = (ctx as { user?: { id?: string | number } | null } | null)?.user
  return user?.id
}

function normalizeBasePath(path: string): string {
  // A loop, not /\/+$/: compiling a first regular expression costs a start ~0.2 ms.
  let end = path.length
  while (end > 0 && path.charCodeAt(end - 1) === 47 /* / */) end--
  const trimmed = path.slice(0, end)
  if (trimmed !== '' && !trimmed.startsWith('/')) throw new TypeError(`Mizan: basePath must start with "/" (got "${path}")`)
  return trimmed
}

/**
 * Builds an in-process caller without serving the router: for tests, scripts and server-side
 * rendering. Nothing serves it, so no rate limit applies (use `server.createCaller` for that).
 */
export function createCaller<R extends AnyRouter>(router: R & AffectsCheck<R>, ctx: RouterContext<R>, options: DispatchOptions = {}): Caller<RecordOf<R>> {
  return createCallerProxy(new Dispatcher(router, options), ctx) as Caller<RecordOf<R>>
}

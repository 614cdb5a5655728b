import type { AnyRouter, Manifest, RecordOf } from '@mizan/server'
import { Emitter } from './emitter.js'
import { hasBlob } from './files.js'
import { MizanClientError, PROCEDURE_PATH, errorFromShape, errorFromStatus } from './errors.js'
import { HttpLink, type ClientInvalidation, type InvalidationSource } from './http-link.js'
import { eagerTransformer, lazySuperjson, type ClientTransformer, type Serializer } from './serializer.js'
import type { RealtimeTransport, SocketStatus, Subscription, SubscriptionHandlers, WsLink } from './ws-link.js'
import type { CallOptions, DecorateRecord, RouterCheck } from './types.js'
import { routeURL, type RouteClient, type RouteTable } from './route-url.js'

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The server's base URL, including its base path: `http://localhost:3000/api/mizan`. */
  url: string
  /** Headers for every request, or a function called before each request (for fresh tokens). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)
  /** The fetch to use. Default: the global `fetch`. */
  fetch?: typeof fetch
  /** Batch the calls made in one tick into one request per kind. Default `true`. */
  batch?: boolean
  /** Calls per batch request at most. Default 100 (the server's default limit). */
  maxBatchSize?: number
  /** Characters of a GET URL at most; a longer batch is split, a longer single query goes by POST. Default 4096. */
  maxURLLength?: number
  /**
   * Bytes of one line of a streamed reply at most (a streamed value, or a batch's entry): a longer
   * line fails what it belongs to (`INTERNAL_SERVER_ERROR`) rather than fill memory. Default 16 MiB.
   */
  maxStreamLineBytes?: number
  /**
   * How values with types JSON lacks are encoded. Default: superjson, loaded on first need (an
   * app that sends and receives only JSON types never downloads it). Pass `SuperJSON` to load it
   * up front, or `'json'` to send plain JSON.
   */
  transformer?: Serializer | 'json'
  /** The WebSocket URL. Default: `url` with `ws(s):` and `/_ws` appended. */
  wsUrl?: string
  /** The WebSocket class, where there is no global one (Node 20: `import { WebSocket } from 'ws'`). */
  WebSocket?: typeof globalThis.WebSocket
  /**
   * How subscriptions, pushes and socket calls travel. `'auto'` (the default): the WebSocket, and
   * Server-Sent Events (`GET {url}/_events` down, POSTs up) from the moment one cannot open — no
   * WebSocket class here, the upgrade refused (a proxy, a serverless runtime), or closed before it
   * opened — until `$reconnect()`; a client whose WebSocket opened once keeps to it. `'websocket'`
   * or `'sse'`: that transport only.
   */
  transport?: RealtimeTransport
  /**
   * Open the WebSocket by itself for procedures declared `websocket: true`: when an HTTP reply says
   * the server serves the call's path on its socket (`x-mizan-websocket`), the client opens the
   * socket and keeps it open (reconnecting as for a subscription); later calls of those paths go
   * over it once it is open, and calls made before then go over HTTP. `false`: only a subscription
   * opens the socket. Under `transport: 'websocket'` without any WebSocket class (the option or a
   * global one) calls stay on HTTP; otherwise the connection is Server-Sent Events.
   * Default `true`.
   */
  websocketCalls?: boolean
  /**
   * The server requires socket tickets (`websocket: { tickets }`): before each connect the client
   * gets one from `POST {url}/_session` with its usual headers. Default `false`.
   */
  tickets?: boolean
  /**
   * Where the server's routes are (the manifest's `routes`), for `$url`. Without it, `$url` uses
   * the manifest once `$manifest()` has read it.
   */
  routes?: RouteTable
  /**
   * Called when the WebSocket reconnected and invalidation pushes may have been missed meanwhile
   * (the server could not replay them: no history, or the gap outlasted it). `@mizan/react`
   * refetches every Mizan query then; the `pushGap` event says the same.
   */
  onPushGap?: () => void
}

/** Events of the client. */
export interface ClientEvents {
  /**
   * Every invalidation the server announces, with the call that brought it (`source.path` is `''`
   * for a push: another tab or user changed something).
   */
  invalidate: (invalidations: ClientInvalidation[], source: InvalidationSource) => void
  /** The WebSocket connection's status. */
  status: (status: SocketStatus) => void
  /** Invalidation pushes may have been missed during a reconnect: cached data may be stale. */
  pushGap: () => void
}

/** Methods of the client itself, on `$`-names no router key can take. */
export interface ClientMethods {
  /** Listens to a client event; returns the function that stops listening. */
  $on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void
  /**
   * Calls a procedure by dotted path: the untyped door the typed proxy goes through. A mutation
   * whose input holds a `Blob` (a `File` is one) is uploaded as multipart. `shape` (a selection of
   * fields or the name of a shape) goes to the server on every transport; the server checks it.
   */
  $call(kind: 'query' | 'mutation', path: string, input?: unknown, options?: CallOptions & { shape?: unknown }): Promise<unknown>
  /** Subscribes to a channel by dotted path: the untyped door `client.chat.subscribe` goes through. */
  $subscribe(path: string, params: unknown, handlers: SubscriptionHandlers<unknown>): Subscription<unknown>
  /**
   * Reads the server's manifest (`GET {url}/_manifest`, with the client's headers): what each
   * procedure declares. `@mizan/react` reads it to tell global from local contexts. Rejects with a
   * `MizanClientError` (`NOT_FOUND` when the server turned the manifest off).
   */
  $manifest(options?: { signal?: AbortSignal }): Promise<Manifest>
  /**
   * Reopens the WebSocket (if open) and resubscribes: call it after sign-in or sign-out, since a
   * socket's user is fixed when it opens.
   */
  $reconnect(): void
  /**
   * The URL of a route (`m.route`), its parameters and query typed from the route:
   * `client.$url(client.files.download, { id: '1' }, { inline: true })`. Routes are addressed,
   * never called by the proxy. Needs the route table: `createClient({ routes })`, or the manifest
   * read once by `$manifest()`.
   */
  $url<Params, Query>(route: RouteClient<Params, Query>, ...args: {} extends Params ? [params?: NoInfer<Params>, query?: NoInfer<Query>] : [params: NoInfer<Params>, query?: NoInfer<Query>]): string
}

/** A typed client for a router: every path, input and output inferred from `typeof appRouter`. */
export type MizanClient<R extends AnyRouter> = DecorateRecord<RecordOf<R>> & ClientMethods

const jsonOnly: ClientTransformer = { encode: (value) => ({ json: value }), decode: (json) => json }

/**
 * Creates a client for a router type. Only types cross from the server: the client imports no
 * server code at run time.
 *
 * ```ts
 * const client = createClient<AppRouter>({ url: 'http://localhost:3000/api/mizan' })
 * const page = await client.posts.list.query({ page: 1 })
 * ```
 */
export function createClient<R extends AnyRouter>(options: ClientOptions & RouterCheck<R>): MizanClient<R> {
  if (typeof options?.url !== 'string') throw new TypeError('Mizan: createClient({ url }) needs the server URL')
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis)
  if (fetchImpl === undefined) throw new TypeError('Mizan: no fetch available; pass createClient({ fetch })')
  const emitter = new Emitter<ClientEvents>()
  const transformer =
    options.transformer === undefined ? lazySuperjson : options.transformer === 'json' ? jsonOnly : eagerTransformer(options.transformer)
  let socket: WsLink | undefined
  // Set once a reply asked for the socket: it is held from then on, and later replies change nothing.
  let holding = false
  const transport = options.transport ?? 'auto'
  if (transport !== 'auto' && transport !== 'websocket' && transport !== 'sse') throw new TypeError(`Mizan: createClient({ transport }) is 'auto', 'websocket' or 'sse', not ${String(transport)}`)
  // Any transport but a WebSocket-only one without a WebSocket class can carry calls: SSE always can.
  const socketCalls = options.websocketCalls !== false && (transport !== 'websocket' || (options.WebSocket ?? globalThis.WebSocket) !== undefined)
  const headers = async () => (typeof options.headers === 'function' ? await options.headers() : { ...options.headers })
  const link = new HttpLink({
    url: options.url.replace(/\/+$/, ''),
    headers: options.headers,
    fetch: fetchImpl,
    batch: options.batch ?? true,
    maxBatchSize: Math.max(1, options.maxBatchSize ?? 100),
    maxURLLength: options.maxURLLength ?? 4096,
    maxStreamLineBytes: Math.max(1, options.maxStreamLineBytes ?? 16 * 1024 * 1024),
    transformer,
    onInvalidate: (invalidations, source) => emitter.emit('invalidate', invalidations, source),
    connectionId: () => socket?.connectionId,
    onWebSocketPaths: socketCalls
      ? () => {
          if (holding) return
          holding = true
          // The socket serves calls once its hello lists their paths (see `serves`); until then, HTTP.
          ws()
            .then((link) => link.hold())
            .catch((error: unknown) => console.error('[mizan] the WebSocket for calls could not be opened:', error))
        }
      : undefined,
  })
  // The WebSocket code loads with the first subscription (a bundler splits it off: apps without
  // channels never download it); calls use the socket once it is open and the server serves them there.
  let loading: Promise<WsLink> | undefined
  const ws = () =>
    (loading ??= import('./ws-link.js').then(({ WsLink }) => {
      socket = new WsLink({
        url: options.wsUrl ?? webSocketURL(options.url),
        WebSocket: options.WebSocket,
        transport,
        eventsUrl: `${options.url.replace(/\/+$/, '')}/_events`,
        fetch: fetchImpl,
        headers,
        maxLineBytes: Math.max(1, options.maxStreamLineBytes ?? 16 * 1024 * 1024),
        transformer,
        onInvalidate: (invalidations, source) => emitter.emit('invalidate', invalidations, source),
        backoffMs: 250,
        maxBackoffMs: 10_000,
        ticket: options.tickets === true ? () => fetchTicket(fetchImpl, options.url, options.headers) : undefined,
        onPushGap: () => {
          options.onPushGap?.()
          emitter.emit('pushGap')
        },
      })
      socket.onStatus((status) => emitter.emit('status', status))
      return socket
    }))
  let known: RouteTable | undefined = options.routes
  const methods: ClientMethods = {
    $on: (event, listener) => emitter.on(event, listener),
    $call: (kind, path, input, callOptions) =>
      // An input with files goes alone over HTTP as multipart, even where the socket serves the path.
      hasBlob(input)
        ? link.upload(kind, path, input, callOptions)
        : socket?.serves(path) === true
          ? socket.call(path, input, callOptions?.signal, callOptions?.shape)
          : link.call(kind, path, input, callOptions?.signal, callOptions?.shape),
    $subscribe: (path, params, handlers) => {
      if (socket !== undefined) return socket.subscribe(path, params, handlers)
      // Until the socket code is here, the subscription is a promise of one.
      let subscription: Subscription<unknown> | undefined
      let left = false
      const joined = ws().then((link) => (left ? undefined : (subscription = link.subscribe(path, params, handlers))))
      // No socket could be made (no WebSocket class here, say): the subscriber hears it, and the
      // failure is not left to reject unhandled.
      joined.catch((error: unknown) => {
        if (left) return
        const failure = new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: error instanceof Error ? error.message : String(error) }, path, error)
        if (handlers.onError !== undefined) handlers.onError(failure)
        else console.error('[mizan] subscription failed:', failure)
      })
      return {
        unsubscribe: () => {
          left = true
          subscription?.unsubscribe()
        },
        send: async (message) => {
          const live = await joined
          if (live === undefined) throw new TypeError('Mizan: send() after unsubscribe()')
          return live.send(message)
        },
      }
    },
    $reconnect: () => socket?.reconnect(),
    $manifest: async (callOptions) => {
      const manifest = await fetchManifest(fetchImpl, options.url, options.headers, callOptions?.signal)
      known ??= manifest.routes
      return manifest
    },
    $url: (route: unknown, params?: unknown, query?: unknown) => {
      const path = (route as { [PROCEDURE_PATH]?: string } | null)?.[PROCEDURE_PATH]
      if (typeof path !== 'string') throw new TypeError('Mizan: $url takes a route of this client (client.files.download)')
      const entry = known?.[path]
      if (entry === undefined) {
        throw new TypeError(known === undefined ? `Mizan: $url(${path}) needs the route table: createClient({ routes: manifest.routes }), or await client.$manifest() first` : `Mizan: "${path}" is not a route of the server`)
      }
      return routeURL(options.url, entry.path, params as Record<string, unknown> | undefined, query as Record<string, unknown> | undefined)
    },
  }
  return procedureProxy(methods, []) as MizanClient<R>
}

const CALLS = { query: 'query', mutate: 'mutation' } as const

/** A fresh socket ticket from `POST {url}/_session`, authenticated like any call. */
async function fetchTicket(fetchImpl: typeof fetch, url: string, headers: ClientOptions['headers']): Promise<string> {
  const custom = typeof headers === 'function' ? await headers() : headers
  const response = await fetchImpl(`${url.replace(/\/+$/, '')}/_session`, { method: 'POST', headers: { ...custom, 'content-type': 'application/json' } })
  if (!response.ok) throw new Error(`No socket ticket: the server answered ${response.status}`)
  const body = (await response.json()) as { ticket?: unknown }
  if (typeof body.ticket !== 'string') throw new Error('No socket ticket in the server’s answer')
  return body.ticket
}

/** `GET {url}/_manifest`; failures are `MizanClientError`s like a call's. */
async function fetchManifest(fetchImpl: typeof fetch, url: string, headers: ClientOptions['headers'], signal: AbortSignal | undefined): Promise<Manifest> {
  const path = '_manifest'
  const custom = typeof headers === 'function' ? await headers() : headers
  let response: Response
  let text: string
  try {
    response = await fetchImpl(`${url.replace(/\/+$/, '')}/${path}`, { method: 'GET', headers: { ...custom }, signal })
    text = await response.text()
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    throw new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: `Could not reach the server: ${error instanceof Error ? error.message : String(error)}` }, path, error)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const shape = (body as { error?: unknown } | undefined)?.error
  if (typeof shape === 'object' && shape !== null) throw errorFromShape(shape as never, path, response.status)
  const procedures = (body as Partial<Manifest> | undefined)?.procedures
  if (!response.ok || typeof procedures !== 'object' || procedures === null) throw errorFromStatus(response.ok ? 200 : response.status, path)
  return body as Manifest
}

/** `http://host/api/mizan` → `ws://host/api/mizan/_ws`; a relative URL resolves against the page. */
function webSocketURL(url: string): string {
  const base = typeof location === 'undefined' ? undefined : location.href
  const absolute = new URL(url.replace(/\/+$/, '') + '/_ws', base)
  absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:'
  return absolute.toString()
}

/** `client.a.b.query(input)`: the proxy collects path segments; the last one names the call. */
function procedureProxy(methods: ClientMethods, path: readonly string[]): unknown {
  return new Proxy(noop, {
    get(_target, key) {
      // The node's dotted path: read by isMizanError (procedures) and $url (routes).
      if (key === PROCEDURE_PATH) return path.join('.')
      if (typeof key !== 'string' || key === 'then') return undefined
      if (path.length === 0 && key in methods) return methods[key as keyof ClientMethods]
      return procedureProxy(methods, [...path, key])
    },
    apply(_target, _this, args: unknown[]) {
      const call = path[path.length - 1]
      if (call === 'subscribe' && path.length >= 2) {
        return methods.$subscribe(path.slice(0, -1).join('.'), args[0], args[1] as SubscriptionHandlers<unknown>)
      }
      const kind = call === undefined ? undefined : CALLS[call as keyof typeof CALLS]
      if (kind === undefined || path.length < 2) {
        return Promise.reject(new TypeError(`Mizan: ${path.join('.')}() is not a call; use .query(), .mutate() or .subscribe()`))
      }
      const options = args[1] as (CallOptions & { shape?: unknown }) | undefined
      return methods.$call(kind, path.slice(0, -1).join('.'), args[0], options)
    },
  })
}

function noop(): void {}

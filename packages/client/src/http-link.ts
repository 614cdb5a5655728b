import { INVALIDATE_HEADER, decodeInvalidateHeader, type ErrorShape, type InvalidationWire } from '@mizan/wire'
import { MizanClientError, errorFromShape, errorFromStatus } from './errors.js'
import type { ClientTransformer, Encoded } from './serializer.js'

/** One invalidation the server announced: every key of `path`, or the one key of `input`. */
export interface ClientInvalidation {
  path: string
  input?: unknown
}

/** The call that brought an invalidation. */
export interface InvalidationSource {
  path: string
  input: unknown
}

type HeaderRecord = Record<string, string>

/** Settings of the HTTP transport, from `createClient`'s options. */
export interface HttpLinkSettings {
  url: string
  headers: HeaderRecord | (() => HeaderRecord | Promise<HeaderRecord>) | undefined
  fetch: typeof fetch
  batch: boolean
  maxBatchSize: number
  maxURLLength: number
  transformer: ClientTransformer
  onInvalidate: (invalidations: ClientInvalidation[], source: InvalidationSource) => void
  /** This client's WebSocket connection, if open: the server then skips it when pushing this call's invalidations. */
  connectionId: () => string | undefined
}

interface Operation {
  readonly kind: 'query' | 'mutation'
  readonly path: string
  readonly input: unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  settled: boolean
  encoded?: Encoded | undefined
  /** Set once the operation is on the wire: the request it shares. */
  group?: Group
}

interface Group {
  readonly controller: AbortController
  live: number
}

/**
 * The HTTP transport: collects the calls made in one tick, sends queries as GET batches (split by
 * `maxBatchSize` and `maxURLLength`) and mutations as POST batches, and settles each call from its
 * own entry of the reply.
 */
export class HttpLink {
  private queue: Operation[] = []
  private scheduled = false

  constructor(private readonly settings: HttpLinkSettings) {}

  call(kind: 'query' | 'mutation', path: string, input: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = () => this.abort(op, signal!.reason)
      const done = () => {
        op.settled = true
        signal?.removeEventListener('abort', onAbort)
      }
      const op: Operation = {
        kind,
        path,
        input,
        settled: false,
        resolve: (value) => {
          done()
          resolve(value)
        },
        reject: (error) => {
          done()
          reject(error)
        },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      if (!this.settings.batch) {
        void this.send([op])
        return
      }
      this.queue.push(op)
      if (!this.scheduled) {
        this.scheduled = true
        setTimeout(() => this.flush(), 0)
      }
    })
  }

  private abort(op: Operation, reason: unknown): void {
    if (op.settled) return
    op.reject(reason)
    const group = op.group
    // The request is cancelled only when no call is left waiting for it.
    if (group !== undefined && --group.live === 0) group.controller.abort(reason)
  }

  private flush(): void {
    this.scheduled = false
    const ops = this.queue.filter((op) => !op.settled)
    this.queue = []
    const queries = ops.filter((op) => op.kind === 'query')
    const mutations = ops.filter((op) => op.kind === 'mutation')
    if (queries.length > 0) void this.encode(queries).then(() => this.sendQueries(queries))
    for (let i = 0; i < mutations.length; i += this.settings.maxBatchSize) {
      void this.send(mutations.slice(i, i + this.settings.maxBatchSize))
    }
  }

  private async encode(ops: Operation[]): Promise<void> {
    const pending: Promise<void>[] = []
    for (const op of ops) {
      if (op.input === undefined) continue
      const encoded = this.settings.transformer.encode(op.input)
      if (encoded instanceof Promise) pending.push(encoded.then((value) => void (op.encoded = value)))
      else op.encoded = encoded
    }
    if (pending.length > 0) await Promise.all(pending)
  }

  /** Packs queries into GET requests under the URL limit; one too long for any URL goes by POST. */
  private sendQueries(ops: Operation[]): void {
    const { maxBatchSize, maxURLLength, url } = this.settings
    let group: Operation[] = []
    let length = 0
    for (const op of ops) {
      if (op.settled) continue
      if (singleQueryURL(url, op).length > maxURLLength) {
        void this.send([op], 'POST')
        continue
      }
      const cost = op.path.length + 1 + encodeURIComponent(JSON.stringify(envelope(op))).length + 3
      const base = url.length + 1 + '?input=%5B%5D'.length
      if (group.length > 0 && (group.length >= maxBatchSize || base + length + cost > maxURLLength)) {
        void this.send(group)
        group = []
        length = 0
      }
      group.push(op)
      length += cost
    }
    if (group.length > 0) void this.send(group)
  }

  private async send(ops: Operation[], forced?: 'POST'): Promise<void> {
    const live = ops.filter((op) => !op.settled)
    if (live.length === 0) return
    if (live.some((op) => op.encoded === undefined && op.input !== undefined)) await this.encode(live)
    const group: Group = { controller: new AbortController(), live: live.length }
    for (const op of live) op.group = group
    const method = forced ?? (live.every((op) => op.kind === 'query') ? 'GET' : 'POST')
    const { url, body } = this.request(live, method)
    let headers: HeaderRecord
    try {
      headers = await this.headers(method)
    } catch (error) {
      // The app's own headers function failed (no token, say): its error, as it is.
      for (const op of live) if (!op.settled) op.reject(error)
      return
    }
    try {
      const response = await this.settings.fetch(url, { method, headers, body, signal: group.controller.signal })
      const text = await response.text()
      const parsed = parseBody(text)
      if (live.length === 1) await this.settle(live[0]!, response.status, parsed, decodeInvalidateHeader(response.headers.get(INVALIDATE_HEADER)))
      else await this.settleBatch(live, response.status, parsed)
    } catch (error) {
      for (const op of live) {
        if (!op.settled) op.reject(new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: `Could not reach the server: ${describe(error)}` }, op.path, error))
      }
    }
  }

  private request(ops: Operation[], method: 'GET' | 'POST'): { url: string; body: string | undefined } {
    const base = this.settings.url
    if (ops.length === 1) {
      const op = ops[0]!
      if (method === 'GET') return { url: singleQueryURL(base, op), body: undefined }
      return { url: `${base}/${op.path}`, body: JSON.stringify(envelope(op)) }
    }
    const paths = ops.map((op) => op.path).join(',')
    const envelopes = JSON.stringify(ops.map(envelope))
    if (method === 'GET') return { url: `${base}/${paths}?input=${encodeURIComponent(envelopes)}`, body: undefined }
    return { url: `${base}/${paths}`, body: envelopes }
  }

  private async headers(method: 'GET' | 'POST'): Promise<HeaderRecord> {
    const option = this.settings.headers
    const custom = typeof option === 'function' ? await option() : option
    const headers: HeaderRecord = method === 'POST' ? { ...custom, 'content-type': 'application/json' } : { ...custom }
    const connection = this.settings.connectionId()
    if (connection !== undefined) headers['x-mizan-connection'] = connection
    return headers
  }

  private async settleBatch(ops: Operation[], status: number, body: unknown): Promise<void> {
    if (Array.isArray(body) && body.length === ops.length) {
      await Promise.all(ops.map((op, index) => this.settle(op, status, body[index], [])))
      return
    }
    for (const op of ops) this.fail(op, status, body)
  }

  private async settle(op: Operation, status: number, body: unknown, headerInvalidations: InvalidationWire[]): Promise<void> {
    const entry = typeof body === 'object' && body !== null ? (body as { data?: unknown; meta?: unknown; error?: ErrorShape; invalidate?: unknown }) : undefined
    const announced = Array.isArray(entry?.invalidate) ? (entry.invalidate as InvalidationWire[]) : headerInvalidations
    // Invalidations are announced before the call settles, so a caller that awaits the call
    // finds the cache already marked.
    if (announced.length > 0) this.settings.onInvalidate(await this.decodeInvalidations(announced), { path: op.path, input: op.input })
    if (op.settled) return
    if (entry === undefined || entry.error !== undefined || status >= 400) return this.fail(op, status, body)
    try {
      const data = this.settings.transformer.decode(entry.data, entry.meta)
      op.resolve(data instanceof Promise ? await data : data)
    } catch (error) {
      op.reject(new MizanClientError({ code: 'INTERNAL_SERVER_ERROR', status, message: 'The response could not be decoded' }, op.path, error))
    }
  }

  private fail(op: Operation, status: number, body: unknown): void {
    if (op.settled) return
    const shape = (body as { error?: ErrorShape } | undefined)?.error
    op.reject(shape !== undefined && typeof shape.code === 'string' ? errorFromShape(shape, op.path) : errorFromStatus(status || 500, op.path))
  }

  private async decodeInvalidations(list: InvalidationWire[]): Promise<ClientInvalidation[]> {
    return Promise.all(
      list.map(async ({ path, input, meta }) => {
        if (input === undefined) return { path }
        const value = this.settings.transformer.decode(input, meta)
        return { path, input: value instanceof Promise ? await value : value }
      }),
    )
  }
}

function envelope(op: Operation): { input?: unknown; meta?: unknown } {
  const encoded = op.encoded
  if (encoded === undefined) return {}
  return encoded.meta === undefined ? { input: encoded.json } : { input: encoded.json, meta: encoded.meta }
}

function singleQueryURL(base: string, op: Operation): string {
  const encoded = op.encoded
  if (encoded === undefined) return `${base}/${op.path}`
  const input = `${base}/${op.path}?input=${encodeURIComponent(JSON.stringify(encoded.json))}`
  return encoded.meta === undefined ? input : `${input}&meta=${encodeURIComponent(JSON.stringify(encoded.meta))}`
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

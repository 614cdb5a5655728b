import { INVALIDATE_HEADER, WEBSOCKET_HEADER, decodeInvalidateHeader, decodeWebSocketHeader, type InvalidationWire } from '@mizan/wire'
import { MizanClientError, encodeError, errorFromShape, errorFromStatus, parseRetryAfter } from './errors.js'
import { decodeErrorShape, decodeInvalidations, entryValue, parseBody, readEntry, undecodable, type ReplyEntry } from './reply.js'
import { ndjsonValues } from './ndjson.js'
import type { ClientTransformer } from './serializer.js'
import { settleFromLines } from './stream-reply.js'
import type { CallOptions } from './types.js'
import { ValueStream } from './value-stream.js'
import { envelopeText, writeInput, writeShape, type WireInput } from './wire-input.js'

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
  /** Bytes of one line of a streamed reply at most. */
  maxStreamLineBytes: number
  /**
   * Hears the paths a reply says the server also serves over its WebSocket (`x-mizan-websocket`);
   * `undefined` when the client will not open its socket for calls.
   */
  onWebSocketPaths?: ((paths: string[]) => void) | undefined
}

/** The type of a streamed reply: one JSON value per line. */
const NDJSON = 'application/x-ndjson'


interface Operation {
  readonly kind: 'query' | 'mutation'
  readonly path: string
  readonly input: unknown
  /** The shape the caller asked for (a selection or a name), `undefined` for the whole output. */
  readonly shape: unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  settled: boolean
  /** The stream the call resolved to, when the server streams its answer. */
  stream: ValueStream | undefined
  /** Done with its request: settled with a value or an error, or its stream closed. */
  left: boolean
  /** Stops hearing the call's signal. */
  readonly unlisten: () => void
  /** The input as JSON text, once written; a call whose input cannot be written fails alone. */
  wire?: WireInput | undefined
  /** Set once the operation is on the wire: the request it shares. */
  group?: Group
}

interface Group {
  readonly controller: AbortController
  /** Calls of the request not yet done with it. */
  live: number
}

/**
 * The HTTP transport: collects the calls made in one tick, sends queries as GET batches (split by
 * `maxBatchSize` and `maxURLLength`) and mutations as POST batches, and settles each call from its
 * own entry of the reply. Every call settles: an input that cannot be encoded, a failed request or
 * an unreadable reply fails the calls it concerns and no others, and nothing is left to reject
 * unhandled.
 */
export class HttpLink {
  private queue: Operation[] = []
  private scheduled = false

  constructor(private readonly settings: HttpLinkSettings) {}

  call(kind: 'query' | 'mutation', path: string, input: unknown, signal: AbortSignal | undefined, shape?: unknown): Promise<unknown> {
    return this.operation(kind, path, input, signal, shape, (op) => {
      if (!this.settings.batch) return this.run([op], (ops) => this.send(ops))
      this.queue.push(op)
      if (!this.scheduled) {
        this.scheduled = true
        setTimeout(() => this.flush(), 0)
      }
    })
  }

  /**
   * A call whose input holds files: a mutation goes alone, at once, as `multipart/form-data` (never
   * batched); a query fails alone (`BAD_REQUEST`, status 0, unsent), since files go with mutations.
   * Its reply is read like any single call's.
   */
  upload(kind: 'query' | 'mutation', path: string, input: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.operation(kind, path, input, options.signal, undefined, (op) => this.run([op], (ops) => this.send(ops, 'POST', options)))
  }

  /** Makes the operation of a call, wired to its signal, and hands it to `start`. */
  private operation(kind: 'query' | 'mutation', path: string, input: unknown, signal: AbortSignal | undefined, shape: unknown, start: (op: Operation) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = () => this.abort(op, signal!.reason)
      const op: Operation = {
        kind,
        path,
        input,
        shape,
        settled: false,
        stream: undefined,
        left: false,
        unlisten: () => signal?.removeEventListener('abort', onAbort),
        resolve: (value) => {
          op.settled = true
          // A stream keeps its call on the request (and hearing its signal) until it closes.
          if (op.stream === undefined || op.stream.closed) this.leave(op)
          resolve(value)
        },
        reject: (error) => {
          op.settled = true
          this.leave(op)
          reject(error)
        },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      start(op)
    })
  }

  /** The call's signal fired: its stream, or the call itself, stops with the signal's reason. */
  private abort(op: Operation, reason: unknown): void {
    if (op.stream !== undefined) return op.stream.cancel(reason)
    if (op.settled) return
    this.leave(op, { reason })
    op.reject(reason)
  }

  /**
   * The call is done with its request. When it stops it (`cancel`: its signal fired, or its
   * stream's reader stopped), the request is cancelled once no call is left waiting for it.
   */
  private leave(op: Operation, cancel?: { reason: unknown }): void {
    if (op.left) return
    op.left = true
    op.unlisten()
    const group = op.group
    if (group === undefined) return
    group.live--
    if (group.live === 0 && cancel !== undefined) group.controller.abort(cancel.reason)
  }

  /** The stream a call resolves to; its reader stopping stops the call. */
  private openStream(op: Operation): ValueStream {
    return (op.stream ??= new ValueStream((reason) => this.leave(op, { reason: reason ?? streamStopped() })))
  }

  private flush(): void {
    this.scheduled = false
    const ops = this.queue.filter((op) => !op.settled)
    this.queue = []
    const queries = ops.filter((op) => op.kind === 'query')
    const mutations = ops.filter((op) => op.kind === 'mutation')
    if (queries.length > 0) {
      this.run(queries, async (list) => {
        await this.prepare(list)
        this.sendQueries(list)
      })
    }
    for (let i = 0; i < mutations.length; i += this.settings.maxBatchSize) {
      this.run(mutations.slice(i, i + this.settings.maxBatchSize), (list) => this.send(list))
    }
  }

  /**
   * Runs one asynchronous step for some calls. The steps settle their calls themselves; should one
   * throw all the same, the calls it still holds fail with that error rather than wait forever.
   */
  private run(ops: Operation[], step: (ops: Operation[]) => Promise<void>): void {
    step(ops).catch((error: unknown) => {
      for (const op of ops) {
        if (!op.settled) op.reject(new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: `The call could not be sent: ${describe(error)}` }, op.path, error))
      }
    })
  }

  /** Writes each input (and shape) for the wire; one that cannot be written fails its call alone. */
  private async prepare(ops: Operation[]): Promise<void> {
    await Promise.all(
      ops.map(async (op) => {
        if (op.settled || op.wire !== undefined) return
        let shape: string | undefined
        if (op.shape !== undefined) {
          try {
            shape = writeShape(op.shape)
          } catch (error) {
            return op.reject(encodeError(op.path, error, 'shape'))
          }
        }
        try {
          const wire = await writeInput(this.settings.transformer, op.input)
          if (shape !== undefined) wire.shape = shape
          op.wire = wire
        } catch (error) {
          op.reject(encodeError(op.path, error))
        }
      }),
    )
  }

  /** Packs queries into GET requests under the URL limit; one too long for any URL goes by POST. */
  private sendQueries(ops: Operation[]): void {
    const { maxBatchSize, maxURLLength, url } = this.settings
    let group: Operation[] = []
    let length = 0
    for (const op of ops) {
      if (op.settled) continue
      if (singleQueryURL(url, op).length > maxURLLength) {
        this.run([op], (list) => this.send(list, 'POST'))
        continue
      }
      const cost = op.path.length + 1 + encodeURIComponent(envelopeText(wireOf(op))).length + 3
      const base = url.length + 1 + '?input=%5B%5D'.length
      if (group.length > 0 && (group.length >= maxBatchSize || base + length + cost > maxURLLength)) {
        this.run(group, (list) => this.send(list))
        group = []
        length = 0
      }
      group.push(op)
      length += cost
    }
    if (group.length > 0) this.run(group, (list) => this.send(list))
  }

  /**
   * Sends calls as one request and settles them from its reply. With `upload`, it is the multipart
   * request of one call whose input holds files.
   */
  private async send(ops: Operation[], forced?: 'POST', upload?: Pick<CallOptions, 'onUploadProgress'>): Promise<void> {
    let fetchImpl = this.settings.fetch
    let form: FormData | undefined
    if (upload !== undefined) {
      // The upload code loads with the first upload (a bundler splits it off).
      const { splitFiles, uploadBody, uploadFetch } = await import('./upload.js')
      const op = ops[0]!
      try {
        const { rest, files } = splitFiles(op.kind, op.input)
        form = uploadBody(await writeInput(this.settings.transformer, rest), files)
      } catch (error) {
        // An input that cannot be written (a cycle, a BigInt under plain JSON) fails alone, unsent.
        return op.reject(encodeError(op.path, error))
      }
      fetchImpl = uploadFetch(fetchImpl, form, upload.onUploadProgress)
    } else if (ops.some((op) => !op.settled && op.wire === undefined)) {
      // Queries were written before they were packed; mutations are written here.
      await this.prepare(ops)
    }
    const live = ops.filter((op) => !op.settled)
    if (live.length === 0) return
    const group: Group = { controller: new AbortController(), live: live.length }
    for (const op of live) op.group = group
    const method = forced ?? (live.every((op) => op.kind === 'query') ? 'GET' : 'POST')
    const { url, body } = form === undefined ? this.request(live, method) : { url: `${this.settings.url}/${live[0]!.path}`, body: form }
    let headers: HeaderRecord
    try {
      // An upload's own headers are set by its transport (see `uploadFetch`).
      headers = form === undefined ? await this.headers(method) : await this.headers('GET', false)
    } catch (error) {
      // The app's own headers function failed (no token, say): its error, as it is.
      for (const op of live) if (!op.settled) op.reject(error)
      return
    }
    let response: Response
    let text = ''
    let blob: Blob | undefined
    let streamed = false
    try {
      response = await fetchImpl(url, { method, headers, body, signal: group.controller.signal })
      streamed = isStreamed(response)
      // A single call's 2xx answer that is not JSON is a file the procedure returned: read as bytes.
      if (streamed) {
        // Read line by line below, as the lines arrive.
      } else if (live.length === 1 && isBinary(response)) blob = await response.blob()
      else text = await response.text()
    } catch (error) {
      for (const op of live) {
        if (!op.settled) op.reject(new MizanClientError({ code: 'NETWORK_ERROR', status: 0, message: `Could not reach the server: ${describe(error)}` }, op.path, error))
      }
      return
    }
    const onWebSocketPaths = this.settings.onWebSocketPaths
    if (onWebSocketPaths !== undefined) {
      const paths = decodeWebSocketHeader(header(response, WEBSOCKET_HEADER))
      if (paths.length > 0) onWebSocketPaths(paths)
    }
    const reply: Reply = {
      status: typeof response.status === 'number' ? response.status : 0,
      statusText: typeof response.statusText === 'string' ? response.statusText : '',
      retryAfter: parseRetryAfter(header(response, 'retry-after')),
    }
    if (streamed) return this.readStreamed(live, reply, response.body)
    // The file's bytes and Content-Disposition settle as a file entry does (see `entryValue`).
    const parsed = blob === undefined ? parseBody(text) : { data: blob, blob: header(response, 'content-disposition') }
    if (live.length === 1) await this.settle(live[0]!, reply, parsed, decodeInvalidateHeader(header(response, INVALIDATE_HEADER)))
    else await this.settleBatch(live, reply, parsed)
  }

  /** Settles calls from a streamed reply, line by line (see `settleFromLines`). */
  private readStreamed(ops: Operation[], reply: Reply, body: ReadableStream<Uint8Array> | null): Promise<void> {
    const { transformer, onInvalidate, maxStreamLineBytes } = this.settings
    const lines = body === null ? noLines() : ndjsonValues(body, maxStreamLineBytes)
    const calls = ops.map((op) => ({
      path: op.path,
      input: op.input,
      get settled() {
        return op.settled
      },
      get stream() {
        return op.stream
      },
      resolve: op.resolve,
      reject: op.reject,
      openStream: () => this.openStream(op),
      ended: () => this.leave(op),
    }))
    return settleFromLines(lines, calls, { transformer, onInvalidate, status: reply.status })
  }

  private request(ops: Operation[], method: 'GET' | 'POST'): { url: string; body: string | undefined } {
    const base = this.settings.url
    if (ops.length === 1) {
      const op = ops[0]!
      if (method === 'GET') return { url: singleQueryURL(base, op), body: undefined }
      return { url: `${base}/${op.path}`, body: envelopeText(wireOf(op)) }
    }
    const paths = ops.map((op) => op.path).join(',')
    const envelopes = `[${ops.map((op) => envelopeText(wireOf(op))).join(',')}]`
    if (method === 'GET') return { url: `${base}/${paths}?input=${encodeURIComponent(envelopes)}`, body: undefined }
    return { url: `${base}/${paths}`, body: envelopes }
  }

  /**
   * The headers of a request. `lines`: say the reply may be lines (`accept: application/x-ndjson`),
   * so that a batch is answered call by call as each ends; an upload, alone and read whole, does not.
   */
  private async headers(method: 'GET' | 'POST', lines = true): Promise<HeaderRecord> {
    const option = this.settings.headers
    const custom = typeof option === 'function' ? await option() : option
    const headers: HeaderRecord = method === 'POST' ? { ...custom, 'content-type': 'application/json' } : { ...custom }
    if (lines) headers.accept = NDJSON
    const connection = this.settings.connectionId()
    if (connection !== undefined) headers['x-mizan-connection'] = connection
    return headers
  }

  /**
   * Settles a batch from its array, one entry per call in order. A reply of another shape (one
   * error for the whole request, a proxy's page, an array of the wrong length) fails every call
   * with what it says; the response's `Retry-After` then concerns them all.
   */
  private async settleBatch(ops: Operation[], reply: Reply, body: unknown): Promise<void> {
    if (Array.isArray(body) && body.length === ops.length) {
      // The response's Retry-After is not any one entry's: entries carry their own in data.retryAfter.
      const entryReply = { ...reply, retryAfter: undefined }
      await Promise.all(ops.map((op, index) => this.settle(op, entryReply, body[index], [])))
      return
    }
    await Promise.all(ops.map((op) => this.fail(op, reply, readEntry(body))))
  }

  private async settle(op: Operation, reply: Reply, body: unknown, headerInvalidations: InvalidationWire[]): Promise<void> {
    const entry = readEntry(body)
    const announced = entry?.invalidate ?? headerInvalidations
    // Invalidations are announced before the call settles, so a caller that awaits the call
    // finds the cache already marked.
    if (announced.length > 0) this.settings.onInvalidate(await decodeInvalidations(this.settings.transformer, announced), { path: op.path, input: op.input })
    if (op.settled) return
    if (entry === undefined || entry.failed || reply.status >= 400) return this.fail(op, reply, entry)
    try {
      op.resolve(await entryValue(this.settings.transformer, entry))
    } catch (error) {
      op.reject(undecodable(op.path, reply.status, error))
    }
  }

  private async fail(op: Operation, reply: Reply, entry: ReplyEntry | undefined): Promise<void> {
    if (op.settled) return
    const shape = entry?.error === undefined ? undefined : await decodeErrorShape(this.settings.transformer, entry.error)
    const { status, statusText, retryAfter } = reply
    op.reject(shape !== undefined ? errorFromShape(shape, op.path, status, retryAfter) : errorFromStatus(status || 500, op.path, retryAfter, statusText))
  }
}

/** What a response said besides its body. */
interface Reply {
  status: number
  statusText: string
  /** `Retry-After` in seconds; it concerns every call the response answers as a whole. */
  retryAfter: number | undefined
}

/** A 2xx answer of newline-delimited JSON: streamed values, or a batch's entries as they come. */
function isStreamed(response: Response): boolean {
  const type = header(response, 'content-type')
  return response.status >= 200 && response.status < 300 && type !== null && type.split(';')[0]!.trim().toLowerCase() === NDJSON
}

/** The error a stopped stream's request is cancelled with (nobody hears it: no call is left). */
function streamStopped(): unknown {
  return new DOMException('The stream was stopped', 'AbortError')
}

async function* noLines(): AsyncGenerator<unknown, void, undefined> {}

/** A 2xx answer whose `Content-Type` is set and is not JSON: the bytes of a file. */
function isBinary(response: Response): boolean {
  const type = header(response, 'content-type')
  return response.status >= 200 && response.status < 300 && type !== null && type.split(';')[0]!.trim().toLowerCase() !== 'application/json'
}

function wireOf(op: Operation): WireInput {
  return op.wire ?? { json: undefined, meta: undefined }
}

/** `{base}/{path}?input=…&meta=…&shape=…`, each parameter only when the call has it. */
function singleQueryURL(base: string, op: Operation): string {
  const { json, meta, shape } = wireOf(op)
  const shaped = shape === undefined ? '' : `${json === undefined ? '?' : '&'}shape=${encodeURIComponent(shape)}`
  if (json === undefined) return `${base}/${op.path}${shaped}`
  const input = `${base}/${op.path}?input=${encodeURIComponent(json)}`
  return (meta === undefined ? input : `${input}&meta=${encodeURIComponent(meta)}`) + shaped
}

/** A response header, or `null`; a response without headers (a broken fetch) has none. */
function header(response: Response, name: string): string | null {
  return typeof response.headers?.get === 'function' ? response.headers.get(name) : null
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

import { WEBSOCKET_HEADER, encodeWebSocketHeader } from '@mizan/wire'
import type { CallResult } from '../dispatch.js'
import { MizanError, toErrorShape } from '../errors.js'
import { resultText } from '../result-wire.js'
import { CallStream } from '../streams/call-stream.js'
import { StreamLines } from '../streams/line-body.js'
import { LineQueue } from '../streams/line-queue.js'
import { joinLine, lineOpening, NDJSON_TYPE } from '../streams/lines.js'
import type { HttpExchange, HttpReply } from './exchange.js'
import {
  addResponseHeaders,
  createContext,
  envelopeValue,
  JSON_TYPE,
  lineSettings,
  readJsonBody,
  resolve,
  shapeOf,
  type HttpSettings,
} from './handle.js'
import { isMultipart } from './upload-reply.js'

// The batch branch of the protocol: several calls in one request, answered as a JSON array of
// entries, or line by line in completion order to a client that accepts `application/x-ndjson`
// (streamed calls included). Every call goes through the same dispatch as a single one.

/** A batch (`{path1},{path2}` or `?batch`): see docs/protocol.md, Batches and Streamed results. */
export async function batchReply(
  exchange: HttpExchange,
  settings: HttpSettings,
  paths: string[],
  params: URLSearchParams | undefined,
): Promise<HttpReply> {
  if (paths.length > settings.limits.maxBatchSize) {
    throw new MizanError('BAD_REQUEST', `A batch holds at most ${settings.limits.maxBatchSize} calls`)
  }
  let envelopes: unknown
  if (exchange.method === 'POST') {
    if (isMultipart(exchange.header('content-type'))) throw new MizanError('BAD_REQUEST', 'Files go in a single call, never in a batch')
    envelopes = (await readJsonBody(exchange, settings, 2)) ?? []
  }
  else {
    const text = params?.get('input')
    envelopes = text == null ? [] : settings.decoder.parse(text, 2, 'input')
  }
  if (!Array.isArray(envelopes)) throw new MizanError('BAD_REQUEST', 'A batch input must be a JSON array, one element per call')
  const ctx = await createContext(exchange, settings, paths.join(','))
  // The calls' paths the socket serves, for the reply's header: noted as each call resolves its
  // procedure (before its first await, so all are known before any reply is written).
  let onSocket: Set<string> | undefined
  /** Runs call `index` up to its result; a failure before the call ran is its error. */
  const run = async (path: string, index: number): Promise<CallResult> => {
    try {
      const proc = resolve(settings.dispatcher, path, exchange.method)
      if (proc.websocket) (onSocket ??= new Set()).add(path)
      const envelope = envelopes[index]
      const decoded = envelope == null ? undefined : envelopeValue(envelope, settings.decoder, `input[${index}]`)
      return await settings.dispatcher.call(proc, ctx, decoded instanceof Promise ? await decoded : decoded, exchange, envelope == null ? undefined : shapeOf(envelope))
    } catch (error) {
      return { ok: false, error, invalidations: [] }
    }
  }
  if (acceptsLines(exchange.header('accept'))) return batchLines(exchange, settings, paths, ctx, run, () => onSocket)
  const results = await Promise.all(
    paths.map(async (path, index): Promise<string> => {
      let result = await run(path, index)
      if (result.ok && result.data instanceof CallStream) {
        void result.data.return()
        result = { ok: false, error: new MizanError('BAD_REQUEST', `"${path}" streams: send accept: ${NDJSON_TYPE}`), invalidations: [] }
      }
      return entryText(result, settings, lineSettings(settings, path, ctx).report)
    }),
  )
  // The same GET batch is an array or lines by its `Accept`: a shared cache must tell them apart.
  const headers: Record<string, string | string[]> = { 'content-type': JSON_TYPE, vary: 'Accept' }
  if (exchange.method === 'POST') headers['cache-control'] = 'no-store'
  if (onSocket !== undefined) headers[WEBSOCKET_HEADER] = encodeWebSocketHeader(onSocket)
  addResponseHeaders(headers, exchange.resHeaders)
  return { status: 200, headers, body: `[${results.join(',')}]` }
}

/** The JSON text of a plain call's entry; a value the transformer cannot write becomes the entry's error. */
async function entryText(result: CallResult, settings: HttpSettings, report: (error: unknown) => void): Promise<string> {
  try {
    return await resultText(result, settings.transformer, settings.isDev, report)
  } catch (error) {
    return JSON.stringify({ error: toErrorShape(error, settings.isDev) })
  }
}

/** True when a request's `Accept` lists the line-delimited type: the client reads a batch as it completes. */
function acceptsLines(accept: string | undefined): boolean {
  return accept !== undefined && accept.toLowerCase().includes(NDJSON_TYPE)
}

/**
 * A batch answered line by line in completion order (see docs/protocol.md, Streamed results): each
 * line carries its call's index `i`; a plain call is one line, a stream its values then its end.
 * The head goes with the first line, with the headers set by then (those a call adds later are not sent).
 */
async function batchLines(
  exchange: HttpExchange,
  settings: HttpSettings,
  paths: string[],
  ctx: unknown,
  run: (path: string, index: number) => Promise<CallResult>,
  onSocket: () => Set<string> | undefined,
): Promise<HttpReply> {
  const queue = new LineQueue(paths.length)
  const entry = async (path: string, index: number): Promise<void> => {
    const opening = lineOpening(index)
    const lines = lineSettings(settings, path, ctx)
    const result = await run(path, index)
    if (!(result.ok && result.data instanceof CallStream)) return queue.push(joinLine(opening, await entryText(result, settings, lines.report)))
    const stream = result.data
    if (queue.stopped) return void (await stream.return())
    const source = new StreamLines(stream, opening, lines)
    const forget = queue.onCancel(() => source.cancel())
    try {
      for (let line = await source.next(); line !== undefined && !queue.stopped; line = await source.next()) await queue.push(line)
    } finally {
      forget()
    }
  }
  paths.forEach((path, index) => {
    entry(path, index)
      .catch((error: unknown) => settings.dispatcher.onError({ error, path, ctx }))
      .finally(() => queue.finish())
  })
  await queue.ready
  const headers: Record<string, string | string[]> = { 'content-type': NDJSON_TYPE, 'cache-control': 'no-store' }
  const socketPaths = onSocket()
  if (socketPaths !== undefined) headers[WEBSOCKET_HEADER] = encodeWebSocketHeader(socketPaths)
  addResponseHeaders(headers, exchange.resHeaders)
  return { status: 200, headers, body: queue }
}


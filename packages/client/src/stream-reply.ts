import { MizanClientError, errorFromShape } from './errors.js'
import type { ClientInvalidation, InvalidationSource } from './http-link.js'
import { NdjsonError } from './ndjson.js'
import { decodeErrorShape, decodeInvalidations, entryValue, NOT_A_REPLY, notAReply, readEntry, undecodable } from './reply.js'
import type { ClientTransformer } from './serializer.js'
import type { ValueStream } from './value-stream.js'

/**
 * Settling calls from a streamed (`application/x-ndjson`) reply. A single call's reply is its
 * stream: `{"yield":…}` lines, then `{"done":true,…}` or `{"error":…}`. A batch's reply holds every
 * call's lines, each with `"i"`, the call's index, in the order the calls got there: a plain call
 * is one line (an entry as in a JSON batch), a streamed one its `yield` lines then its end. Lines
 * come off the network: each is checked, and a line that breaks the protocol fails the calls still
 * open, never more.
 */

/** A call of the request, as the reply reader sees it. */
export interface StreamCall {
  readonly path: string
  readonly input: unknown
  /** The call's promise has settled (with a value, a stream or an error). */
  readonly settled: boolean
  /** The stream the call resolved to, once it did. */
  readonly stream: ValueStream | undefined
  resolve(value: unknown): void
  reject(error: unknown): void
  /** Makes the stream the call resolves to, wired to stop the request when its reader stops. */
  openStream(): ValueStream
  /** The server ended the call's stream: it no longer holds the request open. */
  ended(): void
}

/** What the reader needs of the link. */
export interface StreamReplySettings {
  transformer: ClientTransformer
  onInvalidate: (invalidations: ClientInvalidation[], source: InvalidationSource) => void
  /** The response's status (200). */
  status: number
}

/** A line, as far as it concerns the protocol. */
type Line = Record<string, unknown>

/** A line that breaks the protocol (of another shape, an index out of range): the calls still open fail. */
class ProtocolBreak extends Error {}

/**
 * Reads `lines` (the reply's JSON values, one per line) and settles `calls` from them. A single
 * call resolves to its stream at once (the head has arrived) and reads one line per value its
 * caller takes: a slow reader holds back the body, not memory. A batch settles each call as its
 * lines arrive. Whatever is still open when the lines end, or fail, fails with the reason.
 * Never rejects.
 */
export async function settleFromLines(lines: AsyncIterable<unknown>, calls: readonly StreamCall[], settings: StreamReplySettings): Promise<void> {
  const single = calls.length === 1
  if (single && !calls[0]!.settled) calls[0]!.resolve(calls[0]!.openStream())
  let message = 'The stream was cut off'
  let cause: unknown
  try {
    for await (const value of lines) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolBreak()
      const line = value as Line
      let call: StreamCall
      if (single) call = calls[0]!
      else {
        const index = line.i
        if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= calls.length) throw new ProtocolBreak()
        call = calls[index]!
      }
      await readLine(call, line, single, settings)
      // Every call has what it needs: the rest of the body (there should be none) is not read.
      if (calls.every(finished)) return
    }
  } catch (error) {
    if (error instanceof ProtocolBreak) message = NOT_A_REPLY
    // An overlong or non-JSON line says so; a body that broke off is a cut, its cause kept.
    else if (error instanceof NdjsonError && error.problem !== 'cut') message = error.message
    else if (!(error instanceof NdjsonError)) cause = error
  }
  for (const call of calls) if (!finished(call)) failCall(call, streamError(call, settings, message, cause))
}

/** A call that needs nothing more from the reply: settled, and its stream (if any) closed. */
function finished(call: StreamCall): boolean {
  return call.settled && (call.stream === undefined || call.stream.closed)
}

async function readLine(call: StreamCall, line: Line, single: boolean, settings: StreamReplySettings): Promise<void> {
  if (Object.hasOwn(line, 'yield')) {
    // A value for a call that already settled otherwise, or whose reader stopped, is dropped.
    if (finished(call)) return
    let value: unknown
    try {
      value = await settings.transformer.decode(line.yield, line.meta)
    } catch (error) {
      return failCall(call, undecodable(call.path, settings.status, error))
    }
    if (!call.settled) call.resolve(call.openStream())
    const stream = call.stream!
    stream.push(value)
    // A single call reads its next line once its reader took this value (batches cannot wait:
    // one slow reader would hold back every call of the request).
    if (single) await stream.drained()
    return
  }
  const isEnd = line.done === true
  // In a single call's reply, a line is a value or an end; anything else breaks the protocol.
  if (single && !isEnd && line.error === undefined) throw new ProtocolBreak()
  const entry = readEntry(line)!
  // Announced before the call settles, as for any call: whoever awaits it finds the cache marked.
  if (entry.invalidate !== undefined && entry.invalidate.length > 0) {
    settings.onInvalidate(await decodeInvalidations(settings.transformer, entry.invalidate), { path: call.path, input: call.input })
  }
  if (finished(call)) return
  if (entry.failed) {
    if (entry.error === undefined) return failCall(call, notAReply(call.path, settings.status))
    return failCall(call, errorFromShape(await decodeErrorShape(settings.transformer, entry.error), call.path, settings.status))
  }
  // A plain entry for a call whose stream is open breaks the protocol.
  if (!isEnd && call.stream !== undefined) return failCall(call, notAReply(call.path, settings.status))
  let value: unknown
  try {
    value = await entryValue(settings.transformer, entry)
  } catch (error) {
    return failCall(call, undecodable(call.path, settings.status, error))
  }
  if (!isEnd) return call.resolve(value)
  // The end, with the stream's return value (a stream that yielded nothing resolves to an ended one).
  if (!call.settled) call.resolve(call.openStream())
  call.stream!.end(value)
  call.ended()
}

/** Fails a call: its stream when it has one, else its promise. */
function failCall(call: StreamCall, error: MizanClientError): void {
  if (call.stream !== undefined) {
    call.stream.fail(error)
    call.ended()
  } else if (!call.settled) call.reject(error)
}

function streamError(call: StreamCall, settings: StreamReplySettings, message: string, cause?: unknown): MizanClientError {
  return new MizanClientError({ code: 'INTERNAL_SERVER_ERROR', status: settings.status, message }, call.path, cause)
}

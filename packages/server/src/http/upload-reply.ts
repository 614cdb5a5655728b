import type { HttpExchange, HttpReply } from './exchange.js'
import { MizanError } from '../errors.js'
import { describeBytes } from '../files/limits.js'
import { maxUploadBody } from '../files/multipart.js'
import { readUpload } from '../files/upload.js'
import { createContext, errorReply, JSON_TYPE, resolve, singleResult, type HttpSettings } from './handle.js'

// The multipart branch of the protocol: an upload is checked, streamed into a call's raw input,
// then dispatched as any call. Bundled with the rest (not split off): a lazy chunk would share
// modules with the server through a third file every start would load; busboy, the part that
// costs, loads with the first upload.

/** `multipart/form-data`, whatever its parameters and case. */
export function isMultipart(type: string | undefined): type is string {
  if (type === undefined) return false
  const semi = type.indexOf(';')
  return (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase() === 'multipart/form-data'
}

/** The header an upload must carry: a cross-site form cannot send it without a CORS preflight. */
export const UPLOAD_HEADER = 'x-mizan-upload'

/**
 * A single call whose body is `multipart/form-data` (see docs/protocol.md): checked before a byte
 * is read (header, procedure, size, context, auth), then streamed into the call's raw input, then
 * the same dispatch as any call. Temporary files go once the call has settled. A refusal while
 * the body still arrives closes the connection rather than read the rest.
 */
export async function uploadReply(exchange: HttpExchange, settings: HttpSettings, path: string): Promise<HttpReply> {
  try {
    return await readAndCall(exchange, settings, path)
  } catch (error) {
    const reply = errorReply(error, settings.isDev)
    if (!exchange.bodyConsumed()) {
      exchange.abandonBody()
      reply.headers['connection'] = 'close'
    }
    return reply
  }
}

async function readAndCall(exchange: HttpExchange, settings: HttpSettings, path: string): Promise<HttpReply> {
  const proc = resolve(settings.dispatcher, path, exchange.method)
  if (exchange.header(UPLOAD_HEADER) !== '1') throw new MizanError('BAD_REQUEST', `An upload needs the header ${UPLOAD_HEADER}: 1`)
  const plan = settings.uploads?.plans.get(proc.path)
  if (plan === undefined || settings.uploads === undefined) {
    const why = proc.kind === 'query' ? `"${proc.path}" is a query, and files go with mutations` : `"${proc.path}" takes no files`
    throw new MizanError('UNSUPPORTED_MEDIA_TYPE', `${why}: send JSON with content-type: ${JSON_TYPE}`)
  }
  const bounds = { limits: plan.limits, maxFieldSize: settings.limits.maxBodySize }
  const length = exchange.header('content-length')
  if (length !== undefined && Number(length) > maxUploadBody(bounds)) throw new MizanError('PAYLOAD_TOO_LARGE', `The upload exceeds ${describeBytes(maxUploadBody(bounds))}`)
  const ctx = await createContext(exchange, settings, proc.path)
  // Auth needs only the context: an upload the call would refuse is refused before its files are
  // read. Middlewares may change the context auth sees, so with them auth waits for the dispatch.
  if (proc.auth !== undefined && proc.def.middlewares.length === 0) {
    try {
      await proc.auth(ctx)
    } catch (error) {
      settings.dispatcher.onError({ error, path: proc.path, ctx })
      throw error
    }
  }
  const body = await exchange.bodyStream()
  if (body === undefined) throw new MizanError('BAD_REQUEST', 'The upload has no body, or it was read already')
  const upload = await readUpload(body, exchange.header('content-type')!, plan, { options: settings.uploads.options, decoder: settings.decoder, maxFieldSize: settings.limits.maxBodySize })
  try {
    const result = await settings.dispatcher.call(proc, ctx, upload.input, exchange)
    return await singleResult(exchange, proc, result, settings)
  } finally {
    await upload.spool.cleanup()
  }
}

import type { Readable } from 'node:stream'
import { MizanError } from '../errors.js'
import type { InputDecoder } from '../input/decoder.js'
import type { ResolvedUploadOptions } from './limits.js'
import { readMultipart } from './multipart.js'
import { placeFiles } from './place.js'
import type { UploadPlan } from './plan.js'
import { Spool } from './spool.js'

/** What reading an upload needs of the server. */
export interface UploadContext {
  readonly options: ResolvedUploadOptions
  readonly decoder: InputDecoder
  /** The server's `maxBodySize`: the bound of the `input` and `meta` fields each. */
  readonly maxFieldSize: number
}

/** An upload read whole: the call's raw input (files in place) and the spool to clean once the call settles. */
export interface ReadUpload {
  readonly input: unknown
  readonly spool: Spool
}

/**
 * Reads a multipart body into a call's raw input: the `input` and `meta` fields decoded like any
 * input (the same bounds, the same superjson rules), then each file put at its place. Everything
 * after this is the one request path every call takes. On a refusal, the temporary files are gone
 * before this rejects.
 */
export async function readUpload(body: Readable, contentType: string, plan: UploadPlan, context: UploadContext): Promise<ReadUpload> {
  const spool = new Spool(context.options.tempDir, context.options.memoryThreshold)
  try {
    const parts = await readMultipart(body, { contentType, limits: plan.limits, maxFieldSize: context.maxFieldSize, idleTimeout: context.options.idleTimeout, slots: plan.slots }, spool)
    const { decoder } = context
    const json = parts.input === undefined ? undefined : decoder.parse(parts.input, 0, 'input')
    const meta = parts.meta === undefined ? undefined : decoder.parse(parts.meta, 0, 'meta')
    const value = await decoder.value(json, meta)
    return { input: placeFiles(value, parts.files), spool }
  } catch (error) {
    await spool.cleanup()
    throw error instanceof MizanError ? error : new MizanError('BAD_REQUEST', 'The upload could not be read', { cause: error })
  }
}

import type { Readable } from 'node:stream'
import { MizanError } from '../errors.js'
import { safeFilename } from './filename.js'
import { describeBytes, typeAllowed, type ResolvedFileLimits } from './limits.js'
import type { PlacedFile } from './place.js'
import { slotPath, type FileSlot } from './slots.js'
import { WRITE_BUFFER, type Spool } from './spool.js'

type BusboyFactory = (typeof import('busboy'))
type BusboyParser = ReturnType<BusboyFactory>

let loading: Promise<BusboyFactory> | undefined

/** busboy, imported with the first multipart request: a server that takes no upload never loads it. */
function loadBusboy(): Promise<BusboyFactory> {
  return (loading ??= import('busboy').then(
    (module) => ((module as { default?: BusboyFactory }).default ?? module) as BusboyFactory,
    (error: unknown) => {
      // A failed import fails the uploads that needed it; the next one tries again.
      loading = undefined
      throw error
    },
  ))
}

/** What the multipart reader enforces for one call. */
export interface MultipartOptions {
  /** The request's Content-Type, with its boundary. */
  readonly contentType: string
  readonly limits: ResolvedFileLimits
  /** Bytes of the `input` and `meta` fields each: the server's `maxBodySize`. */
  readonly maxFieldSize: number
  /** Milliseconds without a byte before the upload is refused. */
  readonly idleTimeout: number
  /** Where the procedure's input takes files. */
  readonly slots: FileSlot
}

/** The parts of an upload: the two text fields, and the files with their place in the input. */
export interface MultipartParts {
  readonly input: string | undefined
  readonly meta: string | undefined
  readonly files: readonly PlacedFile[]
}

/** Bytes a part's headers and boundary may take (busboy refuses headers over 16 KiB). */
const PART_OVERHEAD = 16 * 1024 + 256
/** How far raw bytes may run ahead of the file bytes counted from them (stream buffers). */
const READ_AHEAD = 512 * 1024

/**
 * Bytes of a body that are not file contents (fields, part headers, boundaries) an upload may send:
 * past this the body is refused even while a field is still arriving, so a 100 MB field is cut off
 * after a few megabytes rather than read whole.
 */
export function nonFileBudget(options: Pick<MultipartOptions, 'limits' | 'maxFieldSize'>): number {
  return 2 * (options.maxFieldSize + 1) + (options.limits.maxFiles + 3) * PART_OVERHEAD + READ_AHEAD
}

/** The largest body an upload may have, for a refusal by `Content-Length` before anything is read. */
export function maxUploadBody(options: Pick<MultipartOptions, 'limits' | 'maxFieldSize'>): number {
  return options.limits.maxTotalSize + nonFileBudget(options)
}

/**
 * Streams a multipart body through busboy, enforcing every limit as bytes arrive: a refusal stops
 * reading at once (the rest of the body is never read), and the parts read so far are dropped.
 * Rejects with a `MizanError` (400, 408, 413, 415); the spool's files are the caller's to clean up.
 */
export async function readMultipart(body: Readable, options: MultipartOptions, spool: Spool): Promise<MultipartParts> {
  const busboy = await loadBusboy()
  const { limits } = options
  let parser: BusboyParser
  try {
    parser = busboy({
      headers: { 'content-type': options.contentType },
      // The raw name, reduced by safeFilename: one rule for every name, whatever busboy keeps.
      preservePath: true,
      // A file part's own buffer, as large as the spool's write buffer: neither waits on the other
      // every 64 KiB (see WRITE_BUFFER).
      fileHwm: WRITE_BUFFER,
      defParamCharset: 'utf8',
      limits: {
        // busboy reports a limit when a value reaches it: one more byte tells "over" from "exactly".
        fieldSize: options.maxFieldSize + 1,
        fileSize: limits.maxFileSize + 1,
        fields: 2,
        files: limits.maxFiles,
        parts: limits.maxFiles + 3,
      },
    })
  } catch (error) {
    const message = error instanceof Error && /boundary/i.test(error.message) ? 'The multipart body has no boundary' : 'Malformed multipart content type'
    throw new MizanError('BAD_REQUEST', message)
  }
  return new Promise<MultipartParts>((resolve, reject) => {
    const budget = nonFileBudget(options)
    const files: PlacedFile[] = []
    const taking: Promise<unknown>[] = []
    const names = new Set<string>()
    const fields: { input?: string; meta?: string } = {}
    let rawBytes = 0
    let fileBytes = 0
    let settled = false

    const fail = (error: MizanError): void => {
      if (settled) return
      settled = true
      stop()
      // Not at once: busboy may be inside its own write, still touching the part it reported on.
      // The files being read stop with the parser; the caller waits for them in spool.cleanup().
      queueMicrotask(() => parser.destroy())
      reject(error)
    }
    const stop = (): void => {
      clearTimeout(idle)
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onError)
      body.off('close', onClose)
      body.unpipe(parser)
      body.pause()
    }
    const idle = setTimeout(() => fail(new MizanError('TIMEOUT', `The upload sent nothing for ${options.idleTimeout} ms`)), options.idleTimeout)
    const onData = (chunk: Buffer): void => {
      idle.refresh()
      rawBytes += chunk.length
      if (rawBytes - fileBytes > budget) fail(new MizanError('PAYLOAD_TOO_LARGE', `The multipart fields exceed ${describeBytes(options.maxFieldSize)}`))
    }
    let ended = false
    const onEnd = (): void => {
      ended = true
    }
    const onError = (): void => fail(new MizanError('BAD_REQUEST', 'The upload was cut off'))
    const onClose = (): void => {
      if (!ended) fail(new MizanError('BAD_REQUEST', 'The upload was cut off'))
    }

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new MizanError('PAYLOAD_TOO_LARGE', `The ${name === 'meta' ? 'meta' : 'input'} field exceeds ${describeBytes(options.maxFieldSize)}`))
      if (name !== 'input' && name !== 'meta') return fail(new MizanError('BAD_REQUEST', `Unknown multipart field ${JSON.stringify(name.slice(0, 100))}: send input, meta and file parts`))
      if (fields[name] !== undefined) return fail(new MizanError('BAD_REQUEST', `The ${name} field is sent once`))
      fields[name] = value
    })
    parser.on('file', (name, stream, info) => {
      // A part left unread is destroyed with the parser; its error is the refusal already given.
      stream.on('error', () => {})
      if (settled) return void stream.resume()
      let steps
      try {
        steps = slotPath(name, options.slots, limits.maxFiles)
      } catch (error) {
        return fail(error as MizanError)
      }
      if (names.has(name)) return fail(new MizanError('BAD_REQUEST', `Two file parts are named ${JSON.stringify(name.slice(0, 200))}`))
      names.add(name)
      if (!typeAllowed(info.mimeType, limits.types)) {
        return fail(new MizanError('UNSUPPORTED_MEDIA_TYPE', `Files of type ${JSON.stringify(info.mimeType.slice(0, 100))} are not accepted here`))
      }
      const filename = safeFilename(info.filename)
      stream.once('limit', () => fail(new MizanError('PAYLOAD_TOO_LARGE', `“${filename}” is too large: a file may be ${describeBytes(limits.maxFileSize)} at most`)))
      const count = (bytes: number): void => {
        fileBytes += bytes
        if (fileBytes > limits.maxTotalSize) {
          const error = new MizanError('PAYLOAD_TOO_LARGE', `The files are too large together: ${describeBytes(limits.maxTotalSize)} at most`)
          fail(error)
          throw error
        }
      }
      const file = spool.take(stream, filename, info.mimeType, count).then(
        (taken) => void files.push({ steps, file: taken }),
        (error: unknown) => fail(error instanceof MizanError ? error : new MizanError('BAD_REQUEST', 'The upload was cut off', { cause: error })),
      )
      taking.push(file)
    })
    parser.on('filesLimit', () => fail(new MizanError('PAYLOAD_TOO_LARGE', `At most ${limits.maxFiles} files may be sent in one call`)))
    parser.on('partsLimit', () => fail(new MizanError('PAYLOAD_TOO_LARGE', `A multipart body holds at most ${limits.maxFiles + 2} parts`)))
    parser.on('fieldsLimit', () => fail(new MizanError('BAD_REQUEST', 'A multipart body holds at most two fields: input and meta')))
    parser.on('error', () => fail(new MizanError('BAD_REQUEST', 'Malformed multipart body')))
    parser.on('close', () => {
      void Promise.all(taking).then(() => {
        if (settled) return
        settled = true
        stop()
        resolve({ input: fields.input, meta: fields.meta, files })
      })
    })

    body.on('data', onData)
    body.on('end', onEnd)
    body.on('error', onError)
    body.on('close', onClose)
    body.pipe(parser)
  })
}

import { ERROR_STATUS, needsTransform, type ErrorShape, type MizanErrorCode, type Transformer } from '@mizan/wire'

export { ERROR_STATUS, type ErrorShape, type MizanErrorCode }

/** One failed check of an input, as sent to the client in `data.issues`. */
export interface ValidationIssue {
  /** Where in the input the problem is, as a list of keys and indexes (`[]` for the input itself). */
  path: (string | number)[]
  message: string
}

/** `data` of a `BAD_REQUEST` caused by input validation. */
export interface ValidationErrorData {
  issues: ValidationIssue[]
  /** Messages per top-level field, ready for a form (`''` holds issues about the whole input). */
  fieldErrors: Record<string, string[]>
}

/** Options of {@link MizanError}. */
export interface MizanErrorOptions {
  /** The underlying error; logged on the server, never sent to the client. */
  cause?: unknown
  /**
   * Extra data sent to the client as `error.data`; with superjson, Dates, Maps and the like
   * survive (the wire adds `meta`).
   */
  data?: Record<string, unknown>
  /**
   * Response headers the HTTP reply to this error carries (`WWW-Authenticate` on a 401, say).
   * Only a single call's reply has headers of its own: inside a batch or over the WebSocket they
   * are not sent.
   */
  headers?: Record<string, string>
}

/**
 * An error a procedure, middleware or the server throws on purpose. Its code, message and data
 * reach the client as they are; any other thrown value becomes an `INTERNAL_SERVER_ERROR` whose
 * message is hidden outside dev.
 *
 * ```ts
 * throw new MizanError('NOT_FOUND', 'No such post')
 * ```
 */
export class MizanError extends Error {
  override readonly name = 'MizanError'
  readonly code: MizanErrorCode
  readonly status: number
  readonly data: Record<string, unknown> | undefined
  /** Response headers of the HTTP reply to this error (see {@link MizanErrorOptions.headers}). */
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor(code: MizanErrorCode, message?: string, options: MizanErrorOptions = {}) {
    super(message ?? defaultMessage(code), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = ERROR_STATUS[code] ?? 500
    this.data = options.data
    this.headers = options.headers === undefined ? undefined : Object.freeze({ ...options.headers })
  }
}

function defaultMessage(code: MizanErrorCode): string {
  const words = code.toLowerCase().split('_').join(' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** True when `value` is a {@link MizanError}, optionally of the given code. */
export function isMizanServerError<C extends MizanErrorCode>(value: unknown, code?: C): value is MizanError & { code: C } {
  return value instanceof MizanError && (code === undefined || value.code === code)
}

/**
 * Turns anything thrown into what may be sent. Outside dev an unexpected error says only
 * "Internal server error": its message may hold secrets (SQL, paths, tokens). Given the server's
 * transformer, `data` holding types JSON lacks (a Date) goes with the transformer's `meta`; the
 * transformer may throw while superjson loads (callers run this inside `whenLoaded`).
 */
export function toErrorShape(error: unknown, isDev: boolean, transformer?: Transformer): ErrorShape {
  if (error instanceof MizanError) {
    const shape: ErrorShape = { code: error.code, status: error.status, message: error.message }
    const data = isDev && error.status >= 500 ? { ...error.data, stack: error.stack } : error.data
    if (data !== undefined) {
      if (transformer !== undefined && needsTransform(data)) {
        const { json, meta } = transformer.serialize(data)
        shape.data = json as Record<string, unknown>
        if (meta !== undefined) shape.meta = meta
      } else shape.data = data
    }
    return shape
  }
  if (!isDev) return { code: 'INTERNAL_SERVER_ERROR', status: 500, message: 'Internal server error' }
  const err = error instanceof Error ? error : new Error(String(error))
  return { code: 'INTERNAL_SERVER_ERROR', status: 500, message: err.message, data: { stack: err.stack } }
}

import { ERROR_STATUS, type ErrorShape, type MizanErrorCode } from '@mizan/wire'

/** Codes a client error may carry: the server's, plus `NETWORK_ERROR` when no answer came back. */
export type MizanClientErrorCode = MizanErrorCode | 'NETWORK_ERROR'

/**
 * A failed call, as the client sees it: the server's code, HTTP status, message and data
 * (`data.fieldErrors` for validation failures).
 */
export class MizanClientError extends Error {
  override readonly name = 'MizanClientError'
  readonly code: MizanClientErrorCode
  readonly status: number
  readonly data: Record<string, unknown> | undefined
  /** The procedure path of the failed call. */
  readonly path: string

  constructor(shape: { code: MizanClientErrorCode; status: number; message: string; data?: Record<string, unknown> | undefined }, path: string, cause?: unknown) {
    super(shape.message, cause === undefined ? undefined : { cause })
    this.code = shape.code
    this.status = shape.status
    this.data = shape.data
    this.path = path
  }

  /** `data.fieldErrors` of a validation failure, or `undefined`. */
  get fieldErrors(): Record<string, string[]> | undefined {
    return this.data?.fieldErrors as Record<string, string[]> | undefined
  }
}

const CODE_OF_STATUS = new Map<number, MizanErrorCode>(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as MizanErrorCode]))

/** Builds an error from a response that carried no Mizan body (a proxy's 502 page, say). */
export function errorFromStatus(status: number, path: string): MizanClientError {
  if (status < 400) {
    return new MizanClientError({ code: 'INTERNAL_SERVER_ERROR', status, message: `The server answered ${status} with a body that is not a Mizan reply` }, path)
  }
  const code = CODE_OF_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST')
  return new MizanClientError({ code, status, message: `The server answered ${status} without a Mizan error body` }, path)
}

/** Builds an error from the wire shape `{ error: ErrorShape }`. */
export function errorFromShape(shape: ErrorShape, path: string): MizanClientError {
  return new MizanClientError(shape, path)
}

/**
 * True when `error` is a {@link MizanClientError}, and, given a code, one of that code. Narrows the
 * type. (Errors thrown in process by a server caller are the server's `MizanError`; test those with
 * `isMizanServerError` from `@mizan/server`.)
 *
 * ```ts
 * if (isMizanError(e, 'UNAUTHORIZED')) redirectToLogin()
 * ```
 */
export function isMizanError<C extends MizanClientErrorCode = MizanClientErrorCode>(error: unknown, code?: C): error is MizanClientError & { code: C } {
  // By name as well as by class: two copies of the client in one bundle must still agree.
  if (!(error instanceof MizanClientError) && (error as { name?: unknown } | null)?.name !== 'MizanClientError') return false
  return code === undefined || (error as MizanClientError).code === code
}

/**
 * The HTTP status of every error code Mizan speaks. The table is the protocol: a client in any
 * language maps a status to its code and back.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  TIMEOUT: 408,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  SERVICE_UNAVAILABLE: 503,
} as const

/** One of the error codes a Mizan server answers with. */
export type MizanErrorCode = keyof typeof ERROR_STATUS

/** The JSON shape of an error on the wire: a response body is `{ "error": ErrorShape }`. */
export interface ErrorShape {
  code: MizanErrorCode
  status: number
  message: string
  data?: Record<string, unknown>
  /**
   * The transformer's meta for `data`, present only when `data` holds types JSON lacks (a Date
   * with superjson); a client that ignores it reads `data` as plain JSON.
   */
  meta?: unknown
}

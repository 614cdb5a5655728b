import { ERROR_STATUS, type ErrorShape, type MizanErrorCode } from '@mizan/wire'

/** Codes a client error may carry: the server's, plus `NETWORK_ERROR` when no answer came back. */
export type MizanClientErrorCode = MizanErrorCode | 'NETWORK_ERROR'

/** What a {@link MizanClientError} is built from: the wire's error shape, plus what the client learned itself. */
export interface ClientErrorShape {
  code: MizanClientErrorCode
  status: number
  message: string
  data?: Record<string, unknown> | undefined
  /** Seconds to wait before trying again, when the server said so. */
  retryAfter?: number | undefined
}

/**
 * One error a procedure declares, as the client sees it: its code and the type of its `data`
 * (decoded by the transformer, so a Date is a Date with superjson).
 */
export interface DeclaredClientError {
  code: MizanErrorCode
  data: unknown
}

/**
 * A failed call, as the client sees it: the server's code, HTTP status, message and data
 * (`data.fieldErrors` for validation failures). `status` is `0` when no answer came back: a
 * network error (`NETWORK_ERROR`), or an input the transformer could not encode (`BAD_REQUEST`,
 * never sent). `data` decoded by the transformer when the server sent its `meta`.
 */
class MizanClientErrorClass extends Error {
  override readonly name = 'MizanClientError'
  readonly code: MizanClientErrorCode
  readonly status: number
  readonly data: Record<string, unknown> | undefined
  /** The procedure path of the failed call. */
  readonly path: string
  /**
   * Seconds the server asked the caller to wait before trying again (`TOO_MANY_REQUESTS`, and any
   * other error that carries one): `data.retryAfter` of the error body or, failing that, the
   * response's `Retry-After` header (a single call has one; calls inside a batch or over the
   * WebSocket only have `data.retryAfter`). `undefined` when the server named no delay. The client
   * never retries by itself.
   */
  declare readonly retryAfter?: number

  constructor(shape: ClientErrorShape, path: string, cause?: unknown) {
    super(shape.message, cause === undefined ? undefined : { cause })
    this.code = shape.code
    this.status = shape.status
    this.data = shape.data
    this.path = path
    const retryAfter = retryAfterOf(shape.data) ?? shape.retryAfter
    // Set only when known: an error without a delay has no retryAfter property at all.
    if (retryAfter !== undefined) (this as { retryAfter?: number }).retryAfter = retryAfter
  }

  /** `data.fieldErrors` of a validation failure, or `undefined`. */
  get fieldErrors(): Record<string, string[]> | undefined {
    return this.data?.fieldErrors as Record<string, string[]> | undefined
  }
}

/**
 * A failed call (see the class above). As a type, `MizanClientError<Declared>` is one that may be
 * one of a procedure's declared errors: checking `code` narrows `data` to that code's declared
 * type; any other code keeps the generic `data`.
 *
 * ```ts
 * if (error.code === 'GONE') error.data.deletedAt.getTime()
 * ```
 */
export type MizanClientError<Declared extends DeclaredClientError = never> = [Declared] extends [never]
  ? MizanClientErrorClass
  : Omit<MizanClientErrorClass, 'code' | 'data'> & (Declared | { code: Exclude<MizanClientErrorCode, Declared['code']>; data: Record<string, unknown> | undefined })
/** The class of every {@link MizanClientError}: for `instanceof` and, rarely, `new`. */
export const MizanClientError: typeof MizanClientErrorClass = MizanClientErrorClass

/**
 * What `isMizanError` accepts as a procedure: a client proxy such as `client.posts.byId`, whose
 * type carries its declared errors.
 */
export interface ProcedureErrors<Declared extends DeclaredClientError = DeclaredClientError> {
  readonly '~errors'?: Declared
}

/** The declared errors of a client procedure, as a union of `{ code, data }`. */
export type DeclaredErrorsOf<P> = P extends { readonly '~errors'?: unknown } ? Extract<NonNullable<P['~errors']>, DeclaredClientError> : never

/** The declared error of one code, `{ code, data }`. */
type DeclaredErrorOfCode<P, C> = DeclaredErrorsOf<P> extends infer D ? (D extends { code: C } ? D : never) : never

/**
 * The key under which a client proxy answers its own dotted path, so `isMizanError` can tell
 * which procedure an error belongs to. `Symbol.for`: two copies of the client must agree.
 */
export const PROCEDURE_PATH: unique symbol = Symbol.for('mizan.procedurePath') as never

const CODE_OF_STATUS = new Map<number, MizanErrorCode>(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as MizanErrorCode]))

/** The code of an HTTP error status: the protocol's table, else the status class. */
function codeOfStatus(status: number): MizanErrorCode {
  return CODE_OF_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST')
}

/**
 * Builds an error from a response that carried no Mizan body (a proxy's 502 page, say).
 * `retryAfter` is the response's `Retry-After`, in seconds, if it had one; `statusText` its reason
 * phrase, for the message.
 */
export function errorFromStatus(status: number, path: string, retryAfter?: number, statusText?: string): MizanClientError {
  // The status text says what a proxy or the HTTP layer refused (431 Request Header Fields Too Large).
  const answered = `The server answered ${status}${statusText ? ` ${statusText.slice(0, 100)}` : ''}`
  if (!(status >= 400 && status <= 599)) {
    return new MizanClientError({ code: 'INTERNAL_SERVER_ERROR', status, message: `${answered} with a body that is not a Mizan reply` }, path)
  }
  return new MizanClientError({ code: codeOfStatus(status), status, message: `${answered} without a Mizan error body`, retryAfter }, path)
}

/**
 * Builds an error from the wire shape `{ error: ErrorShape }`. The shape comes from the network, so
 * each field is checked: an unknown code or a status out of range is read from `status` (the
 * response's), a missing message gets a plain one, `data` is kept only when it is an object.
 * `retryAfter` is the response's `Retry-After` header, used when `data.retryAfter` is absent.
 */
export function errorFromShape(shape: ErrorShape, path: string, status = 0, retryAfter?: number): MizanClientError {
  const own = typeof shape.status === 'number' && shape.status >= 400 && shape.status <= 599 ? shape.status : undefined
  const code = typeof shape.code === 'string' && Object.hasOwn(ERROR_STATUS, shape.code) ? shape.code : codeOfStatus(own ?? status)
  const data = typeof shape.data === 'object' && shape.data !== null && !Array.isArray(shape.data) ? shape.data : undefined
  const message = typeof shape.message === 'string' ? shape.message : `The server answered ${code}`
  return new MizanClientError({ code, status: own ?? (status >= 400 ? status : ERROR_STATUS[code]), message, data, retryAfter }, path)
}

/** The error of an input the transformer could not encode, or of a shape JSON cannot write: the call is never sent. */
export function encodeError(path: string, cause: unknown, part: 'input' | 'shape' = 'input'): MizanClientError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new MizanClientError({ code: 'BAD_REQUEST', status: 0, message: `The ${part} of ${path} could not be encoded, so it was not sent: ${reason}` }, path, cause)
}

/** `data.retryAfter`, when it is a usable number of seconds. */
function retryAfterOf(data: Record<string, unknown> | undefined): number | undefined {
  const value = data?.retryAfter
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined
}

/**
 * Reads a `Retry-After` header: delay-seconds (`"3"`) or an HTTP date, as seconds from now (never
 * negative). Anything else is `undefined`.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined
  const text = header.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text)
  // An HTTP date has a weekday and a GMT; requiring letters keeps Date.parse away from bare numbers.
  if (text.length > 64 || !/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

/**
 * True when `error` is a {@link MizanClientError}, and, given a code, one of that code. Narrows the
 * type. Given a procedure and one of its declared codes, it also checks the error came from that
 * procedure, and narrows `data` to the code's declared type (decoded: a Date is a Date).
 * (Errors thrown in process by a server caller are the server's `MizanError`; test those with
 * `isMizanServerError` from `@mizan/server`.)
 *
 * ```ts
 * if (isMizanError(e, 'UNAUTHORIZED')) redirectToLogin()
 * if (isMizanError(e, client.posts.byId, 'GONE')) showGone(e.data.deletedAt)
 * ```
 */
export function isMizanError<P extends ProcedureErrors<any>, const C extends DeclaredErrorsOf<P>['code']>(
  error: unknown,
  procedure: P,
  code: C,
): error is Omit<MizanClientErrorClass, 'code' | 'data'> & DeclaredErrorOfCode<P, C>
export function isMizanError<C extends MizanClientErrorCode = MizanClientErrorCode>(error: unknown, code?: C): error is MizanClientError & { code: C }
export function isMizanError(error: unknown, codeOrProcedure?: unknown, declared?: unknown): boolean {
  // By name as well as by class: two copies of the client in one bundle must still agree.
  if (!(error instanceof MizanClientError) && (error as { name?: unknown } | null)?.name !== 'MizanClientError') return false
  const { code, path } = error as MizanClientErrorClass
  if (typeof codeOrProcedure === 'string' || codeOrProcedure === undefined) return codeOrProcedure === undefined || code === codeOrProcedure
  if (code !== declared) return false
  // A proxy knows its path; anything else given as the procedure checks the code alone.
  const own = (codeOrProcedure as { [PROCEDURE_PATH]?: unknown } | null)?.[PROCEDURE_PATH]
  return typeof own !== 'string' || own === path
}

import { INVALIDATE_HEADER, WEBSOCKET_HEADER } from '@mizan/wire'

/** The Mizan headers a cross-origin client must read: invalidations, and the paths its socket would serve. */
const EXPOSED = `${INVALIDATE_HEADER}, ${WEBSOCKET_HEADER}`

/** Request headers of an event stream (see docs/realtime.md): its session, its ticket, where it resumes. */
const REALTIME_HEADERS = ['x-mizan-session', 'x-mizan-ticket', 'last-event-id']

/** Cross-origin settings of `createMizanServer`. */
export interface CorsOptions {
  /** Allowed origins: `true` for any (echoed back), a list, or a predicate. */
  origin: true | string | readonly string[] | ((origin: string) => boolean)
  /** Allow cookies and `Authorization` across origins. Default `false`. */
  credentials?: boolean
  /** Request headers a browser may send; default: whatever the preflight asks for. */
  allowHeaders?: readonly string[]
  /** Seconds a browser may keep a preflight answer. Default 600. */
  maxAge?: number
}

/** Compiled CORS settings. */
export class CorsPolicy {
  private readonly allows: (origin: string) => boolean
  private readonly credentials: boolean
  private readonly allowHeaders: string | undefined
  private readonly maxAge: string

  constructor(options: CorsOptions) {
    const { origin } = options
    if (origin === true) this.allows = () => true
    else if (typeof origin === 'function') this.allows = origin
    else {
      const set = new Set(typeof origin === 'string' ? [origin] : origin)
      this.allows = (value) => set.has(value)
    }
    this.credentials = options.credentials ?? false
    // An event stream's headers come along with any list the app gives: realtime over SSE needs them.
    this.allowHeaders = options.allowHeaders === undefined ? undefined : [...new Set([...options.allowHeaders, ...REALTIME_HEADERS])].join(', ')
    this.maxAge = String(options.maxAge ?? 600)
  }

  /** Adds the headers of an actual request from `origin` (nothing when it is not allowed). */
  apply(headers: Record<string, string | string[]>, origin: string | undefined): void {
    // The answer depends on Origin whether or not this one is allowed: shared caches must know.
    headers['vary'] = headers['vary'] ? `${headers['vary']}, Origin` : 'Origin'
    if (origin === undefined || !this.allows(origin)) return
    headers['access-control-allow-origin'] = origin
    headers['access-control-expose-headers'] = EXPOSED
    if (this.credentials) headers['access-control-allow-credentials'] = 'true'
  }

  /** The answer to a preflight `OPTIONS` request. */
  preflight(origin: string | undefined, requestedHeaders: string | undefined): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = { vary: 'Access-Control-Request-Headers' }
    this.apply(headers, origin)
    if (origin === undefined || !this.allows(origin)) return headers
    headers['access-control-allow-methods'] = 'GET, POST, OPTIONS'
    const allowHeaders = this.allowHeaders ?? requestedHeaders
    if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders
    headers['access-control-max-age'] = this.maxAge
    return headers
  }
}

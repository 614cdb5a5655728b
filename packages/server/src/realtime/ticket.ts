import { nodeCrypto } from '../builtins.js'
import type { JWTPayload } from 'jose'
import { memoryReplayStore, type ReplayStore } from './replay-store.js'

export {
  memoryReplayStore,
  redisReplayStore,
  type MemoryReplayStore,
  type MemoryReplayStoreOptions,
  type RedisReplayStoreOptions,
  type ReplayStore,
} from './replay-store.js'

/**
 * WebSocket close code for a refused socket ticket (expired, already used, tampered, wrong `typ` or
 * `aud`): "this ticket will never work: fetch a new one from `{basePath}/_session`, then reconnect".
 *
 * It sits in the 4000–4999 range that RFC 6455 leaves to applications, and mirrors HTTP 401 so it
 * reads as an auth failure in logs. Clients must treat it apart from network drops and 1006/1011:
 * retrying with the same ticket can only fail again, so they mint a new ticket first, and give up
 * (reporting a sign-in problem) if a fresh ticket is refused as well, instead of retrying forever.
 */
export const TICKET_CLOSE_CODE = 4401

// The JWT `typ` header of a socket ticket. Verify requires it, so no other JWT passes as a ticket.
const TICKET_TYP = 'mizan-ws+jwt'

const DEFAULT_TICKET_AUDIENCE = 'mizan:ws'

// The only algorithm minted and accepted: pinning it shuts out `alg: none` and algorithm confusion.
const ALG = 'HS256'
// Seconds of clock skew tolerated between the instance that minted a ticket and the one verifying it.
const CLOCK_TOLERANCE = 5
// A ticket is a few hundred bytes; refusing anything far larger before the HMAC keeps a flood of
// huge "tickets" cheap to turn away. Mint enforces the same bound so every minted ticket verifies.
const MAX_TICKET_LENGTH = 8192
// Claims the issuer sets itself; extra claims may not override them.
const RESERVED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']

/** Why a ticket was refused. Every reason closes the socket with {@link TICKET_CLOSE_CODE}. */
export type TicketErrorReason =
  /** Past its `exp`, or older than the issuer's ttl (beyond the clock tolerance): the client took too long, or the clocks disagree. */
  | 'expired'
  /** Its `jti` was already used: tickets are single use, even across instances sharing a store. */
  | 'replayed'
  /** Malformed, tampered, wrongly signed, wrong `alg`, `typ` or `aud`, or missing a required claim. */
  | 'invalid'

const TICKET_MESSAGES: Record<TicketErrorReason, string> = {
  expired: 'Socket ticket expired',
  replayed: 'Socket ticket already used',
  invalid: 'Socket ticket invalid',
}

/**
 * Thrown by {@link TicketIssuer.verify} for a ticket that must not open a socket. The realtime layer
 * closes with {@link TICKET_CLOSE_CODE} (`closeCode`); `reason` may go in the close frame, the
 * underlying jose error (`cause`) only in server logs.
 */
export class TicketError extends Error {
  override readonly name = 'TicketError'
  readonly reason: TicketErrorReason
  /** Always {@link TICKET_CLOSE_CODE}, so the caller needs no table from reason to code. */
  readonly closeCode = TICKET_CLOSE_CODE

  constructor(reason: TicketErrorReason, options?: { cause?: unknown }) {
    super(TICKET_MESSAGES[reason], options)
    this.reason = reason
  }
}

/** Options of {@link createTicketIssuer}. */
export interface TicketIssuerOptions {
  /**
   * The HMAC secret, at least 32 bytes (256 bits), the same on every instance and used for nothing
   * else: not the session secret, not the cache secret. A string is taken as its UTF-8 bytes.
   */
  secret: string | Uint8Array
  /** The `aud` claim minted and required. Default `mizan:ws`. */
  audience?: string
  /** Seconds a ticket stays valid; it only has to outlive one connect. Default 30. */
  ttlSeconds?: number
  /** Where used jtis are recorded. Default: a {@link memoryReplayStore} (one instance only). */
  replayStore?: ReplayStore
  /** The clock, in milliseconds since the epoch. Default `Date.now`; tests inject their own. */
  now?: () => number
}

/** What {@link TicketIssuer.mint} puts in a ticket: the principal and any extra JSON claims. */
export interface TicketMintClaims {
  /** The principal the socket acts for, or null for an anonymous socket (no `sub` in the ticket). */
  sub: string | null
  /** Extra JSON claims; the registered claims (`iss`, `aud`, `exp`, `nbf`, `iat`, `jti`) are refused. */
  [claim: string]: unknown
}

/** The claims of a verified ticket. */
export interface TicketClaims {
  /** The principal, or null for an anonymous ticket. */
  sub: string | null
  aud: string | string[]
  /** Seconds since the epoch. */
  iat: number
  /** Seconds since the epoch. */
  exp: number
  /** Unique per ticket; recorded in the replay store. */
  jti: string
  /** Extra claims given to mint. */
  [claim: string]: unknown
}

/** Mints and verifies socket tickets; see {@link createTicketIssuer}. */
export interface TicketIssuer {
  /**
   * A signed ticket for `claims.sub`. The `{basePath}/_session` handler returns it to a client
   * that is already authenticated (by cookie or header) over HTTP.
   */
  mint(claims: TicketMintClaims): Promise<string>
  /**
   * Checks a ticket and uses it up. Resolves to its claims, or rejects with a {@link TicketError};
   * a failing replay store rejects with its own error (the ticket is not accepted either way).
   */
  verify(ticket: string): Promise<TicketClaims>
}

/**
 * Mints and verifies the short-lived, single-use tickets that authenticate a WebSocket.
 *
 * Browsers cannot set headers on a WebSocket, and cookies alone invite cross-site WebSocket
 * hijacking, so the client first fetches a ticket over HTTP (`{basePath}/_session`) and sends it in
 * its first message. Never in the query string: URLs end up in proxy and access logs.
 *
 * A ticket is an HS256 JWT with header `typ: mizan-ws+jwt` and claims `aud`, `iat`, `exp` (30 s by
 * default), a random 128-bit `jti` and `sub` (absent when anonymous). Verify pins the algorithm,
 * requires the `typ` (so a session JWT signed with the same secret by mistake is still refused),
 * the audience and every claim, and records the `jti` so that each ticket opens one socket only.
 *
 * ```ts
 * const tickets = createTicketIssuer({ secret: process.env.WS_TICKET_SECRET!, replayStore: redisReplayStore({ redis }) })
 * const ticket = await tickets.mint({ sub: user.id })           // in the _session handler
 * const { sub } = await tickets.verify(firstMessage.ticket)     // on the socket; TicketError → close(TICKET_CLOSE_CODE)
 * ```
 */
export function createTicketIssuer(options: TicketIssuerOptions): TicketIssuer {
  // jose loads with the first ticket minted or checked: an app whose sockets never take one never imports it.
  const loadJose = () => import('jose')
  const key = secretBytes(options.secret)
  const audience = options.audience ?? DEFAULT_TICKET_AUDIENCE
  const ttl = options.ttlSeconds ?? 30
  if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError(`Mizan: createTicketIssuer: ttlSeconds must be a positive integer, got ${ttl}`)
  const now = options.now ?? Date.now
  const replayStore = options.replayStore ?? memoryReplayStore({ now })

  return {
    async mint(claims) {
      const { sub, ...extra } = claims
      if (sub !== null && (typeof sub !== 'string' || sub === '')) throw new TypeError('Mizan: ticket sub must be a non-empty string, or null when anonymous')
      for (const name of RESERVED_CLAIMS) {
        if (Object.hasOwn(extra, name)) throw new TypeError(`Mizan: ticket claim "${name}" is set by the issuer and cannot be given to mint`)
      }
      const { SignJWT } = await loadJose()
      const iat = Math.floor(now() / 1000)
      const jwt = new SignJWT(extra)
        .setProtectedHeader({ alg: ALG, typ: TICKET_TYP })
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .setJti(nodeCrypto().randomBytes(16).toString('base64url'))
      if (sub !== null) jwt.setSubject(sub)
      const ticket = await jwt.sign(key)
      if (ticket.length > MAX_TICKET_LENGTH) throw new TypeError(`Mizan: ticket is ${ticket.length} characters, over the ${MAX_TICKET_LENGTH} limit: keep extra claims small`)
      return ticket
    },

    async verify(ticket) {
      if (typeof ticket !== 'string' || ticket.length > MAX_TICKET_LENGTH) throw new TicketError('invalid')
      const { errors, jwtVerify } = await loadJose()
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(ticket, key, {
          algorithms: [ALG],
          typ: TICKET_TYP,
          audience,
          requiredClaims: ['aud', 'exp', 'iat', 'jti'],
          // Also bounds the lifetime by this issuer's ttl whatever `exp` says, and refuses an `iat`
          // in the future.
          maxTokenAge: ttl,
          clockTolerance: CLOCK_TOLERANCE,
          currentDate: new Date(now()),
        }))
      } catch (error) {
        // jose checks the signature before any claim, so "expired" is only ever said of a genuine ticket.
        throw new TicketError(error instanceof errors.JWTExpired ? 'expired' : 'invalid', { cause: error })
      }
      const { jti, sub, exp } = payload
      if (typeof jti !== 'string' || jti === '' || (sub !== undefined && typeof sub !== 'string')) throw new TicketError('invalid')
      // Held until the last moment verify could still accept the ticket: exp plus the tolerance.
      // Forgetting it at exp would reopen a replay window of CLOCK_TOLERANCE seconds. The principal
      // lets a store keep anonymous tickets (anyone may mint them) from crowding out the others.
      if (!(await replayStore.claim(jti, (exp! + CLOCK_TOLERANCE) * 1000, sub ?? null))) throw new TicketError('replayed')
      return { ...payload, sub: sub ?? null, jti, aud: payload.aud!, iat: payload.iat!, exp: exp! }
    },
  }
}

function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret instanceof Uint8Array ? Uint8Array.from(secret) : undefined
  if (bytes === undefined || bytes.byteLength < 32) {
    throw new TypeError(`Mizan: createTicketIssuer needs a secret of at least 32 bytes (256 bits), of its own (not a session or cache secret), got ${bytes?.byteLength ?? typeof secret}`)
  }
  return bytes
}

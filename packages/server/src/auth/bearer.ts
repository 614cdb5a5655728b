import type { JWTPayload, JWTVerifyGetKey } from 'jose'
import { MizanError } from '../errors.js'

/** Options of {@link createBearerAuth}. Exactly one of `secret` and `jwks`. */
export interface BearerAuthOptions {
  /** The shared secret of HMAC tokens (`HS256`, `HS384`, `HS512`). */
  secret?: string | Uint8Array
  /** The URL of the issuer's JSON Web Key Set (asymmetric tokens); fetched on need and cached by jose. */
  jwks?: string | URL
  /** The `iss` a token must carry (one, or any of a list). */
  issuer?: string | readonly string[]
  /** The `aud` a token must carry (one, or any of a list). */
  audience?: string | readonly string[]
  /** The algorithms accepted, e.g. `['RS256']`: required, so a token cannot pick its own; never `none`. */
  algorithms: readonly [BearerAlgorithm, ...BearerAlgorithm[]]
  /** Seconds of clock difference tolerated on `exp` and `nbf`: default 5, at most 60. */
  clockTolerance?: number
  /** A token without `exp` is refused: always (a token that never expires is one that cannot be revoked). */
  requireExp?: true
}

/** The signature algorithms a bearer token may use. */
export type BearerAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519'

/** Whatever carries the request's headers: a `MizanRequest` (`createContext`'s `req`), a fetch `Request`, or `{ headers }`. */
export type BearerSource = { readonly headers: { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>> }

/**
 * Reads the request's bearer token: `null` without an `Authorization: Bearer` header (anonymous),
 * the verified claims for a good token, and an `UNAUTHORIZED` error (its reply carries
 * `WWW-Authenticate: Bearer error="invalid_token"`) for any bad one.
 */
export type BearerAuth = (request: BearerSource) => Promise<JWTPayload | null>

const ALGORITHMS = new Set<string>(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'])
const HMAC = new Set<string>(['HS256', 'HS384', 'HS512'])
/** A token longer than this is refused before any parsing: headers are bounded, so is the work. */
const MAX_TOKEN_LENGTH = 8192
const TOKEN_SYNTAX = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * True when every part of a token is the one base64url spelling of its bytes. A part's last
 * character may carry bits no byte uses, so several spellings decode alike and jose accepts each:
 * refused here, a token has one form only (what is logged, cached or revoked names one token).
 */
function canonical(token: string): boolean {
  return token.split('.').every((part) => Buffer.from(part, 'base64url').toString('base64url') === part)
}

/**
 * Verifies `Authorization: Bearer <JWT>` headers, for `createContext`. jose does the verifying,
 * and is loaded with the first token (a server that never sees one never imports it).
 *
 * ```ts
 * const bearer = createBearerAuth({ jwks: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com', audience: 'api', algorithms: ['RS256'] })
 * createMizanServer({ router, createContext: async ({ req }) => ({ claims: await bearer(req) }) })
 * ```
 */
export function createBearerAuth(options: BearerAuthOptions): BearerAuth {
  const settings = checkOptions(options)
  let key: Promise<Uint8Array | JWTVerifyGetKey> | undefined
  const keyOf = () =>
    (key ??= import('jose').then((jose) =>
      settings.secret !== undefined ? settings.secret : jose.createRemoteJWKSet(new URL(String(options.jwks))),
    ))
  return async (request) => {
    const token = bearerToken(request)
    if (token === null) return null
    if (token === undefined || token.length > MAX_TOKEN_LENGTH || !TOKEN_SYNTAX.test(token) || !canonical(token)) throw invalidToken('The token is malformed')
    const [jose, resolved] = await Promise.all([import('jose'), keyOf()])
    try {
      const { payload } = await jose.jwtVerify(token, resolved as Uint8Array, {
        algorithms: [...settings.algorithms],
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockTolerance,
        requiredClaims: ['exp'],
      })
      return payload
    } catch (error) {
      throw refusalOf(error, settings.secret !== undefined)
    }
  }
}

/** The token of an `Authorization: Bearer` header; `null` without one, `undefined` when it is one but empty. */
function bearerToken(request: BearerSource): string | null | undefined {
  const headers = request?.headers as { get?: unknown } | Record<string, unknown> | undefined
  if (headers === undefined || headers === null) return null
  let value: unknown = typeof headers.get === 'function' ? (headers as { get(name: string): string | null }).get('authorization') : (headers as Record<string, unknown>)['authorization']
  if (Array.isArray(value)) value = value[0]
  if (typeof value !== 'string') return null
  const text = value.trim()
  const space = text.indexOf(' ')
  const scheme = space === -1 ? text : text.slice(0, space)
  if (scheme.toLowerCase() !== 'bearer') return null
  const token = space === -1 ? '' : text.slice(space + 1).trim()
  return token === '' ? undefined : token
}

interface Settings {
  secret: Uint8Array | undefined
  algorithms: readonly string[]
  issuer: string | string[] | undefined
  audience: string | string[] | undefined
  clockTolerance: number
}

/** Mistakes in the options fail now, at startup, never as a token accepted by accident. */
function checkOptions(options: BearerAuthOptions): Settings {
  const where = 'Mizan: createBearerAuth()'
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} needs options`)
  const { secret, jwks, algorithms, clockTolerance = 5 } = options
  if ((secret === undefined) === (jwks === undefined)) throw new TypeError(`${where}: give exactly one of secret and jwks`)
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError(`${where}: algorithms must list the accepted algorithms, e.g. ['RS256']`)
  for (const alg of algorithms) {
    if (!ALGORITHMS.has(alg)) throw new TypeError(`${where}: unknown or unsafe algorithm "${String(alg)}"`)
    if (secret !== undefined && !HMAC.has(alg)) throw new TypeError(`${where}: a secret verifies HS256/HS384/HS512 tokens only, not ${alg}`)
    if (jwks !== undefined && HMAC.has(alg)) throw new TypeError(`${where}: a JWKS holds public keys: ${alg} needs a secret`)
  }
  if (typeof clockTolerance !== 'number' || !Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 60) {
    throw new TypeError(`${where}: clockTolerance is seconds between 0 and 60`)
  }
  if (options.requireExp !== undefined && options.requireExp !== true) throw new TypeError(`${where}: requireExp cannot be turned off`)
  let key: Uint8Array | undefined
  if (secret !== undefined) {
    key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
    if (!(key instanceof Uint8Array) || key.length < 32) throw new TypeError(`${where}: the secret must be at least 32 bytes`)
  } else {
    try {
      const url = new URL(String(jwks))
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('not http(s)')
    } catch {
      throw new TypeError(`${where}: jwks must be an http(s) URL`)
    }
  }
  const list = (value: string | readonly string[] | undefined) => (value === undefined ? undefined : typeof value === 'string' ? value : [...value])
  return { secret: key, algorithms: [...algorithms], issuer: list(options.issuer), audience: list(options.audience), clockTolerance }
}

/** What jose's error codes mean to the caller; anything else is a bad token too, said plainly. */
const DESCRIPTIONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'The token has expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'The signature is invalid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'The algorithm is not accepted',
  ERR_JWKS_NO_MATCHING_KEY: 'No key matches the token',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'No single key matches the token',
  ERR_JWS_INVALID: 'The token is malformed',
  ERR_JWT_INVALID: 'The token is malformed',
  ERR_JOSE_NOT_SUPPORTED: 'The token is not supported',
}

function refusalOf(error: unknown, local: boolean): MizanError {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const claim = (error as { claim?: unknown }).claim
    const reason = (error as { reason?: unknown }).reason
    const what = typeof claim === 'string' && /^[a-z]{2,5}$/.test(claim) ? claim : 'a claim'
    return invalidToken(reason === 'missing' ? `The token has no ${what} claim` : `The ${what} claim is not accepted`, error)
  }
  // A key set that could not be fetched is the server's trouble, not the token's; with a local
  // secret nothing but the token can be at fault.
  if (!local && (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JWKS_INVALID' || typeof code !== 'string')) {
    return new MizanError('SERVICE_UNAVAILABLE', 'The token could not be checked now', { cause: error })
  }
  return invalidToken((typeof code === 'string' ? DESCRIPTIONS[code] : undefined) ?? 'The token is invalid', error)
}

/** A 401 whose reply says why, as RFC 6750 has it; the description is ours, never jose's text. */
function invalidToken(description: string, cause?: unknown): MizanError {
  return new MizanError('UNAUTHORIZED', description, {
    cause,
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` },
  })
}

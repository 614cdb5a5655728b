// Cookie sign-in. The cookie holds the name and an HMAC of it, so a browser cannot give itself
// another name; HttpOnly keeps page scripts away from it. A real app would keep a session id or a
// JWT the same way.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ResponseHeaders } from '@mizan/server'
import { processWide } from './process-wide'

/** The signed-in user. */
export type User = { id: string; name: string }

/** What `createContext` and the page read headers through: Web `Headers` and Next's `headers()` both fit. */
export type HeaderSource = { get(name: string): string | null }

const COOKIE = 'mizan_next_session'
const MAX_AGE = 60 * 60 * 24 * 7
// A secret made at startup signs everyone out on restart: fine for a demo. Set SESSION_SECRET in
// production (and with several instances, which must share it).
const secret = processWide('session-secret', () => process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'))

const sign = (value: string) => createHmac('sha256', secret).update(value).digest('base64url')

function verified(token: string): string | undefined {
  const dot = token.lastIndexOf('.')
  if (dot < 0) return undefined
  const value = token.slice(0, dot)
  const given = Buffer.from(token.slice(dot + 1))
  const expected = Buffer.from(sign(value))
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined
}

function cookie(header: string | null, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return undefined // a malformed cookie is no session
      }
    }
  }
  return undefined
}

/** The user a request's session cookie names, or `null`. */
export function userFrom(headers: HeaderSource): User | null {
  const token = cookie(headers.get('cookie'), COOKIE)
  const name = token === undefined ? undefined : verified(token)
  return name === undefined ? null : { id: name.toLowerCase(), name }
}

/** What handlers sign in and out with: it writes `Set-Cookie` on the response being built. */
export class Session {
  constructor(private readonly resHeaders: ResponseHeaders) {}

  /** Signs `name` in: a signed, HttpOnly cookie. */
  signIn(name: string): void {
    // Add `Secure` when served over HTTPS; the example runs on plain http://localhost.
    const value = encodeURIComponent(`${name}.${sign(name)}`)
    this.resHeaders.append('set-cookie', `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE}`)
  }

  /** Clears the cookie. */
  signOut(): void {
    this.resHeaders.append('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`)
  }
}

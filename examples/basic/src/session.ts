// Cookie sign-in. The cookie holds the username and an HMAC of it, so a browser cannot hand itself
// someone else's name; HttpOnly keeps page scripts away from it. A real app would store a session
// id (or a JWT) the same way.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { MizanRequest, ResponseHeaders } from '@mizan/server'
import type { User } from './router.js'
import { userNamed, type Username } from './users.js'

const COOKIE = 'mizan_session'
const MAX_AGE = 60 * 60 * 24 * 7
// A fresh secret per process signs everyone out on restart: fine for a demo, not for production.
const secret = process.env.SESSION_SECRET ?? randomBytes(32).toString('hex')

const sign = (value: string) => createHmac('sha256', secret).update(value).digest('base64url')

function verify(token: string): string | undefined {
  const dot = token.lastIndexOf('.')
  if (dot < 0) return undefined
  const value = token.slice(0, dot)
  const given = Buffer.from(token.slice(dot + 1))
  const expected = Buffer.from(sign(value))
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

/** Who sent the request: the session cookie, or `Authorization: Bearer alice` for scripts like demo.ts. */
export function userFrom(headers: MizanRequest['headers']): User | null {
  const token = cookieValue(headers.get('cookie'), COOKIE)
  if (token !== undefined) return userNamed(verify(token))
  const auth = headers.get('authorization')
  return auth?.startsWith('Bearer ') ? userNamed(auth.slice(7)) : null
}

/** What handlers use to sign in and out: it writes `Set-Cookie` on the response being built. */
export class Session {
  constructor(private readonly resHeaders: ResponseHeaders) {}

  signIn(name: Username): void {
    // Add `Secure` when served over HTTPS; the demo runs on plain http://localhost.
    const attributes = `Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE}`
    this.resHeaders.append('set-cookie', `${COOKIE}=${encodeURIComponent(`${name}.${sign(name)}`)}; ${attributes}`)
  }

  signOut(): void {
    this.resHeaders.append('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`)
  }
}

import type { MizanRequest } from '@mizan/server'
import type { User } from './router.js'

/** Demo accounts. A real app reads a session cookie or verifies a JWT here. */
export const USERS: Record<string, User> = {
  alice: { id: 'u1', name: 'Alice', roles: [] },
  sam: { id: 'u2', name: 'Sam', roles: ['staff'] },
}

/** `Authorization: Bearer alice` signs in as Alice. */
export function userFrom(req: MizanRequest): User | null {
  const header = req.headers.get('authorization')
  return header?.startsWith('Bearer ') ? (USERS[header.slice(7)] ?? null) : null
}

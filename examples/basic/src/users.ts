// The demo accounts. A real app looks users up in its database.
import type { User } from './router.js'

export const USERS = {
  alice: { id: 'u1', name: 'Alice', roles: [] },
  sam: { id: 'u2', name: 'Sam', roles: ['staff'] },
} satisfies Record<string, User>

export type Username = keyof typeof USERS

export function userNamed(name: string | undefined): User | null {
  return name !== undefined && Object.hasOwn(USERS, name) ? USERS[name as Username] : null
}

import { MizanError } from './errors.js'
import type { ProcedureDef } from './procedure.js'

/** A compiled `auth` rule: resolves when the call may go on, throws 401/403 otherwise. */
export type AuthCheck = (ctx: any) => void | Promise<void>

const SUPERUSER = 'superuser'

const unauthorized = () => new MizanError('UNAUTHORIZED', 'Sign-in required')
const forbidden = () => new MizanError('FORBIDDEN', 'Not allowed')

function userOf(ctx: unknown): unknown {
  return typeof ctx === 'object' && ctx !== null ? (ctx as { user?: unknown }).user ?? null : null
}

/** Compiles a procedure's `auth` option once; `undefined` when anyone may call. */
export function compileAuth(def: ProcedureDef): AuthCheck | undefined {
  const rule = def.options.auth
  if (rule === undefined || rule === false) return undefined
  if (rule === true) {
    return (ctx) => {
      if (userOf(ctx) === null) throw unauthorized()
    }
  }
  if (typeof rule === 'function') {
    const settle = (ok: boolean, ctx: unknown) => {
      if (!ok) throw userOf(ctx) === null ? unauthorized() : forbidden()
    }
    return (ctx) => {
      const ok = rule(ctx)
      return ok instanceof Promise ? ok.then((value) => settle(value, ctx)) : settle(ok, ctx)
    }
  }
  const wanted = new Set(typeof rule === 'string' ? [rule] : rule)
  const roles = def.roles
  if (roles === undefined) throw new TypeError('Mizan: auth by role needs initMizan({ roles })')
  return (ctx) => {
    const user = userOf(ctx)
    if (user === null) throw unauthorized()
    const granted = roles(user) ?? []
    for (const role of granted) if (role === SUPERUSER || wanted.has(role)) return
    throw forbidden()
  }
}

/** How the manifest describes an `auth` rule: its kind, never the predicate itself. */
export function describeAuth(def: ProcedureDef): { kind: 'none' | 'user' | 'roles' | 'predicate'; roles?: string[] } {
  const rule = def.options.auth
  if (rule === undefined || rule === false) return { kind: 'none' }
  if (rule === true) return { kind: 'user' }
  if (typeof rule === 'function') return { kind: 'predicate' }
  return { kind: 'roles', roles: typeof rule === 'string' ? [rule] : [...rule] }
}

import { nodeCrypto } from '../builtins.js'
import { compileAuth, type AuthCheck } from '../auth.js'
import { MizanError } from '../errors.js'
import type { MaybePromise } from '../maybe-promise.js'
import type { ProcedureDef } from '../procedure.js'
import type { FlatRouter } from '../router.js'

/**
 * A set of `auth` rules: a connection belongs to it when its context passes any one of them. The
 * public class (no rule) holds every connection. Each class is one pub/sub group, so a push to it is
 * one publish whatever the number of connections.
 */
export interface AudienceClass {
  /** `public`, or the ids of its rules, sorted, joined by `|`: the same on every instance serving the router. */
  readonly id: string
  /** The pub/sub group its pushes go to. */
  readonly group: string
  /** The ids of its rules; empty for the public class. */
  readonly rules: readonly string[]
}

/**
 * Who may hear the invalidations of one target (a procedure or a sub-router): the connections that
 * could call it. Targets cached per user (`cache.scope: 'user'`) concern their user only.
 */
export interface TargetAudience {
  /** Connections of any principal in this class; `undefined` for none. */
  readonly shared: AudienceClass | undefined
  /** Connections of the caller's own principal in this class; `undefined` for none. */
  readonly own: AudienceClass | undefined
}

/** What one connection may hear, settled once when it connects (its context is fixed for its life). */
export interface ConnectionAudience {
  /** Its principal (`principal(ctx)` as a string), or null without one. */
  readonly principal: string | null
  /** The ids of the classes it belongs to (`public` always). */
  readonly classes: ReadonlySet<string>
}

/** Reports a rule that failed with something else than a refusal while a connection was placed. */
export type AudienceReport = (error: unknown, path: string) => void

const PUBLIC_ID = 'public'

/** Distinct combinations of classes whose set is kept for sharing; past it, each connection gets its own. */
const MAX_CLASS_SETS = 256

/** The pub/sub group of one principal's invalidation pushes. */
export function userGroup(principal: string): string {
  return `inv:user:${principal}`
}

/**
 * The push audiences of a router, computed once when it is served: every distinct `auth` rule with
 * a stable id and its compiled check, and for every target the classes that may hear it.
 *
 * Rule ids come from the router alone (the rule itself, plus, for predicates, the first path that
 * uses the function and a hash of its source), never from the order of anything at run time, so
 * every instance serving the same router names the same groups: a push published on one instance
 * reaches exactly the connections of the same classes on all of them.
 */
export class PushAudiences {
  /** The class every connection belongs to. */
  readonly publicClass: AudienceClass = { id: PUBLIC_ID, group: 'inv:public', rules: [] }
  /** Every class some target pushes to through its own group (the `shared` side). */
  readonly sharedClasses: readonly AudienceClass[]
  private readonly checks = new Map<string, { check: AuthCheck; path: string }>()
  private readonly classes = new Map<string, AudienceClass>([[PUBLIC_ID, this.publicClass]])
  private readonly targets = new Map<string, TargetAudience>()

  constructor(flat: FlatRouter) {
    const ids = new RuleIds(flat)
    const rules = new Map<string, { rule: string | null; own: boolean }>()
    for (const [path, def] of flat.procedures) {
      const rule = ids.of(path, def)
      if (rule !== null && !this.checks.has(rule)) this.checks.set(rule, { check: compileAuth(def)!, path })
      const own = def.options.cache?.scope === 'user'
      rules.set(path, { rule, own })
      this.targets.set(path, own ? { shared: undefined, own: this.classOf([rule]) } : { shared: this.classOf([rule]), own: undefined })
    }
    // A sub-router reaches a connection that may call at least one procedure under it.
    for (const prefix of flat.prefixes) {
      const shared: (string | null)[] = []
      const own: (string | null)[] = []
      for (const [path, { rule, own: isOwn }] of rules) if (path.startsWith(prefix + '.')) (isOwn ? own : shared).push(rule)
      this.targets.set(prefix, {
        shared: shared.length === 0 ? undefined : this.classOf(shared),
        own: own.length === 0 ? undefined : this.classOf(own),
      })
    }
    const sharedClasses = new Set<AudienceClass>([this.publicClass])
    for (const target of this.targets.values()) if (target.shared !== undefined) sharedClasses.add(target.shared)
    this.sharedClasses = [...sharedClasses]
  }

  /** Who may hear invalidations of `path`; `undefined` (nobody) for a path that names nothing. */
  target(path: string): TargetAudience | undefined {
    return this.targets.get(path)
  }

  /**
   * Places a connection: runs each distinct rule once against its context (predicates may be
   * async) and lists the classes it belongs to. A rule that refuses, throws or rejects leaves the
   * connection out of that rule's classes; anything but a refusal is also reported.
   */
  evaluate(ctx: unknown, principal: string | null, report: AudienceReport): MaybePromise<ConnectionAudience> {
    const passed = new Set<string>()
    const pending: Promise<void>[] = []
    const refused = (error: unknown, path: string) => {
      if (!(error instanceof MizanError) || error.status >= 500) report(error, path)
    }
    for (const [id, { check, path }] of this.checks) {
      try {
        const result = check(ctx)
        if (result instanceof Promise) pending.push(result.then(() => void passed.add(id), (error: unknown) => refused(error, path)))
        else passed.add(id)
      } catch (error) {
        refused(error, path)
      }
    }
    const settle = (): ConnectionAudience => {
      const ids: string[] = []
      for (const audience of this.classes.values()) {
        if (audience.id === PUBLIC_ID || audience.rules.some((rule) => passed.has(rule))) ids.push(audience.id)
      }
      return { principal, classes: this.classSet(ids) }
    }
    return pending.length === 0 ? settle() : Promise.all(pending).then(settle)
  }

  /**
   * One set per combination of classes, shared by every connection in it: thousands of
   * connections fall into a handful of combinations, and a set each would be most of what an idle
   * connection holds. Bounded, as the rules' outcomes come from the apps' contexts.
   */
  private readonly classSets = new Map<string, ReadonlySet<string>>()

  private classSet(ids: readonly string[]): ReadonlySet<string> {
    const key = ids.join('\n')
    let set = this.classSets.get(key)
    if (set === undefined) {
      set = new Set(ids)
      if (this.classSets.size < MAX_CLASS_SETS) this.classSets.set(key, set)
    }
    return set
  }

  /** The class of a set of rules (`null` = no rule: anyone may call, so the class is public). */
  private classOf(rules: readonly (string | null)[]): AudienceClass {
    if (rules.includes(null)) return this.publicClass
    const sorted = [...new Set(rules as string[])].sort()
    const id = sorted.join('|')
    let audience = this.classes.get(id)
    if (audience === undefined) this.classes.set(id, (audience = { id, group: `inv:auth:${id}`, rules: sorted }))
    return audience
  }
}

/** Names `auth` rules from the router alone, so that every instance names them alike. */
class RuleIds {
  private readonly predicates = new Map<Function, string>()
  private readonly rolesFns = new Map<Function, string>()
  private readonly oneRolesFn: boolean

  constructor(flat: FlatRouter) {
    const rolesFns = new Set<Function>()
    for (const def of flat.procedures.values()) if (def.roles !== undefined) rolesFns.add(def.roles)
    this.oneRolesFn = rolesFns.size <= 1
  }

  /** The id of a procedure's rule, or null when anyone may call it. */
  of(path: string, def: ProcedureDef): string | null {
    const rule = def.options.auth
    if (rule === undefined || rule === false) return null
    if (rule === true) return 'user'
    if (typeof rule === 'function') {
      let id = this.predicates.get(rule)
      // The first path that uses the function tells apart two predicates with the same source
      // (closures over different values); the source hash keeps two versions of one router (a
      // rolling deploy) from reading each other's predicate groups as their own.
      if (id === undefined) this.predicates.set(rule, (id = `fn:${path}#${sourceHash(rule)}`))
      return id
    }
    const roles = JSON.stringify([...new Set(typeof rule === 'string' ? [rule] : rule)].sort())
    if (this.oneRolesFn || def.roles === undefined) return `roles:${roles}`
    let tag = this.rolesFns.get(def.roles)
    if (tag === undefined) this.rolesFns.set(def.roles, (tag = `${path}#${sourceHash(def.roles)}`))
    return `roles@${tag}:${roles}`
  }
}

function sourceHash(fn: Function): string {
  return nodeCrypto().createHash('sha256').update(String(fn)).digest('base64url').slice(0, 10)
}

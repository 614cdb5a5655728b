import { createHmac } from 'node:crypto'
import type { Transformer } from '@mizan/wire'
import type { MaybePromise } from '../maybe-promise.js'
import type { CacheOptions } from '../procedure.js'
import { GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'
import { canonical } from './canonical.js'

/** Who a user-scoped entry belongs to; `null` or `undefined` means no user: such calls are not cached. */
export type PrincipalOf = (ctx: unknown) => string | number | null | undefined

/** What the origin cache needs to know of a call beyond its procedure. */
export interface CacheCall {
  readonly path: string
  readonly policy: CacheOptions
  /** True when the response sets cookies: such a response is never stored. */
  setsCookie(): boolean
}

/** The invalidation shape the cache purges. */
export interface PurgeTarget {
  path: string
  input?: unknown
}

interface Entry {
  /** The value, serialized by the transformer. */
  v: { json: unknown; meta?: unknown }
  /** Fresh until (ms since epoch). */
  f: number
  /** Servable stale until. */
  s: number
  /** The generations it was filled under. */
  g: number[]
}

/**
 * The origin cache: keyed by an HMAC of (path, rev, scope, principal, input), purged by bumping
 * generation counters, filled once per key at a time (single flight), stale-while-revalidate.
 * Every failure of the backend degrades to running the handler.
 */
export class OriginCache {
  private readonly flights = new Map<string, Promise<string>>()

  constructor(
    readonly backend: CacheBackend,
    private readonly transformer: Transformer,
    private readonly principalOf: PrincipalOf,
    private readonly report: (error: unknown, path: string) => void,
  ) {}

  /** The cached value of a call, or the value `fill` computes (stored for the next callers). */
  fetch(call: CacheCall, ctx: unknown, input: unknown, fill: () => MaybePromise<unknown>): MaybePromise<unknown> {
    const { path, policy } = call
    let principal = ''
    if (policy.scope === 'user') {
      const who = this.principalOf(ctx)
      // Fail closed: without a user there is no one the entry could belong to.
      if (who === null || who === undefined) return fill()
      principal = String(who)
    }
    let key: string
    let names: string[]
    try {
      key = this.hmac(`v1|${path}|${policy.rev ?? ''}|${policy.scope}|${principal}|${canonical(input)}`)
      names = this.generationsOf(path, input)
    } catch (error) {
      this.report(error, path)
      return fill()
    }
    let read: MaybePromise<CacheRead>
    try {
      read = this.backend.read(key, names)
    } catch (error) {
      this.report(error, path)
      return fill()
    }
    if (read instanceof Promise) {
      return read.then(
        (result) => this.afterRead(call, key, names, result, fill),
        (error: unknown) => {
          this.report(error, path)
          return fill()
        },
      )
    }
    return this.afterRead(call, key, names, read, fill)
  }

  /** Makes every entry of the targets unreachable. Resolves once the backend has it. */
  purge(targets: readonly PurgeTarget[], normalize: (path: string, input: unknown) => unknown): MaybePromise<void> {
    const names = new Set<string>()
    for (const target of targets) {
      names.add(target.input === undefined ? pathGeneration(target.path) : this.inputGeneration(target.path, normalize(target.path, target.input)))
    }
    return this.backend.bump([...names])
  }

  /** Makes every entry unreachable at once, without scanning keys. */
  bumpRevision(): MaybePromise<void> {
    return this.backend.bump([GLOBAL_GENERATION])
  }

  private afterRead(call: CacheCall, key: string, names: string[], read: CacheRead, fill: () => MaybePromise<unknown>): MaybePromise<unknown> {
    const entry = read.entry === null ? undefined : parseEntry(read.entry)
    if (entry !== undefined && sameGenerations(entry.g, read.generations)) {
      const now = Date.now()
      if (now < entry.f) return this.decode(entry)
      if (now < entry.s) {
        // Stale but servable: answer now, and let exactly one refresh run behind it.
        this.fillOnce(call, key, names, read.generations, fill).catch((error: unknown) => this.report(error, call.path))
        return this.decode(entry)
      }
    }
    return this.fillOnce(call, key, names, read.generations, fill).then((text) => this.decode(parseEntry(text)!))
  }

  /**
   * Runs the handler once per key and generations: concurrent misses share it, and a call that
   * reads newer generations (after a purge) never joins a fill that began before.
   */
  private fillOnce(call: CacheCall, key: string, names: string[], generations: number[], fill: () => MaybePromise<unknown>): Promise<string> {
    const flightKey = `${key}|${generations.join('.')}`
    const running = this.flights.get(flightKey)
    if (running !== undefined) return running
    const { ttl, swr = 0 } = call.policy
    const flight = Promise.resolve()
      .then(fill)
      .then((value) => {
        const now = Date.now()
        const entry: Entry = { v: this.transformer.serialize(value), f: now + ttl * 1000, s: now + (ttl + swr) * 1000, g: generations }
        const text = JSON.stringify(entry)
        if (!call.setsCookie()) this.store(call.path, key, text, (ttl + swr) * 1000, names, generations)
        return text
      })
      .finally(() => this.flights.delete(flightKey))
    this.flights.set(flightKey, flight)
    return flight
  }

  private store(path: string, key: string, text: string, ttlMs: number, names: string[], generations: number[]): void {
    try {
      const written = this.backend.write(key, text, ttlMs, names, generations)
      if (written instanceof Promise) written.catch((error: unknown) => this.report(error, path))
    } catch (error) {
      this.report(error, path)
    }
  }

  private decode(entry: Entry): unknown {
    return this.transformer.deserialize(entry.v.json, entry.v.meta)
  }

  /** The generations an entry of `path` and `input` depends on: global, each enclosing router, the procedure, the one input. */
  private generationsOf(path: string, input: unknown): string[] {
    const names = [GLOBAL_GENERATION]
    let dot = path.indexOf('.')
    while (dot !== -1) {
      names.push(pathGeneration(path.slice(0, dot)))
      dot = path.indexOf('.', dot + 1)
    }
    names.push(pathGeneration(path), this.inputGeneration(path, input))
    return names
  }

  private inputGeneration(path: string, input: unknown): string {
    return `i:${path}:${this.hmac(canonical(input))}`
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.backend.secret).update(text).digest('base64url')
  }
}

function pathGeneration(path: string): string {
  return `p:${path}`
}

function sameGenerations(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function parseEntry(text: string): Entry | undefined {
  try {
    const entry = JSON.parse(text) as Entry
    return typeof entry === 'object' && entry !== null && Array.isArray(entry.g) ? entry : undefined
  } catch {
    return undefined
  }
}

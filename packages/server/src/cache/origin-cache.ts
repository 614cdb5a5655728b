import { createHmac } from 'node:crypto'
import type { Transformer } from '@mizan/wire'
import type { MaybePromise } from '../maybe-promise.js'
import type { CacheOptions } from '../procedure.js'
import { dataBody, readDataBody } from '../transformer.js'
import { GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'
import { canonical } from './canonical.js'
import { CacheEntry, decodeEntry, etagOf } from './entry.js'
import { ValueMemo } from './value-memo.js'

export { CachedAnswer, etagOf } from './entry.js'

/** Who a user-scoped entry belongs to; `null` or `undefined` means no user: such calls are not cached. */
export type PrincipalOf = (ctx: unknown) => string | number | null | undefined

/** What the origin cache needs to know of a call's surroundings (the transport's `CallEnv`). */
export interface CacheCallEnv {
  /** True when the response sets cookies: such a response is never stored. */
  setsCookie?(): boolean
  /** Return hits as a {@link CachedAnswer} (the stored body) rather than a decoded value. */
  readonly wantsCachedBody?: boolean
}

/** A cached procedure, prepared once when the router is served: its policy and the addresses of its recent calls. */
export class CacheSite {
  /** The start of every key's HMAC input: `v1|path|rev|scope|`. */
  readonly id: string
  readonly memo = new ValueMemo<Address>(50_000)
  /** Addresses of inputs the memo does not take, by principal (length-prefixed) and canonical text. */
  readonly byText = new Map<string, Address>()

  constructor(
    readonly path: string,
    readonly policy: CacheOptions,
  ) {
    this.id = `v1|${path}|${policy.rev ?? ''}|${policy.scope}|`
  }
}

/** The invalidation shape the cache purges. */
export interface PurgeTarget {
  path: string
  input?: unknown
}

/**
 * The origin cache: keyed by an HMAC of (path, rev, scope, principal, input), purged by bumping
 * generation counters, filled once per key at a time (single flight), stale-while-revalidate.
 * Every failure of the backend degrades to running the handler.
 */
export class OriginCache {
  private readonly flights = new Map<string, Promise<CacheEntry>>()

  constructor(
    readonly backend: CacheBackend,
    private readonly transformer: Transformer,
    private readonly principalOf: PrincipalOf,
    private readonly report: (error: unknown, path: string) => void,
  ) {}

  /** The site of a cached procedure, for {@link fetch}. */
  site(path: string, policy: CacheOptions): CacheSite {
    return new CacheSite(path, policy)
  }

  /** The cached value of a call, or the value `fill` computes (stored for the next callers). */
  fetch(site: CacheSite, env: CacheCallEnv, ctx: unknown, input: unknown, fill: () => MaybePromise<unknown>): MaybePromise<unknown> {
    const { path, policy } = site
    let principal = ''
    if (policy.scope === 'user') {
      const who = this.principalOf(ctx)
      // Fail closed: without a user there is no one the entry could belong to.
      if (who === null || who === undefined) return fill()
      principal = String(who)
    }
    let address: Address
    let read: MaybePromise<CacheRead>
    try {
      address = this.addressOf(site, principal, input)
      const backend = this.backend
      if (backend.peek !== undefined) {
        // A hit held in this process: no read, no parse, no allocation.
        const entry = backend.peek(address.key, address.names)
        if (entry !== undefined && Date.now() < entry.fresh) return this.answer(env, entry)
      }
      read = backend.read(address.key, address.names)
    } catch (error) {
      this.report(error, path)
      return fill()
    }
    const { key, names } = address
    if (read instanceof Promise) {
      return read.then(
        (result) => this.afterRead(site, env, key, names, result, fill),
        (error: unknown) => {
          this.report(error, path)
          return fill()
        },
      )
    }
    return this.afterRead(site, env, key, names, read, fill)
  }

  /** Makes every entry of the targets unreachable. Resolves once the backend has it. */
  purge(targets: readonly PurgeTarget[], normalize: (path: string, input: unknown) => unknown): MaybePromise<void> {
    const names = new Set<string>()
    for (const target of targets) {
      names.add(target.input === undefined ? pathGeneration(target.path) : this.inputGeneration(target.path, canonical(normalize(target.path, target.input))))
    }
    return this.backend.bump([...names])
  }

  /** Makes every entry unreachable at once, without scanning keys. */
  bumpRevision(): MaybePromise<void> {
    return this.backend.bump([GLOBAL_GENERATION])
  }

  private afterRead(site: CacheSite, env: CacheCallEnv, key: string, names: readonly string[], read: CacheRead, fill: () => MaybePromise<unknown>): MaybePromise<unknown> {
    const entry = read.entry === null ? undefined : decodeEntry(read.entry)
    if (entry !== undefined && entry.filledUnder(read.generations)) {
      const now = Date.now()
      if (now < entry.fresh) return this.answer(env, entry)
      if (now < entry.stale) {
        // Stale but servable: answer now, and let exactly one refresh run behind it.
        this.fillOnce(site, env, key, names, read.generations, fill).catch((error: unknown) => this.report(error, site.path))
        return this.answer(env, entry)
      }
    }
    return this.fillOnce(site, env, key, names, read.generations, fill).then((filled) => this.answer(env, filled))
  }

  /** A fresh copy of the stored value (so no caller can change the cache), or the entry itself, whose body goes out as it is. */
  private answer(env: CacheCallEnv, entry: CacheEntry): unknown {
    return env.wantsCachedBody === true ? entry : readDataBody(entry.body, this.transformer)
  }

  /**
   * Runs the handler once per key and generations: concurrent misses share it, and a call that
   * reads newer generations (after a purge) never joins a fill that began before.
   */
  private fillOnce(site: CacheSite, env: CacheCallEnv, key: string, names: readonly string[], read: readonly number[], fill: () => MaybePromise<unknown>): Promise<CacheEntry> {
    const flightKey = `${key}|${read.join('.')}`
    const running = this.flights.get(flightKey)
    if (running !== undefined) return running
    const { ttl, swr = 0 } = site.policy
    // Its own copy: the entry freezes it, and the backend's array is the backend's.
    const generations = read.slice()
    const flight = Promise.resolve()
      .then(fill)
      .then((value) => {
        const now = Date.now()
        const body = dataBody(value, this.transformer)
        const entry = new CacheEntry(now + ttl * 1000, now + (ttl + swr) * 1000, generations, etagOf(body), body)
        if (env.setsCookie?.() !== true) this.store(site.path, key, entry, (ttl + swr) * 1000, names)
        return entry
      })
      .finally(() => this.flights.delete(flightKey))
    this.flights.set(flightKey, flight)
    return flight
  }

  private store(path: string, key: string, entry: CacheEntry, ttlMs: number, names: readonly string[]): void {
    try {
      const written = this.backend.write(key, entry.encode(), ttlMs, names, entry.generations, entry)
      if (written instanceof Promise) written.catch((error: unknown) => this.report(error, path))
    } catch (error) {
      this.report(error, path)
    }
  }

  private readonly pathGenerations = new Map<string, string[]>()

  /** The generations an entry of `path` and an input (its canonical text) depends on: global, each enclosing router, the procedure, the one input. */
  private generationsOf(path: string, input: string): string[] {
    let names = this.pathGenerations.get(path)
    if (names === undefined) {
      names = [GLOBAL_GENERATION]
      let dot = path.indexOf('.')
      while (dot !== -1) {
        names.push(pathGeneration(path.slice(0, dot)))
        dot = path.indexOf('.', dot + 1)
      }
      names.push(pathGeneration(path))
      this.pathGenerations.set(path, names)
    }
    return [...names, this.inputGeneration(path, input)]
  }

  private inputGeneration(path: string, input: string): string {
    return `i:${path}:${this.hmac(input)}`
  }

  /** Recent digests: hot keys are computed once, not once per request. Bounded; cleared when full. */
  private readonly digests = new Map<string, string>()

  /** Where a call's entry lives. A hot input is found by walking it: no canonical text, no digest. */
  private addressOf(site: CacheSite, principal: string, input: unknown): Address {
    const remembered = site.memo.get(principal, input)
    if (remembered) return remembered
    const text = canonical(input)
    if (remembered === undefined) {
      const address = this.newAddress(site, principal, text)
      if (site.memo.set(principal, input, address)) return address
    }
    // Inputs the memo does not take (Dates, Maps, class instances) are remembered by their text.
    const local = `${principal.length}:${principal}${text}`
    let address = site.byText.get(local)
    if (address === undefined) {
      address = this.newAddress(site, principal, text)
      if (site.byText.size >= 10_000) site.byText.clear()
      site.byText.set(local, address)
    }
    return address
  }

  private newAddress(site: CacheSite, principal: string, text: string): Address {
    return { key: this.hmac(`${site.id}${principal}|${text}`), names: this.generationsOf(site.path, text) }
  }

  private hmac(text: string): string {
    let digest = this.digests.get(text)
    if (digest === undefined) {
      digest = createHmac('sha256', this.backend.secret).update(text).digest('base64url')
      if (this.digests.size >= 10_000) this.digests.clear()
      this.digests.set(text, digest)
    }
    return digest
  }
}

/** Where an entry lives: its key, and the generations it depends on (one array per address, so backends may key on it). */
interface Address {
  readonly key: string
  readonly names: readonly string[]
}

function pathGeneration(path: string): string {
  return `p:${path}`
}

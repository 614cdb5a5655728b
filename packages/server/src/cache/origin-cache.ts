import { createHash, createHmac } from 'node:crypto'
import type { Transformer } from '@mizan/wire'
import type { MaybePromise } from '../maybe-promise.js'
import type { CacheOptions } from '../procedure.js'
import { dataBody, readDataBody } from '../transformer.js'
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
  /** Return hits as a {@link CachedAnswer} (the stored body) rather than a decoded value. */
  readonly wantsBody: boolean
}

/** A cache hit as stored: the reply body and its ETag, for a transport to send as they are. */
export class CachedAnswer {
  constructor(
    readonly body: string,
    readonly etag: string,
  ) {}
}

/** The ETag of a reply body: a strong tag of 162 bits of its SHA-256. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
}

/** The invalidation shape the cache purges. */
export interface PurgeTarget {
  path: string
  input?: unknown
}

/**
 * A stored answer. Its text is `fresh stale generations etag body` separated by spaces: the
 * header is read without parsing the body, which goes out as it is on a hit over HTTP.
 */
interface Entry {
  /** Fresh until (ms since epoch). */
  fresh: number
  /** Servable, stale, until. */
  stale: number
  /** The generations it was filled under. */
  generations: number[]
  etag: string
  /** The reply body: `{"data":...,"meta"?:...}`. */
  body: string
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
      ;({ key, names } = this.addressOf(path, policy, principal, canonical(input)))
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
      names.add(target.input === undefined ? pathGeneration(target.path) : this.inputGeneration(target.path, canonical(normalize(target.path, target.input))))
    }
    return this.backend.bump([...names])
  }

  /** Makes every entry unreachable at once, without scanning keys. */
  bumpRevision(): MaybePromise<void> {
    return this.backend.bump([GLOBAL_GENERATION])
  }

  private afterRead(call: CacheCall, key: string, names: string[], read: CacheRead, fill: () => MaybePromise<unknown>): MaybePromise<unknown> {
    const entry = read.entry === null ? undefined : parseEntry(read.entry)
    if (entry !== undefined && sameGenerations(entry.generations, read.generations)) {
      const now = Date.now()
      if (now < entry.fresh) return this.answer(call, entry)
      if (now < entry.stale) {
        // Stale but servable: answer now, and let exactly one refresh run behind it.
        this.fillOnce(call, key, names, read.generations, fill).catch((error: unknown) => this.report(error, call.path))
        return this.answer(call, entry)
      }
    }
    return this.fillOnce(call, key, names, read.generations, fill).then((text) => this.answer(call, parseEntry(text)!))
  }

  /** A fresh copy of the stored value (so no caller can change the cache), or the body as it is. */
  private answer(call: CacheCall, entry: Entry): unknown {
    return call.wantsBody ? new CachedAnswer(entry.body, entry.etag) : readDataBody(entry.body, this.transformer)
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
        const body = dataBody(value, this.transformer)
        const text = `${now + ttl * 1000} ${now + (ttl + swr) * 1000} ${generations.join(',')} ${etagOf(body)} ${body}`
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
  /** Recent addresses (key and generation names) by call: a hit on a hot key costs one lookup. */
  private readonly addresses = new Map<string, { key: string; names: string[] }>()

  private addressOf(path: string, policy: CacheOptions, principal: string, input: string): { key: string; names: string[] } {
    const id = `v1|${path}|${policy.rev ?? ''}|${policy.scope}|${principal}|${input}`
    let address = this.addresses.get(id)
    if (address === undefined) {
      address = { key: this.hmac(id), names: this.generationsOf(path, input) }
      if (this.addresses.size >= 10_000) this.addresses.clear()
      this.addresses.set(id, address)
    }
    return address
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

function pathGeneration(path: string): string {
  return `p:${path}`
}

function sameGenerations(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function parseEntry(text: string): Entry | undefined {
  const a = text.indexOf(' ')
  const b = text.indexOf(' ', a + 1)
  const c = text.indexOf(' ', b + 1)
  const d = text.indexOf(' ', c + 1)
  if (a < 0 || b < 0 || c < 0 || d < 0) return undefined
  const generations = text.slice(b + 1, c).split(',').map(Number)
  return { fresh: Number(text.slice(0, a)), stale: Number(text.slice(a + 1, b)), generations, etag: text.slice(c + 1, d), body: text.slice(d + 1) }
}

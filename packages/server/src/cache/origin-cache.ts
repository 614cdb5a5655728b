import { nodeCrypto } from '../builtins.js'
import type { Transformer } from '@mizan/wire'
import { andThen, type MaybePromise } from '../maybe-promise.js'
import type { CacheOptions } from '../procedure.js'
import { dataBody, readDataBody, whenLoaded } from '../transformer.js'
import { GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'
import { canonical } from './canonical.js'
import { CacheEntry, decodeEntry, etagOf } from './entry.js'
import { ValueMemo } from './value-memo.js'
import { discardBinary, isBinary, type BinaryValue } from '../files/binary-output.js'

export { CachedAnswer, etagOf } from './entry.js'

/** Who a user-scoped entry belongs to; `null` or `undefined` means no user: such calls are not cached. */
export type PrincipalOf = (ctx: unknown) => string | number | null | undefined

/** What the origin cache needs to know of a call's surroundings (the transport's `CallEnv`). */
export interface CacheCallEnv {
  /** The caller's abort signal: a shared fill is aborted only when every caller waiting on it has gone. */
  signal?(): AbortSignal
  /** True when the response sets cookies: such a response is never stored, nor handed to other callers. */
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
    /** The canonical text of a shape: a shaped call's entries are apart from the whole output's, and from other shapes'. */
    shape?: string,
  ) {
    // `v1s` and the length prefix keep every shaped key apart from every unshaped one, whatever the principal.
    this.id = shape === undefined ? `v1|${path}|${policy.rev ?? ''}|${policy.scope}|` : `v1s|${path}|${policy.rev ?? ''}|${policy.scope}|${shape.length}:${shape}|`
  }
}

/** The invalidation shape the cache purges. */
export interface PurgeTarget {
  path: string
  input?: unknown
}

/**
 * Fills the value of a miss. A shared fill gets the flight's own signal (aborted only when every
 * waiting caller has gone); without one, the fill uses its caller's.
 */
export type Fill = (signal?: AbortSignal) => MaybePromise<unknown>

/**
 * How a fill ended: its entry, and whether callers other than the one that ran it may have it. A
 * result that is bytes has no entry: it is passed through, never stored.
 */
interface Filled {
  readonly entry: CacheEntry | undefined
  readonly bytes?: BinaryValue
  /** False when the run set cookies: its answer was made for its own caller alone. */
  readonly shareable: boolean
  /** The caller whose run it was. */
  readonly ran: CacheCallEnv
}

/**
 * One run of a handler that concurrent misses of a key share. It has its own abort signal, so the
 * first caller leaving cannot fail the others: it aborts only when every waiter has gone.
 */
class Flight {
  readonly controller = new AbortController()
  promise!: Promise<Filled>
  private waiters = 0
  /** Listeners on the waiters' signals, removed when the run settles: a socket's signal lives long. */
  private listening: [AbortSignal, () => void][] | undefined

  constructor(
    /** A refresh behind a stale answer has no waiter of its own: no one leaving aborts it. */
    private readonly detached: boolean,
    private readonly forget: () => void,
  ) {}

  /** Counts a caller in until its own signal aborts. */
  join(env: CacheCallEnv): void {
    this.waiters++
    const signal = env.signal?.()
    if (signal === undefined) return
    if (signal.aborted) return this.leave()
    const leave = () => this.leave()
    signal.addEventListener('abort', leave, { once: true })
    ;(this.listening ??= []).push([signal, leave])
  }

  /** The run is over: waiters leaving no longer matter. */
  settled(): void {
    this.waiters = Infinity
    for (const [signal, leave] of this.listening ?? []) signal.removeEventListener('abort', leave)
    this.listening = undefined
  }

  private leave(): void {
    if (--this.waiters > 0 || this.detached || this.controller.signal.aborted) return
    // No one is left to answer: later callers start a run of their own rather than join a dead one.
    this.forget()
    this.controller.abort(new DOMException('Every caller waiting on this cache fill has gone', 'AbortError'))
  }
}

/**
 * The origin cache: keyed by an HMAC of (path, rev, scope, shape, principal, input), purged by bumping
 * generation counters, filled once per key at a time (single flight), stale-while-revalidate.
 * Every failure of the backend degrades to running the handler.
 */
export class OriginCache {
  private readonly flights = new Map<string, Flight>()

  constructor(
    readonly backend: CacheBackend,
    private readonly transformer: Transformer,
    private readonly principalOf: PrincipalOf,
    private readonly report: (error: unknown, path: string) => void,
  ) {}

  /**
   * The site of a cached procedure, for {@link fetch}; with `shape` (a canonical shape), the site of
   * that shape's calls: other keys, the same generations, so invalidating the path or an input
   * reaches every shape of it.
   */
  site(path: string, policy: CacheOptions, shape?: string): CacheSite {
    return new CacheSite(path, policy, shape)
  }

  /** The cached value of a call, or the value `fill` computes (stored for the next callers). */
  fetch(site: CacheSite, env: CacheCallEnv, ctx: unknown, input: unknown, fill: Fill): MaybePromise<unknown> {
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

  private afterRead(site: CacheSite, env: CacheCallEnv, key: string, names: readonly string[], read: CacheRead, fill: Fill): MaybePromise<unknown> {
    const entry = read.entry === null ? undefined : decodeEntry(read.entry)
    if (entry !== undefined && entry.filledUnder(read.generations)) {
      const now = Date.now()
      if (now < entry.fresh) return this.answer(env, entry)
      if (now < entry.stale) {
        // Stale but servable: answer now, and let exactly one refresh run behind it.
        this.fillOnce(site, env, key, names, read.generations, fill, true).catch((error: unknown) => this.report(error, site.path))
        return this.answer(env, entry)
      }
    }
    const flight = this.fillOnce(site, env, key, names, read.generations, fill, false)
    return flight.then((filled) => {
      if (filled.entry === undefined) return filled.shareable || filled.ran === env ? filled.bytes : fill()
      if (filled.shareable || filled.ran === env) return this.answer(env, filled.entry)
      // An answer made for another caller (it set cookies): this caller runs its own.
      return fill()
    })
  }

  /** A fresh copy of the stored value (so no caller can change the cache), or the entry itself, whose body goes out as it is. */
  private answer(env: CacheCallEnv, entry: CacheEntry): MaybePromise<unknown> {
    return env.wantsCachedBody === true ? entry : whenLoaded(() => readDataBody(entry.body, this.transformer))
  }

  /**
   * Runs the handler once per key and generations: concurrent misses share it, and a call that
   * reads newer generations (after a purge) never joins a fill that began before. `detached` is a
   * refresh behind a stale answer, which its caller does not wait for.
   */
  private fillOnce(
    site: CacheSite,
    env: CacheCallEnv,
    key: string,
    names: readonly string[],
    read: readonly number[],
    fill: Fill,
    detached: boolean,
  ): Promise<Filled> {
    const flightKey = `${key}|${read.join('.')}`
    let flight = this.flights.get(flightKey)
    if (flight === undefined) {
      const forget = () => {
        if (this.flights.get(flightKey) === started) this.flights.delete(flightKey)
      }
      const started = new Flight(detached, forget)
      flight = started
      // Its own copy: the entry freezes it, and the backend's array is the backend's.
      const generations = read.slice()
      started.promise = Promise.resolve()
        .then(() => fill(started.controller.signal))
        .then((value): MaybePromise<Filled> => {
          if (isBinary(value)) {
            // Bytes are never stored. A Blob may go to every waiter; a stream is read once, by its own caller.
            if (detached) discardBinary(value)
            return { entry: undefined, bytes: value, shareable: value instanceof Blob, ran: env }
          }
          return this.stored(site, key, names, generations, env, value)
        })
        .finally(() => {
          forget()
          started.settled()
        })
      this.flights.set(flightKey, started)
    }
    if (!detached) flight.join(env)
    return flight.promise
  }

  /** Serializes a filled value into an entry, and stores it when other callers may have it. */
  private stored(site: CacheSite, key: string, names: readonly string[], generations: readonly number[], env: CacheCallEnv, value: unknown): MaybePromise<Filled> {
    const { ttl, swr = 0 } = site.policy
    return andThen(whenLoaded(() => dataBody(value, this.transformer)), (body) => {
      const now = Date.now()
      const entry = new CacheEntry(now + ttl * 1000, now + (ttl + swr) * 1000, generations, etagOf(body), body)
      const shareable = env.setsCookie?.() !== true
      if (shareable) this.store(site.path, key, entry, (ttl + swr) * 1000, names)
      return { entry, shareable, ran: env }
    })
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
      digest = nodeCrypto().createHmac('sha256', this.backend.secret).update(text).digest('base64url')
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

import { GLOBAL_GENERATION } from './backend.js'
import type { CacheEntry } from './entry.js'
import { Lru } from './lru.js'

/** Options of the near cache: `redisCache({ nearCache: true })` or `{ nearCache: { maxEntries } }`. */
export interface NearCacheOptions {
  /** Entries kept in this process at most; the least recently used go first (give or take a quarter of them). Default 10,000. */
  maxEntries?: number
  /** Approximate bytes of entries kept in this process at most. Default 64 MiB. */
  maxBytes?: number
}

/**
 * What this instance has seen in Redis, so that a hit needs no round trip: entries, and the value
 * of each generation counter as last read. Purges reach it through {@link forget} (from the purge
 * channel, and at once for this instance's own). An entry is served only when every generation it
 * was filled under is known here and equal, and nothing is known while the channel is not live.
 *
 * What a command shows is learned only if none of its generations was forgotten while it was on
 * the way ({@link mark}): a purge's message and the reply of a read that ran before the purge
 * travel on two connections, and the message may arrive first.
 */
export class NearCache {
  private readonly entries: Lru<CacheEntry>
  private readonly known = new Map<string, number>()
  /** When each recently purged generation was forgotten (an {@link epoch}), oldest first. */
  private readonly forgotten = new Map<string, number>()
  private readonly maxNames: number
  private live = false
  /** Counts forgets and resets; a mark is the epoch a command was sent at. */
  private epoch = 0
  /** Commands sent before this learn nothing: set by resets, and as {@link forgotten} drops its oldest. */
  private floor = 0

  constructor(options: NearCacheOptions) {
    const maxEntries = options.maxEntries ?? 10_000
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError(`Mizan: nearCache.maxEntries must be a positive integer, got ${maxEntries}`)
    if (!(maxBytes > 0)) throw new TypeError(`Mizan: nearCache.maxBytes must be positive, got ${maxBytes}`)
    this.entries = new Lru(maxEntries, maxBytes)
    this.maxNames = maxEntries * 4
  }

  /** True while purges are heard: only then is anything kept or served. */
  get trusted(): boolean {
    return this.live
  }

  /** The entry under `key` when every generation it was filled under is known here and current. */
  peek(key: string, names: readonly string[]): CacheEntry | undefined {
    if (!this.live) return undefined
    const entry = this.entries.get(key)
    return entry?.heldUnder(names, this.known, undefined) === true ? entry : undefined
  }

  /** Taken before a command is sent, for {@link record}. */
  mark(): number {
    return this.epoch
  }

  /**
   * What Redis held when the command marked `mark` ran: the values of `names`, and the entry under
   * `key` if there was one. The entry is kept only when it was filled under exactly those values.
   */
  record(mark: number, names: readonly string[], values: readonly number[], key: string, entry: CacheEntry | undefined): void {
    if (!this.live || mark < this.floor) return
    for (const name of names) if ((this.forgotten.get(name) ?? 0) > mark) return
    for (let i = 0; i < names.length; i++) this.known.set(names[i]!, values[i]!)
    // Forgetting a value is always safe (the next read learns it again): the oldest go past the bound.
    while (this.known.size > this.maxNames) this.known.delete(this.known.keys().next().value!)
    if (entry !== undefined && entry.filledUnder(values)) this.entries.set(key, entry, (entry.body.length + entry.etag.length) * 2 + 64)
  }

  /** A purge: these generations moved, so nothing filled under what is known of them is served. */
  forget(names: readonly string[]): void {
    const now = ++this.epoch
    // Every entry depends on the global generation: nothing known is of use any more.
    if (names.includes(GLOBAL_GENERATION)) return this.reset(this.live)
    for (const name of names) {
      this.known.delete(name)
      this.forgotten.delete(name)
      this.forgotten.set(name, now)
    }
    while (this.forgotten.size > this.maxNames) {
      const [oldest, at] = this.forgotten.entries().next().value!
      this.forgotten.delete(oldest)
      // Its purge is no longer remembered: commands that were on the way then learn nothing.
      this.floor = Math.max(this.floor, at)
    }
  }

  /**
   * The purge channel went down or came (back) up. Purges sent while it was down are lost, so
   * everything is dropped either way, and commands sent before learn nothing.
   */
  reset(live: boolean): void {
    this.floor = ++this.epoch
    this.live = live
    this.entries.clear()
    this.known.clear()
    this.forgotten.clear()
  }
}

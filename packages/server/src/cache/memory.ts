import { randomBytes } from 'node:crypto'
import { cacheSecret, GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'

/** Options of {@link memoryCache}. */
export interface MemoryCacheOptions {
  /** Entries kept at most; the least recently used go first. Default 10,000. */
  maxEntries?: number
  /** Approximate bytes of entry text kept at most. Default 64 MiB. */
  maxBytes?: number
  /** The key secret, at least 32 bytes. Default: random per process (this cache lives in one process anyway). */
  secret?: string | Uint8Array
}

interface Entry {
  text: string
  expiresAt: number
  bornAt: number
}

/**
 * The embedded cache: an LRU in this process. Entries are stored as text, so nothing a caller
 * does to a value it got can reach the cache.
 */
export function memoryCache(options: MemoryCacheOptions = {}): CacheBackend {
  const secret = options.secret === undefined ? new Uint8Array(randomBytes(32)) : cacheSecret(options.secret, 'memoryCache()')
  return new MemoryCache(options.maxEntries ?? 10_000, options.maxBytes ?? 64 * 1024 * 1024, secret)
}

class MemoryCache implements CacheBackend {
  readonly kind = 'memory'
  private readonly entries = new Map<string, Entry>()
  private readonly generations = new Map<string, number>()
  private bytes = 0
  /** Entries born before this are unreadable: set when a generation counter is dropped (see bump). */
  private floor = 0
  private clock = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    readonly secret: Uint8Array,
  ) {}

  read(key: string, names: readonly string[]): CacheRead {
    const generations = names.map((name) => this.generations.get(name) ?? 0)
    const entry = this.entries.get(key)
    if (entry === undefined) return { entry: null, generations }
    if (entry.expiresAt <= Date.now() || entry.bornAt < this.floor) {
      this.drop(key, entry)
      return { entry: null, generations }
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key)
    this.entries.set(key, entry)
    return { entry: entry.text, generations }
  }

  write(key: string, text: string, ttlMs: number, names: readonly string[], expected: readonly number[]): boolean {
    for (let i = 0; i < names.length; i++) if ((this.generations.get(names[i]!) ?? 0) !== expected[i]) return false
    const previous = this.entries.get(key)
    if (previous !== undefined) this.drop(key, previous)
    this.entries.set(key, { text, expiresAt: Date.now() + ttlMs, bornAt: ++this.clock })
    this.bytes += text.length * 2
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next()
      if (oldest.done) break
      this.drop(oldest.value, this.entries.get(oldest.value)!)
    }
    return true
  }

  bump(names: readonly string[]): void {
    for (const name of names) {
      const next = (this.generations.get(name) ?? 0) + 1
      // Re-inserted so the Map's order is the order of last bump, for the bound below.
      this.generations.delete(name)
      this.generations.set(name, next)
    }
    ++this.clock
    // Counters are bounded too. A dropped counter would read 0 again and could revive entries its
    // bumps had hidden, so every entry born before the drop goes with it.
    while (this.generations.size > this.maxEntries * 2) {
      const oldest = this.generations.keys().next().value!
      if (oldest === GLOBAL_GENERATION) {
        this.generations.set(oldest, this.generations.get(oldest)!)
        continue
      }
      this.generations.delete(oldest)
      this.floor = this.clock
    }
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key)
    this.bytes -= entry.text.length * 2
  }
}

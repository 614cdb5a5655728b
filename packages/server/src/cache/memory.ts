import { nodeCrypto } from '../builtins.js'
import { cacheSecret, GLOBAL_GENERATION, type CacheBackend, type CacheRead } from './backend.js'
import { decodeEntry, type CacheEntry } from './entry.js'
import { Lru } from './lru.js'

/** Options of {@link memoryCache}. */
export interface MemoryCacheOptions {
  /** Entries kept at most; the least recently used go first (give or take a quarter of them: see docs/cache.md). Default 10,000. */
  maxEntries?: number
  /** Approximate bytes of entry text kept at most. Default 64 MiB. */
  maxBytes?: number
  /** The key secret, at least 32 bytes. Default: random per process (this cache lives in one process anyway). */
  secret?: string | Uint8Array
}

interface Stored {
  /** Decoded once when written, so a hit parses nothing; the text only if it is not an entry. */
  entry: CacheEntry | string
  expiresAt: number
  bornAt: number
}

/**
 * The embedded cache: an LRU in this process. Entries are immutable (text, and a frozen decoded
 * copy), so nothing a caller does to a value it got can reach the cache.
 */
export function memoryCache(options: MemoryCacheOptions = {}): CacheBackend {
  const secret = options.secret === undefined ? new Uint8Array(nodeCrypto().randomBytes(32)) : cacheSecret(options.secret, 'memoryCache()')
  return new MemoryCache(options.maxEntries ?? 10_000, options.maxBytes ?? 64 * 1024 * 1024, secret)
}

class MemoryCache implements CacheBackend {
  readonly kind = 'memory'
  private readonly entries: Lru<Stored>
  private readonly generations = new Map<string, number>()
  /** Entries born before this are unreadable: set when a generation counter is dropped (see bump). */
  private floor = 0
  private clock = 0

  constructor(
    private readonly maxEntries: number,
    maxBytes: number,
    readonly secret: Uint8Array,
  ) {
    this.entries = new Lru(maxEntries, maxBytes)
  }

  peek(key: string, names: readonly string[]): CacheEntry | undefined {
    const stored = this.entries.get(key)
    if (stored === undefined || stored.bornAt < this.floor) return undefined
    const entry = stored.entry
    return typeof entry !== 'string' && entry.heldUnder(names, this.generations, 0) ? entry : undefined
  }

  read(key: string, names: readonly string[]): CacheRead {
    const generations = names.map((name) => this.generations.get(name) ?? 0)
    const stored = this.entries.get(key)
    if (stored === undefined) return { entry: null, generations }
    if (stored.expiresAt <= Date.now() || stored.bornAt < this.floor) {
      this.entries.delete(key)
      return { entry: null, generations }
    }
    // Off the hit path (stale, or moved generations): the text is made again rather than kept twice.
    return { entry: typeof stored.entry === 'string' ? stored.entry : stored.entry.encode(), generations }
  }

  write(key: string, text: string, ttlMs: number, names: readonly string[], expected: readonly number[], entry?: CacheEntry): boolean {
    for (let i = 0; i < names.length; i++) if ((this.generations.get(names[i]!) ?? 0) !== expected[i]) return false
    this.entries.set(key, { entry: entry ?? decodeEntry(text) ?? text, expiresAt: Date.now() + ttlMs, bornAt: ++this.clock }, text.length * 2)
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
        // Never dropped: moved to the recent end (a plain set would leave it first, and loop).
        const value = this.generations.get(oldest)!
        this.generations.delete(oldest)
        this.generations.set(oldest, value)
        continue
      }
      this.generations.delete(oldest)
      this.floor = this.clock
    }
  }
}

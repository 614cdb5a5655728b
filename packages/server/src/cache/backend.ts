import type { CacheEntry } from './entry.js'

/**
 * Where cache entries and generation counters live. Entries are opaque text; generations are
 * counters that purges bump. An entry records the generations it was filled under and is served
 * only while they are unchanged, so a purge never needs to find entries.
 */
export interface CacheBackend {
  /** A name for logs and the manifest (`memory`, `redis`). */
  readonly kind: string
  /** The key secret (at least 32 bytes): keys are HMACs, so nothing of an input is stored raw. */
  readonly secret: Uint8Array
  /** Seconds a generation counter outlives its last bump, when counters expire (Redis). */
  readonly generationTTL?: number
  /**
   * The fast path of a backend that keeps decoded entries in this process: the entry under `key`
   * when it is held here and every generation it was filled under (`names`, in order) is current,
   * else `undefined`, and the call goes on to {@link read}. Synchronous and without I/O; the entry
   * may be past its freshness (the caller checks), and is shared, so it must never change.
   */
  peek?(key: string, names: readonly string[]): CacheEntry | undefined
  /** The entry under `key` (or `null`) and the current value of each generation, in one read. */
  read(key: string, generations: readonly string[]): CacheRead | Promise<CacheRead>
  /**
   * Stores an entry for `ttlMs`, unless a generation moved since `expected` was read: a fill that
   * began before a purge must never land after it. `entry` is `text` decoded, for a backend that
   * keeps decoded entries (see {@link peek}); it is frozen and may be kept as it is.
   */
  write(key: string, text: string, ttlMs: number, generations: readonly string[], expected: readonly number[], entry?: CacheEntry): boolean | Promise<boolean>
  /** Bumps generations: every entry filled under their old values becomes unreachable. */
  bump(generations: readonly string[]): void | Promise<void>
  /** Called when the server closes. */
  close?(): void | Promise<void>
}

/** What {@link CacheBackend.read} returns. */
export interface CacheRead {
  entry: string | null
  generations: number[]
}

/** The generation every entry depends on: bumping it is the global revision bump. */
export const GLOBAL_GENERATION = '*'

/** The cache secret from an option: at least 256 bits, or a random one when `random` is allowed. */
export function cacheSecret(option: string | Uint8Array | undefined, where: string): Uint8Array {
  if (option === undefined) throw new TypeError(`Mizan: ${where} needs a secret of at least 32 bytes, of its own (not a session or JWT secret)`)
  const bytes = typeof option === 'string' ? new TextEncoder().encode(option) : option
  if (bytes.byteLength < 32) throw new TypeError(`Mizan: ${where}: the cache secret must be at least 32 bytes (256 bits), got ${bytes.byteLength}`)
  return bytes
}

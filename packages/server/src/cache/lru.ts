interface Slot<V> {
  readonly value: V
  readonly bytes: number
  /** The insertion count when it last moved to the recent end. */
  moved: number
}

/**
 * A map bounded by a count and by approximate bytes, dropping the least recently used first.
 *
 * Recency is kept by the Map's insertion order. Moving an entry to the recent end is a delete and a
 * set, and deleted slots make V8 rebuild the whole table every so often: on a large map that costs
 * about a microsecond per move, more than the rest of a cache hit. So an entry is moved only once
 * a quarter of the map has moved past it since its own last move: a hot entry stays put, the
 * bounds hold exactly, and eviction errs by at most that quarter.
 */
export class Lru<V> {
  private readonly slots = new Map<string, Slot<V>>()
  private bytes = 0
  private moves = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  /** How many entries it holds. */
  get size(): number {
    return this.slots.size
  }

  /** The value under `key`, counted as a use. */
  get(key: string): V | undefined {
    const slot = this.slots.get(key)
    if (slot === undefined) return undefined
    if (this.moves - slot.moved > this.slots.size >> 2) {
      this.slots.delete(key)
      this.slots.set(key, slot)
      slot.moved = ++this.moves
    }
    return slot.value
  }

  /** Stores `value` as the most recently used, then drops the least recently used past the bounds. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key)
    this.slots.set(key, { value, bytes, moved: ++this.moves })
    this.bytes += bytes
    while (this.slots.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.slots.keys().next()
      if (oldest.done) break
      this.delete(oldest.value)
    }
  }

  /** Drops the entry under `key`, if any. */
  delete(key: string): void {
    const slot = this.slots.get(key)
    if (slot === undefined) return
    this.slots.delete(key)
    this.bytes -= slot.bytes
  }

  /** Entries from the least recently used on (roughly: see the class), for freeing stale ones while iterating. */
  *oldestFirst(): IterableIterator<[string, V]> {
    for (const [key, slot] of this.slots) yield [key, slot.value]
  }

  /** Drops every entry. */
  clear(): void {
    this.slots.clear()
    this.bytes = 0
  }
}

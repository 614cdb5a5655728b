import { nodeCrypto } from '../builtins.js'

/** A cache hit as stored: the reply body and its ETag, for a transport to send as they are. */
export class CachedAnswer {
  constructor(
    readonly body: string,
    readonly etag: string,
  ) {}
}

/**
 * A stored answer, decoded. Backends that keep entries in the process hand the same object to
 * every hit, so it is frozen: no caller can change what the next one gets. It is its own
 * {@link CachedAnswer}, so a hit over HTTP allocates nothing to carry it.
 */
export class CacheEntry extends CachedAnswer {
  constructor(
    /** Fresh until (ms since epoch). */
    readonly fresh: number,
    /** Servable, stale, until (ms since epoch). */
    readonly stale: number,
    /** The generations it was filled under, in the order of the names it was read with. */
    readonly generations: readonly number[],
    etag: string,
    /** The reply body: `{"data":...,"meta"?:...}`. */
    body: string,
  ) {
    super(body, etag)
    Object.freeze(generations)
    Object.freeze(this)
  }

  /** True when it was filled under exactly these generation values: only then may it be served. */
  filledUnder(generations: readonly number[]): boolean {
    const own = this.generations
    if (own.length !== generations.length) return false
    for (let i = 0; i < own.length; i++) if (own[i] !== generations[i]) return false
    return true
  }

  /**
   * True when every generation it was filled under still holds in `counters` (read by `names`, in
   * order): the fast-path check of a backend that keeps counters in the process. A name missing
   * from `counters` reads as `absent`: `0` where a counter never bumped is zero, `undefined`
   * where a missing counter is unknown and so matches nothing.
   */
  heldUnder(names: readonly string[], counters: ReadonlyMap<string, number>, absent: number | undefined): boolean {
    const own = this.generations
    if (own.length !== names.length) return false
    for (let i = 0; i < own.length; i++) if ((counters.get(names[i]!) ?? absent) !== own[i]) return false
    return true
  }

  /** The entry as a backend stores it: `fresh stale generations etag body`, so the header is read without parsing the body. */
  encode(): string {
    return `${this.fresh} ${this.stale} ${this.generations.join(',')} ${this.etag} ${this.body}`
  }
}

/** The ETag of a reply body: a strong tag of 162 bits of its SHA-256. */
export function etagOf(body: string): string {
  return `"${nodeCrypto().createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
}

/** Reads an entry's text back, or `undefined` when it is not one (a stranger's key, a truncated value). */
export function decodeEntry(text: string): CacheEntry | undefined {
  const a = text.indexOf(' ')
  const b = text.indexOf(' ', a + 1)
  const c = text.indexOf(' ', b + 1)
  const d = text.indexOf(' ', c + 1)
  if (a < 0 || b < 0 || c < 0 || d < 0) return undefined
  const generations = text.slice(b + 1, c).split(',').map(Number)
  const fresh = Number(text.slice(0, a))
  const stale = Number(text.slice(a + 1, b))
  if (Number.isNaN(fresh) || Number.isNaN(stale) || generations.some(Number.isNaN)) return undefined
  return new CacheEntry(fresh, stale, generations, text.slice(c + 1, d), text.slice(d + 1))
}

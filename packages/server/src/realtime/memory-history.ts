import { nodeCrypto } from '../builtins.js'
import { MAX_EVENT_ID_LENGTH } from './pubsub.js'

/** Bounds of a memory history. */
export interface MemoryHistoryOptions {
  /** Payloads kept per group. Default 1,000. */
  maxLen?: number
  /** Milliseconds a payload is kept. Default 60,000. */
  ttl?: number
  /** Groups with a history at most; the one published to least recently is dropped first. Default 10,000. */
  maxGroups?: number
}

interface Entry {
  readonly seq: number
  readonly time: number
  readonly payload: string
}

/** A payload a joiner missed. */
export interface Missed {
  readonly id: string
  readonly seq: number
  readonly payload: string
}

interface GroupHistory {
  entries: Entry[]
  /** The highest seq dropped from this group (by length or age): an `after` below it has a gap. */
  trimmed: number
}

/**
 * The bounded history of the memory pub/sub: per group the last `maxLen` payloads of the last
 * `ttl` ms. Ids are `<epoch>-<seq>`, one sequence for the process and a random epoch per process,
 * so an id from before a restart (or from another process) is unknown.
 */
export class MemoryHistory {
  private readonly epoch = nodeCrypto().randomBytes(6).toString('base64url')
  private seq = 0
  /** Groups by their last publish, oldest first (re-inserted on publish), for the age and count sweep. */
  private readonly groups = new Map<string, GroupHistory>()
  /** The highest seq of a group history dropped whole: an `after` of a group without history below it may have a gap. */
  private dropped = 0
  private readonly maxLen: number
  private readonly ttl: number
  private readonly maxGroups: number

  constructor(
    options: MemoryHistoryOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxLen = positive('maxLen', options.maxLen ?? 1000)
    this.ttl = positive('ttl', options.ttl ?? 60_000)
    this.maxGroups = positive('maxGroups', options.maxGroups ?? 10_000)
  }

  /** Records a payload; returns its id and place in the process's sequence. */
  add(group: string, payload: string): { id: string; seq: number } {
    const time = this.now()
    const seq = ++this.seq
    let history = this.groups.get(group)
    // A group dropped whole before may have held payloads up to `dropped`: an `after` below it has a gap.
    if (history === undefined) history = { entries: [], trimmed: this.dropped }
    else this.groups.delete(group)
    // Re-inserted: the map stays ordered by last publish.
    this.groups.set(group, history)
    history.entries.push({ seq, time, payload })
    if (history.entries.length > this.maxLen) history.trimmed = history.entries.shift()!.seq
    this.sweep(time)
    return { id: this.id(seq), seq }
  }

  /** The id a subscriber that heard nothing yet resumes from: everything published later is after it. */
  latest(): string {
    return this.id(this.seq)
  }

  /**
   * What a subscriber that heard `after` missed in `group`, in order, or `undefined` when the
   * history cannot tell all of it (unknown, malformed or too old an id).
   */
  since(group: string, after: string): Missed[] | undefined {
    const seq = this.seqOf(after)
    if (seq === undefined) return undefined
    const time = this.now()
    this.sweep(time)
    const history = this.groups.get(group)
    if (history === undefined) return seq >= this.dropped ? [] : undefined
    this.expire(history, time)
    if (seq < history.trimmed) return undefined
    const missed: Missed[] = []
    for (const entry of history.entries) if (entry.seq > seq) missed.push({ id: this.id(entry.seq), seq: entry.seq, payload: entry.payload })
    return missed
  }

  /** Groups holding a history (for tests of its bounds). */
  get size(): number {
    return this.groups.size
  }

  private id(seq: number): string {
    return `${this.epoch}-${seq}`
  }

  /** The seq of an id of this process, or undefined for anything else. */
  private seqOf(id: string): number | undefined {
    if (id.length > MAX_EVENT_ID_LENGTH || !id.startsWith(this.epoch + '-')) return undefined
    const digits = id.slice(this.epoch.length + 1)
    if (!/^(0|[1-9]\d{0,15})$/.test(digits)) return undefined
    const seq = Number(digits)
    return seq <= this.seq ? seq : undefined
  }

  /** Drops payloads past the window from the front of a group. */
  private expire(history: GroupHistory, time: number): void {
    let cut = 0
    while (cut < history.entries.length && history.entries[cut]!.time < time - this.ttl) cut++
    if (cut === 0) return
    history.trimmed = history.entries[cut - 1]!.seq
    history.entries.splice(0, cut)
  }

  /** Drops whole groups whose last payload left the window, and the least recent over the count. */
  private sweep(time: number): void {
    for (const [group, history] of this.groups) {
      const last = history.entries[history.entries.length - 1]
      const stale = last === undefined || last.time < time - this.ttl
      if (!stale && this.groups.size <= this.maxGroups) break
      this.groups.delete(group)
      if (last !== undefined) this.dropped = Math.max(this.dropped, last.seq)
      this.dropped = Math.max(this.dropped, history.trimmed)
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) throw new TypeError(`Mizan: memoryPubSub history.${name} must be a positive number, got ${value}`)
  return value
}

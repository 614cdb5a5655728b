import { nodeCrypto } from '../builtins.js'
import type { Placement } from './pubsub.js'
import { MAX_EVENT_ID_LENGTH } from './pubsub.js'

/** Characters of a push cursor at most, read or written. */
export const MAX_PUSH_CURSOR_LENGTH = 512

/** A cursor entry: a group's tag, `~`, the last event id heard in it. Entries are joined by `.`. */
const ENTRY = /^([\w-]{1,16})~([\w-]{1,64})$/

/**
 * The push cursor of one connection: per push group it listens to, the last event id it heard,
 * written as an opaque, URL-safe string (`tag~id.tag~id`, a tag being a short hash of the group's
 * name). A client hands it back when it reconnects, to replay what it missed.
 *
 * It is client input when read back: only the entries whose tag names one of THIS connection's
 * groups are used, so a forged cursor can never make a connection hear a group it does not belong to.
 */
export class PushCursor {
  private readonly ids = new Map<string, string>()
  private readonly wanted = new Map<string, string>()
  private readonly tags: Map<string, string>
  private waiting: number
  private allResumed = true
  private text: string | undefined
  private written = false

  constructor(groups: readonly string[], after: string | undefined) {
    this.tags = new Map(groups.map((group) => [group, tagOf(group)]))
    this.waiting = groups.length
    this.asked = after !== undefined
    const entries = parse(after)
    for (const [group, tag] of this.tags) {
      const id = entries.get(tag)
      if (id !== undefined) this.wanted.set(group, id)
    }
  }

  /** Whether the connection was opened with a cursor. */
  readonly asked: boolean

  /** The id to replay `group` after, from the cursor the connection was opened with. */
  afterOf(group: string): string | undefined {
    return this.wanted.get(group)
  }

  /** A group's join was placed: its cursor starts at the join unless something was heard already. */
  placed(group: string, placement: Placement): void {
    this.waiting--
    if (!placement.resumed || !this.wanted.has(group)) this.allResumed = false
    if (placement.at !== undefined && !this.ids.has(group)) this.set(group, placement.at)
  }

  /** A push of `group` was heard (or skipped: the connection's own) with this id. */
  heard(group: string, id: string | undefined): void {
    if (id !== undefined) this.set(group, id)
  }

  /**
   * True when the connection was opened with a cursor and every group replayed all it missed;
   * false when it was opened with one and some group could not; undefined without one.
   */
  resumed(): boolean | undefined {
    if (!this.asked) return undefined
    return this.waiting === 0 && this.allResumed
  }

  /** The cursor to hand the client: undefined until some group has an id. */
  toString(): string | undefined {
    if (!this.written) {
      this.written = true
      let text = ''
      for (const [group, id] of this.ids) {
        const entry = `${this.tags.get(group)}~${id}`
        // Past the limit a group is left out: on a reconnect it does not resume, it is never wrong.
        if (text.length + entry.length + 1 > MAX_PUSH_CURSOR_LENGTH) continue
        text = text === '' ? entry : `${text}.${entry}`
      }
      this.text = text === '' ? undefined : text
    }
    return this.text
  }

  private set(group: string, id: string): void {
    if (id.length > MAX_EVENT_ID_LENGTH || this.ids.get(group) === id) return
    this.ids.set(group, id)
    this.written = false
  }
}

/** A group's tag in a cursor: short, URL-safe, the same on every instance. */
function tagOf(group: string): string {
  return nodeCrypto().createHash('sha256').update(group).digest('base64url').slice(0, 10)
}

/** The entries of a cursor from a client: anything malformed is left out, never an error. */
function parse(after: string | undefined): Map<string, string> {
  const entries = new Map<string, string>()
  if (after === undefined || after.length > MAX_PUSH_CURSOR_LENGTH) return entries
  for (const part of after.split('.', 64)) {
    const match = ENTRY.exec(part)
    if (match !== null) entries.set(match[1]!, match[2]!)
  }
  return entries
}

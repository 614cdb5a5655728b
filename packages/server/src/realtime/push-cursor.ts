import { nodeCrypto } from '../builtins.js'

/** Characters of a push cursor at most, read or written. */
export const MAX_PUSH_CURSOR_LENGTH = 512

/** A cursor entry: a group's tag, `~`, the last event id heard in it. Entries are joined by `.`. */
const ENTRY = /^([\w-]{1,16})~([\w-]{1,64})$/

// A push cursor says where a connection stands in each push group it listens to: per group, the
// last event id it heard, written as an opaque, URL-safe string (`tag~id.tag~id`, a tag being a
// short hash of the group's name). A client hands it back when it reconnects, to replay what it
// missed. Read back it is client input: only the entries whose tag names one of the NEW
// connection's own groups are used, so a forged cursor never makes a connection hear a group it
// does not belong to.

/** A group's tag in a cursor: short, URL-safe, the same on every instance. */
export function tagOf(group: string): string {
  return nodeCrypto().createHash('sha256').update(group).digest('base64url').slice(0, 10)
}

/** Writes a cursor from `[tag, id]` entries; undefined when there is none. Past the length limit a group is left out: it does not resume, it is never wrong. */
export function writeCursor(entries: Iterable<readonly [tag: string, id: string | undefined]>): string | undefined {
  let text = ''
  for (const [tag, id] of entries) {
    if (id === undefined) continue
    const entry = `${tag}~${id}`
    if (text.length + entry.length + 1 > MAX_PUSH_CURSOR_LENGTH) continue
    text = text === '' ? entry : `${text}.${entry}`
  }
  return text === '' ? undefined : text
}

/** The entries of a cursor from a client, by tag: anything malformed is left out, never an error. */
export function readCursor(after: string | undefined): Map<string, string> {
  const entries = new Map<string, string>()
  if (after === undefined || after.length > MAX_PUSH_CURSOR_LENGTH) return entries
  for (const part of after.split('.', 64)) {
    const match = ENTRY.exec(part)
    if (match !== null) entries.set(match[1]!, match[2]!)
  }
  return entries
}

/** An entry of a push cursor: a group's tag, `~`, the last event id heard in it. */
const ENTRY = /^([\w-]{1,16})~([\w-]{1,64})$/
/** Characters of a cursor at most, and entries kept at most: as the server writes them. */
const MAX_LENGTH = 512
const MAX_ENTRIES = 64

/**
 * Where the client stands in its invalidation pushes: per push group (by the tag the server gave
 * it), the last event id heard. The hello gives the whole cursor; each push carries its group's
 * entry, merged in. Sent back on a reconnect (`?after=` on the WebSocket's URL, `Last-Event-ID` on
 * an event stream) so the server replays what was missed.
 *
 * What the server sends is read strictly: only entries of its URL-safe alphabet are kept (a line
 * break from a broken server would fail every reconnect in a header), within its limits.
 */
export class PushCursor {
  private readonly entries = new Map<string, string>()

  /** Takes the entries of `text`; `whole` (a hello) replaces what was kept. */
  take(text: unknown, whole: boolean): void {
    if (typeof text !== 'string' || text.length > MAX_LENGTH) return
    const found: [string, string][] = []
    for (const part of text.split('.', MAX_ENTRIES)) {
      const match = ENTRY.exec(part)
      if (match !== null) found.push([match[1]!, match[2]!])
    }
    if (whole) this.entries.clear()
    for (const [tag, id] of found) {
      if (!this.entries.has(tag) && this.entries.size >= MAX_ENTRIES) continue
      this.entries.set(tag, id)
    }
  }

  /** The cursor to send back; undefined before any entry. */
  toString(): string | undefined {
    let text = ''
    for (const [tag, id] of this.entries) {
      const entry = `${tag}~${id}`
      if (text.length + entry.length + 1 > MAX_LENGTH) continue
      text = text === '' ? entry : `${text}.${entry}`
    }
    return text === '' ? undefined : text
  }
}

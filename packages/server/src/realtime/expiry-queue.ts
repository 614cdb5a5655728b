/**
 * Keys ordered by the time they expire (a binary min-heap): the earliest is found in O(1) and
 * removed in O(log n), so dropping what has expired costs in proportion to what expired, never a
 * walk over everything held.
 */
export class ExpiryQueue {
  private readonly times: number[] = []
  private readonly keys: string[] = []

  /** Keys queued. */
  get size(): number {
    return this.keys.length
  }

  /** Queues `key` to expire at `time`. */
  add(key: string, time: number): void {
    const { times, keys } = this
    let at = keys.length
    times.push(time)
    keys.push(key)
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (times[parent]! <= time) break
      times[at] = times[parent]!
      keys[at] = keys[parent]!
      at = parent
    }
    times[at] = time
    keys[at] = key
  }

  /** Removes and returns the earliest key when it expires at or before `now`; otherwise undefined. */
  popExpired(now: number): { key: string; time: number } | undefined {
    const { times, keys } = this
    if (keys.length === 0 || times[0]! > now) return undefined
    const head = { key: keys[0]!, time: times[0]! }
    const lastTime = times.pop()!
    const lastKey = keys.pop()!
    const size = keys.length
    if (size > 0) {
      // Sift the last entry down from the root.
      let at = 0
      for (;;) {
        const left = 2 * at + 1
        if (left >= size) break
        const right = left + 1
        const child = right < size && times[right]! < times[left]! ? right : left
        if (times[child]! >= lastTime) break
        times[at] = times[child]!
        keys[at] = keys[child]!
        at = child
      }
      times[at] = lastTime
      keys[at] = lastKey
    }
    return head
  }
}

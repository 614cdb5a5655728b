import type { PubSub } from './pubsub.js'

/** Options of {@link memoryPubSub}. */
export interface MemoryPubSubOptions {
  /** Reports a listener that threw (the default logs it). The other listeners still get the message. */
  onError?: (error: unknown) => void
}

/** One `subscribe()` call: its own object, so the same function subscribed twice leaves twice. */
interface Subscription {
  readonly listener: (payload: string) => void
}

/**
 * The embedded pub/sub: fan-out inside this process only, for a single instance.
 *
 * Delivery is synchronous: when `publish` is called outside a listener, every listener of the
 * group has been called before it returns. A publish made from inside a listener is queued and
 * delivered right after the current message has reached every listener, so all listeners see
 * the messages of a group in the same order, the order of the `publish` calls. A listener that
 * leaves is never called again, even for a message being delivered; one that joins gets the
 * messages published from then on. There is no broker to lose, so `onResume` never fires.
 */
export function memoryPubSub(options: MemoryPubSubOptions = {}): PubSub {
  return new MemoryPubSub(options.onError ?? ((error) => console.error('[mizan] pubsub listener failed:', error)))
}

/** What `onResume` returns: there is no broker to resume from, and one function serves every caller. */
const nothingToStop = (): void => {}

class MemoryPubSub implements PubSub {
  readonly kind = 'memory'
  private readonly groups = new Map<string, Set<Subscription>>()
  private readonly queue: { group: string; payload: string }[] = []
  private delivering = false
  private closed = false

  constructor(private readonly report: (error: unknown) => void) {}

  subscribe(group: string, listener: (payload: string) => void): () => void {
    if (this.closed) throw new Error('memoryPubSub is closed')
    const subscription: Subscription = { listener }
    let subscriptions = this.groups.get(group)
    if (!subscriptions) this.groups.set(group, (subscriptions = new Set()))
    subscriptions.add(subscription)
    return () => {
      const current = this.groups.get(group)
      if (!current?.delete(subscription)) return
      // Empty groups are dropped so that group names (often per user or per record) do not pile up.
      if (current.size === 0) this.groups.delete(group)
    }
  }

  publish(group: string, payload: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('memoryPubSub is closed'))
    if (!this.groups.has(group)) return Promise.resolve()
    this.queue.push({ group, payload })
    // Re-entrant publishes wait for the outer loop: delivering them inline would show them to the
    // remaining listeners of the current message before that message.
    if (!this.delivering) this.drain()
    return Promise.resolve()
  }

  onResume(): () => void {
    return nothingToStop
  }

  close(): Promise<void> {
    this.closed = true
    this.groups.clear()
    this.queue.length = 0
    return Promise.resolve()
  }

  private drain(): void {
    this.delivering = true
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const subscriptions = this.groups.get(next.group)
        if (!subscriptions) continue
        // A copy, so listeners joining during delivery wait for the next message; the `has` check
        // keeps a listener that left during delivery from being called.
        for (const subscription of [...subscriptions]) {
          if (!subscriptions.has(subscription)) continue
          try {
            subscription.listener(next.payload)
          } catch (error) {
            this.report(error)
          }
        }
      }
    } finally {
      this.delivering = false
    }
  }
}

import { MemoryHistory, type MemoryHistoryOptions, type Missed } from './memory-history.js'
import type { PubSub, PubSubListener, SubscribeOptions } from './pubsub.js'

/** Options of {@link memoryPubSub}. */
export interface MemoryPubSubOptions {
  /** Reports a listener that threw (the default logs it). The other listeners still get the message. */
  onError?: (error: unknown) => void
  /**
   * The history a subscriber resumes from after a reconnect: per group the last `maxLen` payloads
   * (default 1,000) of the last `ttl` ms (default 60,000), for at most `maxGroups` groups (default
   * 10,000). On by default; `false` turns it off (no event ids, no resume).
   */
  history?: MemoryHistoryOptions | false
}

/** One `subscribe()` call: its own object, so the same function subscribed twice leaves twice. */
interface Subscription {
  readonly listener: PubSubListener
  /** The last seq it was replayed: queued publishes up to it reached it already. */
  replayed: number
}

/**
 * The embedded pub/sub: fan-out inside this process only, for a single instance.
 *
 * Delivery is synchronous: when `publish` is called outside a listener, every listener of the
 * group has been called before it returns. A publish made from inside a listener is queued and
 * delivered right after the current message has reached every listener, so all listeners see
 * the messages of a group in the same order, the order of the `publish` calls. A listener that
 * leaves is never called again, even for a message being delivered; one that joins gets the
 * messages published from then on, after those it asked to replay (`after`), which it gets
 * during `subscribe`. There is no broker to lose, so `onResume` never fires.
 */
export function memoryPubSub(options: MemoryPubSubOptions = {}): PubSub {
  const history = options.history === false ? undefined : new MemoryHistory(options.history ?? {})
  return new MemoryPubSub(options.onError ?? ((error) => console.error('[mizan] pubsub listener failed:', error)), history)
}

/** What `onResume` returns: there is no broker to resume from, and one function serves every caller. */
const nothingToStop = (): void => {}

class MemoryPubSub implements PubSub {
  readonly kind = 'memory'
  private readonly groups = new Map<string, Set<Subscription>>()
  private readonly queue: { group: string; payload: string; id: string | undefined; seq: number }[] = []
  private delivering = false
  private closed = false

  constructor(
    private readonly report: (error: unknown) => void,
    private readonly history: MemoryHistory | undefined,
  ) {}

  subscribe(group: string, listener: PubSubListener, options: SubscribeOptions = {}): () => void {
    if (this.closed) throw new Error('memoryPubSub is closed')
    const subscription: Subscription = { listener, replayed: 0 }
    let subscriptions = this.groups.get(group)
    if (!subscriptions) this.groups.set(group, (subscriptions = new Set()))
    subscriptions.add(subscription)
    const history = this.history
    const missed = history === undefined || options.after === undefined ? undefined : history.since(group, options.after)
    options.placed?.({ resumed: missed !== undefined, at: history?.latest() })
    if (missed !== undefined && missed.length > 0) this.replay(subscriptions, subscription, missed)
    return () => {
      const current = this.groups.get(group)
      if (!current?.delete(subscription)) return
      // Empty groups are dropped so that group names (often per user or per record) do not pile up.
      if (current.size === 0) this.groups.delete(group)
    }
  }

  publish(group: string, payload: string): Promise<string | undefined> {
    if (this.closed) return Promise.reject(new Error('memoryPubSub is closed'))
    // Kept even without listeners: a subscriber reconnecting within the window asks for it.
    const added = this.history?.add(group, payload)
    const id = added?.id
    if (!this.groups.has(group)) return Promise.resolve(id)
    this.queue.push({ group, payload, id, seq: added?.seq ?? Infinity })
    // Re-entrant publishes wait for the outer loop: delivering them inline would show them to the
    // remaining listeners of the current message before that message.
    if (!this.delivering) this.drain()
    return Promise.resolve(id)
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

  /** Hands a joiner what it missed, before any later publish (one made by its listener waits its turn). */
  private replay(subscriptions: Set<Subscription>, subscription: Subscription, missed: Missed[]): void {
    const outer = this.delivering
    this.delivering = true
    try {
      for (const { id, seq, payload } of missed) {
        if (!subscriptions.has(subscription)) break
        subscription.replayed = seq
        this.call(subscription, payload, id)
      }
    } finally {
      this.delivering = outer
    }
    if (!outer) this.drain()
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
          // A joiner replayed a queued publish already (it joined from inside a listener).
          if (subscriptions.has(subscription) && next.seq > subscription.replayed) this.call(subscription, next.payload, next.id)
        }
      }
    } finally {
      this.delivering = false
    }
  }

  private call(subscription: Subscription, payload: string, id: string | undefined): void {
    try {
      subscription.listener(payload, id)
    } catch (error) {
      this.report(error)
    }
  }
}

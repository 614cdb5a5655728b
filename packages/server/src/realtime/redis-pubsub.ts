import type { Redis } from 'ioredis'
import { RedisBackend } from './redis-backend.js'
import type { RedisClient } from '../redis-client.js'
import type { PubSub, PubSubListener, SubscribeOptions } from './pubsub.js'
import { endedWithin } from './redis-ended.js'
import { RedisStreamsPubSub, type RedisHistoryOptions } from './redis-streams.js'

/** Options of {@link redisPubSub}. */
export interface RedisPubSubOptions {
  /**
   * The ioredis client `publish` uses. It is never closed by Mizan. Subscriptions run on a
   * connection of their own, made with `redis.duplicate()` on the first `subscribe`.
   */
  redis: RedisClient
  /**
   * Prefix of every channel Mizan uses, so that apps sharing a Redis do not hear each other.
   * Default `mizan:`. A group's channel is `{prefix}ps:{group}`.
   */
  prefix?: string
  /** Milliseconds `publish` waits for Redis before it rejects. Default 1000. */
  timeout?: number
  /**
   * Reports Redis connection errors and listeners that threw. The default logs a listener error
   * every time, and a connection error once per outage (until a connection is ready again).
   */
  onError?: (error: unknown) => void
  /**
   * Keep a history in Redis Streams, so a subscriber reconnecting within the window gets what it
   * missed: per group the last `maxLen` payloads (approximately: Redis trims in whole nodes) of
   * the last `ttl` ms. Without it, plain pub/sub: no event ids, no resume.
   */
  history?: RedisHistoryOptions
}

/** The Redis backend, with what only it needs. */
export interface RedisPubSub extends PubSub {
  /**
   * Resolves once Redis has acknowledged this instance's SUBSCRIBE to the group: every message
   * published from then on, by any instance, reaches the group's local listeners (until a
   * reconnect, which `onResume` reports). Resolves at once when the group has no local listener,
   * and rejects if the backend is closed first. While Redis is unreachable (or refuses the
   * SUBSCRIBE) it keeps waiting: race it with a timer to bound it.
   */
  ready(group: string): Promise<void>
}

/**
 * Fan-out across server instances through Redis pub/sub.
 *
 * Each instance keeps at most one Redis SUBSCRIBE per group, whatever the number of its local
 * listeners, and sends UNSUBSCRIBE once the last one has left; a burst of subscribes and
 * unsubscribes on a group always ends in the state its listeners ask for. Subscriptions run on a
 * connection named `{connectionName of redis, or mizan}:pubsub`.
 *
 * Delivery is at most once per listener, in publish order for the messages of one publishing
 * instance. Redis keeps no backlog, so a message published before the SUBSCRIBE is acknowledged
 * (see {@link RedisPubSub.ready}) or while the subscriber connection is down is lost. After such
 * an outage every group with local listeners is subscribed again, then `onResume` listeners run.
 *
 * `publish` resolves once Redis accepted the message. It rejects at once unless `redis` is ready
 * (nothing waits in ioredis's offline queue, so a rejected message is never sent later), and
 * after `timeout` ms without an answer; in that last case Redis may still have delivered it.
 */
export function redisPubSub(options: RedisPubSubOptions): RedisPubSub {
  return options.history === undefined ? new RedisPubSubBackend(options) : new RedisStreamsPubSub(options, options.history)
}

/** One `subscribe()` call: its own object, so the same function subscribed twice leaves twice. */
interface Subscription {
  readonly listener: PubSubListener
}

class RedisPubSubBackend extends RedisBackend implements RedisPubSub {
  /** The app's client as ioredis types it (the base keeps it typed without ioredis). */
  private get client(): Redis {
    return this.redis as unknown as Redis
  }

  /** Wanted state: the channels that have local listeners. */
  private readonly groups = new Map<string, Set<Subscription>>()
  /** Actual state: channels Redis acknowledged on the current subscriber connection. */
  private readonly subscribed = new Set<string>()
  /** The loop bringing a channel to its wanted state, while one runs: one per channel. */
  private readonly running = new Map<string, Promise<void>>()
  private subscriber: Redis | undefined
  /** Whether the subscriber connection was ready once: its later `ready` events are reconnects. */
  private connectedOnce = false
  /** Counts subscriber connection losses, so that a resubscription a newer loss overtook reports nothing. */
  private losses = 0
  subscribe(group: string, listener: PubSubListener, options?: SubscribeOptions): () => void {
    if (this.closing) throw new Error('redisPubSub is closed')
    // Plain pub/sub keeps nothing: a join never resumes.
    options?.placed?.({ resumed: false, at: undefined })
    const channel = this.channel(group)
    const subscription: Subscription = { listener }
    let subscriptions = this.groups.get(channel)
    if (!subscriptions) this.groups.set(channel, (subscriptions = new Set()))
    subscriptions.add(subscription)
    this.connectSubscriber()
    void this.sync(channel)
    return () => {
      const current = this.groups.get(channel)
      if (!current?.delete(subscription) || current.size > 0) return
      this.groups.delete(channel)
      this.wake(channel)
      void this.sync(channel)
    }
  }

  publish(group: string, payload: string): Promise<string | undefined> {
    return this.answered('PUBLISH', () => this.client.publish(this.channel(group), payload)).then(() => undefined)
  }

  async ready(group: string): Promise<void> {
    const channel = this.channel(group)
    for (;;) {
      if (this.closing) throw new Error('redisPubSub is closed')
      if (!this.groups.has(channel)) return
      // A running loop means the state is about to change (e.g. an UNSUBSCRIBE is in flight).
      if (this.subscribed.has(channel) && !this.running.has(channel) && this.subscriber?.status === 'ready') return
      await this.changeOf(channel)
    }
  }

  protected async shutdown(): Promise<void> {
    this.groups.clear()
    this.detach()
    const subscriber = this.subscriber
    if (!subscriber) return
    // Only a ready connection is sure to reach `end` soon (Redis answers the close); one that is
    // reconnecting or stuck in its handshake never might, and close() must not hang on it.
    // Closing the connection ends its subscriptions on the Redis side: no UNSUBSCRIBE needed.
    const ended = subscriber.status === 'ready' ? endedWithin(subscriber, this.timeout) : Promise.resolve()
    subscriber.disconnect()
    await ended
  }

  /**
   * Opens the subscriber connection on first use: an instance that never subscribes holds none.
   * One whose retryStrategy gave up (status `end`) is replaced, so a later subscribe tries again.
   */
  private connectSubscriber(): void {
    if (this.subscriber && this.subscriber.status !== 'end') return
    // Loops waiting on the ended connection may never settle: ioredis keeps the commands a lost
    // connection had in flight for a resend that will not come. They must not block the new one.
    this.running.clear()
    const name = this.client.options.connectionName
    const subscriber = this.client.duplicate({
      connectionName: `${name || 'mizan'}:pubsub`,
      lazyConnect: false,
      // Resubscribing is done here rather than by ioredis, which gives no sign of when its
      // resubscription is acknowledged: onResume must not fire before it is.
      autoResubscribe: false,
      // A SUBSCRIBE in flight when the connection drops is sent again rather than left pending forever.
      autoResendUnfulfilledCommands: true,
      enableAutoPipelining: false,
    })
    subscriber.on('error', (error: unknown) => this.connectionError(error))
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message))
    subscriber.on('close', () => {
      if (subscriber !== this.subscriber) return
      // Redis dropped this connection's subscriptions with it.
      this.losses++
      this.subscribed.clear()
    })
    subscriber.on('ready', () => void this.subscriberReady())
    this.subscriber = subscriber
  }

  private async subscriberReady(): Promise<void> {
    this.muted = false
    const reconnect = this.connectedOnce
    this.connectedOnce = true
    const losses = this.losses
    await Promise.all([...this.groups.keys()].map((channel) => this.sync(channel)))
    // Another loss meanwhile: the next `ready` resubscribes and reports.
    if (!reconnect || this.closing || losses !== this.losses) return
    this.resumed()
  }

  /**
   * Brings a channel to its wanted state (subscribed when it has local listeners). One loop per
   * channel, so commands for a channel are never concurrent: whatever happens while one is in
   * flight is picked up when it is answered. Never rejects; what failed is retried by the next
   * `subscribe`/leave on the channel or the next `ready` of the connection.
   */
  private sync(channel: string): Promise<void> {
    const running = this.running.get(channel)
    if (running) return running
    if (!this.needsCommand(channel)) return Promise.resolve()
    // converge() waits for a command before it can end, so its entry is set before it removes it.
    const loop = this.converge(channel, this.subscriber!)
    this.running.set(channel, loop)
    return loop
  }

  private async converge(channel: string, subscriber: Redis): Promise<void> {
    // Everything this loop learns is about `subscriber`; once it was replaced, the loop is moot.
    const current = () => subscriber === this.subscriber
    try {
      do {
        if (this.groups.has(channel)) {
          await subscriber.subscribe(channel)
          // A reply only comes from the live connection, and this runs before any later `close`.
          if (current()) this.subscribed.add(channel)
        } else {
          await subscriber.unsubscribe(channel)
          if (current()) this.subscribed.delete(channel)
        }
      } while (current() && this.needsCommand(channel))
    } catch (error) {
      // The connection dropped mid-command (already reported) or Redis refused it.
      if (!this.closing && current()) this.connectionError(error)
    } finally {
      if (current()) this.running.delete(channel)
      this.wake(channel)
    }
  }

  private needsCommand(channel: string): boolean {
    // Not ready: the connection's next `ready` syncs every channel. Closing: disconnecting ends them all.
    if (this.closing || this.subscriber?.status !== 'ready') return false
    return this.groups.has(channel) !== this.subscribed.has(channel)
  }

  private deliver(channel: string, payload: string): void {
    const subscriptions = this.groups.get(channel)
    if (!subscriptions) return
    // A copy, so joiners wait for the next message; the `has` check skips listeners that left meanwhile.
    for (const subscription of [...subscriptions]) {
      if (!subscriptions.has(subscription)) continue
      try {
        subscription.listener(payload, undefined)
      } catch (error) {
        // Thrown from ioredis's event, it would become an uncaught exception.
        this.listenerError(error)
      }
    }
  }

  private channel(group: string): string {
    return `${this.prefix}ps:${group}`
  }
}

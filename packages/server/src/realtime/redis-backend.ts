import type { Redis } from 'ioredis'
import { answeredWithin, type RedisClient } from '../redis-client.js'
import type { RedisPubSubOptions } from './redis-pubsub.js'

/**
 * What both Redis pub/sub backends (plain pub/sub, and Streams with a history) share: the client
 * and its options, reporting errors (a connection error logged once per outage), `onResume`
 * listeners, `ready()` waiters by key, and a command that must be answered in time, never queued.
 */
export abstract class RedisBackend {
  readonly kind = 'redis'
  /** The app's client, typed without ioredis: declarations must load where it is not installed. */
  protected readonly redis: RedisClient
  protected readonly prefix: string
  protected readonly timeout: number
  private readonly onError: ((error: unknown) => void) | undefined
  /** `ready()` calls waiting for a key to change. */
  protected readonly waiters = new Map<string, Set<() => void>>()
  protected readonly resumeListeners = new Set<{ listener: () => void }>()
  /** Set after a connection error was logged, until a connection is ready: one log line per outage. */
  protected muted = false
  protected closing: Promise<void> | undefined

  private readonly onRedisError = (error: unknown) => this.connectionError(error)
  private readonly onRedisReady = () => void (this.muted = false)

  constructor(options: RedisPubSubOptions) {
    this.redis = options.redis
    this.prefix = options.prefix ?? 'mizan:'
    this.timeout = options.timeout ?? 1000
    this.onError = options.onError
    // A listener, so an `error` event can never go unhandled and end the process.
    this.events.on('error', this.onRedisError)
    this.events.on('ready', this.onRedisReady)
  }

  /** The client as ioredis types it, for its events (private: its type stays out of the declarations). */
  private get events(): Redis {
    return this.redis as unknown as Redis
  }

  onResume(listener: () => void): () => void {
    const entry = { listener }
    this.resumeListeners.add(entry)
    return () => void this.resumeListeners.delete(entry)
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  /** Releases what the backend holds; called once, by {@link close}. */
  protected abstract shutdown(): Promise<void>

  /** Stops listening to the shared client (it is the app's: never closed here) and wakes every waiter. */
  protected detach(): void {
    this.resumeListeners.clear()
    for (const key of [...this.waiters.keys()]) this.wake(key)
    this.events.off('error', this.onRedisError)
    this.events.off('ready', this.onRedisReady)
  }

  /**
   * Runs a command on the shared client, rejecting at once unless it is ready (nothing waits in
   * ioredis's offline queue: a message held there would arrive after the outage that `onResume`
   * already told subscribers to make good, and the caller would wait unbounded), and after
   * `timeout` ms without an answer (Redis may still have carried it out).
   */
  protected answered<T>(name: string, command: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('redisPubSub is closed'))
    return answeredWithin(this.redis, this.timeout, command, name)
  }

  /** Resolves at the next {@link wake} of `key`. */
  protected changeOf(key: string): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiting = this.waiters.get(key)
      if (!waiting) this.waiters.set(key, (waiting = new Set()))
      waiting.add(resolve)
    })
  }

  protected wake(key: string): void {
    const waiting = this.waiters.get(key)
    if (!waiting) return
    this.waiters.delete(key)
    for (const resolve of waiting) resolve()
  }

  /** Tells `onResume` listeners that messages may have been lost; one that throws is reported. */
  protected resumed(): void {
    for (const entry of [...this.resumeListeners]) {
      if (!this.resumeListeners.has(entry)) continue
      try {
        entry.listener()
      } catch (error) {
        this.listenerError(error)
      }
    }
  }

  protected connectionError(error: unknown): void {
    if (this.onError) return this.onError(error)
    if (this.muted) return
    this.muted = true
    console.error('[mizan] redis pubsub:', error instanceof Error ? error.message : error, '(muted until Redis is back)')
  }

  protected listenerError(error: unknown): void {
    if (this.onError) return this.onError(error)
    console.error('[mizan] pubsub listener failed:', error)
  }
}

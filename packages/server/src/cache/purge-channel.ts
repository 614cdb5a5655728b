import type { Redis } from 'ioredis'
import { GLOBAL_GENERATION } from './backend.js'
import type { NearCache } from './near-cache.js'

/**
 * Hears the purges every instance announces (the generation names each bump moved) and applies
 * them to a near cache. It listens on a connection of its own, since a subscribed connection can
 * send nothing else, and keeps the near cache trusted exactly while its subscription is live.
 */
export class PurgeChannel {
  private readonly subscriber: Redis
  /** Which connection a subscription belongs to: an answer from before a reconnect proves nothing. */
  private session = 0
  private closed = false

  constructor(
    redis: Redis,
    readonly name: string,
    private readonly near: NearCache,
    private readonly report: (error: unknown) => void,
  ) {
    // Subscribed by hand on every `ready`, so the near cache knows when it is live again.
    this.subscriber = redis.duplicate({ autoResubscribe: false, enableAutoPipelining: false })
    this.subscriber.on('error', this.onError)
    this.subscriber.on('ready', this.onReady)
    this.subscriber.on('close', this.onClose)
    this.subscriber.on('message', this.onMessage)
    if (this.subscriber.status === 'wait') this.subscriber.connect().catch(() => {}) // reported through 'error'
  }

  /** Stops listening; the near cache serves nothing from now on. */
  close(): void {
    this.closed = true
    this.session++
    this.near.reset(false)
    this.subscriber.off('ready', this.onReady)
    this.subscriber.off('close', this.onClose)
    this.subscriber.off('message', this.onMessage)
    this.subscriber.disconnect()
  }

  private readonly onError = (error: unknown) => {
    if (!this.closed) this.report(error)
  }

  private readonly onReady = () => {
    const session = ++this.session
    this.subscriber.subscribe(this.name).then(
      () => {
        if (session === this.session) this.near.reset(true)
      },
      (error: unknown) => {
        if (session === this.session) this.report(error)
      },
    )
  }

  private readonly onClose = () => {
    this.session++
    this.near.reset(false)
  }

  private readonly onMessage = (channel: string, message: string) => {
    if (channel !== this.name) return
    let names: unknown
    try {
      names = JSON.parse(message)
    } catch {
      names = undefined
    }
    // A message that cannot be read may have named anything: forget everything.
    this.near.forget(Array.isArray(names) && names.every((name) => typeof name === 'string') ? names : [GLOBAL_GENERATION])
  }
}

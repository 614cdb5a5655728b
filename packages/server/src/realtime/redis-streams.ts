import type { Redis } from 'ioredis'
import { RedisBackend } from './redis-backend.js'
import type { PubSubListener, SubscribeOptions } from './pubsub.js'
import { endedWithin } from './redis-ended.js'
import type { RedisPubSub, RedisPubSubOptions } from './redis-pubsub.js'
import { compareStreamIds, endOfMillisecond, isStreamId, streamIdTime } from './stream-id.js'

/** The history `redisPubSub` keeps in Redis Streams. */
export interface RedisHistoryOptions {
  /** Entries kept per group (approximately: `XADD … MAXLEN ~`, trimmed in whole nodes). */
  maxLen: number
  /** Milliseconds a group's history is kept; entries older than this count as outside the window. */
  ttl: number
}

/** Milliseconds one XREAD blocks at most: the longest a change of groups can wait if UNBLOCK misses it. */
const BLOCK_MS = 5000
/** Entries one XREAD takes per stream at most. */
const READ_COUNT = 1000

/** One `subscribe()` call. */
interface Subscription {
  readonly listener: PubSubListener
  /** The last id it was handed: nothing at or before it is handed again. */
  last: string | undefined
  /** While its join runs, the live entries it must get after its replay. */
  held: [id: string, payload: string][] | undefined
}

/** A group with local listeners. */
interface Group {
  readonly key: string
  readonly subscriptions: Set<Subscription>
  /** The last id the reader took from its stream; undefined until its first join is placed. */
  position: string | undefined
  /** Joins still being placed. */
  joins: number
}

/** What one join learned from Redis, in one transaction. */
interface Placed {
  resumed: boolean
  at: string
  missed: [id: string, payload: string][]
}

/**
 * Fan-out across instances through Redis Streams, with a history: `publish` appends to the
 * group's stream (`{prefix}hs:{group}`, trimmed to about `maxLen`, expiring `ttl` ms after its
 * last entry); each instance reads every stream it has local listeners for with ONE blocking
 * XREAD loop on a connection of its own (`{connectionName of redis, or mizan}:streams`), tracking
 * the last id per group. A lost reader connection reconnects and reads on from those ids: nothing
 * is lost or handed twice, so `onResume` fires only when a stream was trimmed past a position
 * while the reader was away.
 */
export class RedisStreamsPubSub extends RedisBackend implements RedisPubSub {
  /** The app's client as ioredis types it (the base keeps it typed without ioredis). */
  private get client(): Redis {
    return this.redis as unknown as Redis
  }

  private readonly groups = new Map<string, Group>()
  private reader: Redis | undefined
  /** The reader connection's CLIENT ID, for CLIENT UNBLOCK; unknown after a reconnect until asked. */
  private readerId: number | undefined
  private reading: Promise<void> | undefined
  /** Bumped whenever the set of groups to read changes. */
  private generation = 0
  /** The XREAD in flight: the generation it was issued at. */
  private inFlight: { generation: number } | undefined
  /** Wakes the loop when it waits for a group to read. */
  private idle: (() => void) | undefined
  /** Rejects the XREAD in flight when the reader connection drops (ioredis would drop it silently). */
  private dropped: ((error: Error) => void) | undefined
  private unblocking = false
  private connectedOnce = false

  constructor(
    options: RedisPubSubOptions,
    private readonly history: RedisHistoryOptions,
  ) {
    if (!Number.isInteger(history.maxLen) || history.maxLen < 1) throw new TypeError(`Mizan: redisPubSub history.maxLen must be a positive integer, got ${history.maxLen}`)
    if (!Number.isInteger(history.ttl) || history.ttl < 1) throw new TypeError(`Mizan: redisPubSub history.ttl must be a positive integer (ms), got ${history.ttl}`)
    super(options)
  }

  subscribe(group: string, listener: PubSubListener, options: SubscribeOptions = {}): () => void {
    if (this.closing) throw new Error('redisPubSub is closed')
    const key = this.key(group)
    const subscription: Subscription = { listener, last: undefined, held: [] }
    let entry = this.groups.get(key)
    if (entry === undefined) this.groups.set(key, (entry = { key, subscriptions: new Set(), position: undefined, joins: 0 }))
    entry.subscriptions.add(subscription)
    entry.joins++
    this.connectReader()
    void this.join(entry, subscription, options)
    const joined = entry
    return () => {
      if (!joined.subscriptions.delete(subscription) || joined.subscriptions.size > 0) return
      if (this.groups.get(key) === joined) this.groups.delete(key)
      this.changed()
      this.wake(key)
    }
  }

  publish(group: string, payload: string): Promise<string | undefined> {
    const key = this.key(group)
    return this.answered('XADD', () => this.client.multi().xadd(key, 'MAXLEN', '~', this.history.maxLen, '*', 'p', payload).pexpire(key, this.history.ttl).exec()).then((replies) => {
      const [error, id] = replies?.[0] ?? [new Error('the transaction was discarded'), undefined]
      if (error) throw error
      return String(id)
    })
  }

  /**
   * Resolves once every join of the group is placed: from then on whatever is published to it
   * reaches its listeners (the reader reads from a known id, not from "now"). At once without
   * local listeners; rejects once closed. While Redis is unreachable it keeps waiting.
   */
  async ready(group: string): Promise<void> {
    const key = this.key(group)
    for (;;) {
      if (this.closing) throw new Error('redisPubSub is closed')
      const entry = this.groups.get(key)
      if (entry === undefined || (entry.joins === 0 && entry.position !== undefined)) return
      await this.changeOf(key)
    }
  }

  protected async shutdown(): Promise<void> {
    this.groups.clear()
    this.detach()
    this.idle?.()
    const reader = this.reader
    if (reader === undefined) return
    const ended = reader.status === 'ready' ? endedWithin(reader, this.timeout) : Promise.resolve()
    reader.disconnect()
    this.dropped?.(new Error('redisPubSub is closed'))
    await ended
    await this.reading
  }

  /** Places a join, retrying while Redis fails, then hands the subscription its replay and what came meanwhile. */
  private async join(group: Group, subscription: Subscription, options: SubscribeOptions): Promise<void> {
    const after = isStreamId(options.after) ? options.after : undefined
    let placed: Placed | undefined
    for (let attempt = 0; placed === undefined; attempt++) {
      if (this.closing || !group.subscriptions.has(subscription)) return this.joined(group)
      try {
        placed = await this.place(group.key, after)
      } catch (error) {
        this.connectionError(error)
        await delay(Math.min(2000, 50 * 2 ** attempt))
      }
    }
    if (this.closing || !group.subscriptions.has(subscription)) return this.joined(group)
    if (group.position === undefined) {
      // The reader starts this stream at the join's id: whatever is published later is read.
      group.position = placed.at
      this.changed()
    }
    options.placed?.({ resumed: placed.resumed, at: placed.at })
    // Without a replay the subscription hears what comes after its join; with one, what comes after `after`.
    subscription.last = placed.resumed ? after : placed.at
    const held = subscription.held ?? []
    subscription.held = undefined
    for (const [id, payload] of placed.missed) this.hand(group, subscription, id, payload)
    for (const [id, payload] of held) this.hand(group, subscription, id, payload)
    this.joined(group)
  }

  private joined(group: Group): void {
    group.joins--
    this.wake(group.key)
  }

  /**
   * One transaction: the stream's last id and Redis's clock (the join's cursor), and with `after`
   * whether the stream still holds everything after it (not trimmed past it, not older than the
   * window) and what that is.
   */
  private async place(key: string, after: string | undefined): Promise<Placed> {
    const multi = this.client.multi().xrevrange(key, '+', '-', 'COUNT', 1).time()
    if (after !== undefined) multi.xinfo('STREAM', key).xrange(key, `(${after}`, '+')
    const replies = await multi.exec()
    if (replies === null) throw new Error('the transaction was discarded')
    const [[lastError, last], [timeError, time]] = replies as [[Error | null, [string, string[]][]], [Error | null, [string, string]]]
    if (lastError) throw lastError
    if (timeError) throw timeError
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
    // An empty stream's next entry is at least of this millisecond: the cursor is just before it.
    const at = last[0]?.[0] ?? endOfMillisecond(now - 1)
    if (after === undefined) return { resumed: false, at, missed: [] }
    const [infoError, info] = replies[2] as [Error | null, unknown[]]
    const [rangeError, range] = replies[3] as [Error | null, [string, string[]][]]
    if (rangeError) throw rangeError
    // No such stream (infoError): nothing was published in the window, so nothing was trimmed.
    const trimmed = !infoError && trimmedPast(info, after)
    const resumed = !trimmed && streamIdTime(after) >= now - this.history.ttl
    return { resumed, at, missed: resumed ? range.map(([id, fields]) => [id, payloadOf(fields)]) : [] }
  }

  /** Hands one entry to one subscription, once, in id order. */
  private hand(group: Group, subscription: Subscription, id: string, payload: string): void {
    if (subscription.held !== undefined) return void subscription.held.push([id, payload])
    if (!group.subscriptions.has(subscription)) return
    if (subscription.last !== undefined && compareStreamIds(id, subscription.last) <= 0) return
    subscription.last = id
    try {
      subscription.listener(payload, id)
    } catch (error) {
      this.listenerError(error)
    }
  }

  /** Opens the reader connection and starts its loop on first use. */
  private connectReader(): void {
    if (this.reader !== undefined && this.reader.status !== 'end') return
    const name = this.client.options.connectionName
    const reader = this.client.duplicate({
      connectionName: `${name || 'mizan'}:streams`,
      lazyConnect: false,
      // A read in flight when the connection drops is issued again by the loop, from the positions
      // it has: ioredis must not resend the old one (it would drop its answer anyway).
      autoResendUnfulfilledCommands: false,
      enableAutoPipelining: false,
    })
    reader.on('error', (error: unknown) => this.connectionError(error))
    reader.on('close', () => {
      if (reader !== this.reader) return
      this.readerId = undefined
      this.dropped?.(new Error('the stream reader connection closed'))
    })
    reader.on('ready', () => {
      this.muted = false
      if (this.connectedOnce) void this.checkTrimmed()
      this.connectedOnce = true
    })
    this.reader = reader
    this.reading ??= this.read().finally(() => (this.reading = undefined))
  }

  /** The loop: one XREAD over every placed group at a time, from the last id of each. */
  private async read(): Promise<void> {
    let failures = 0
    while (!this.closing) {
      const reader = this.reader
      if (reader === undefined || reader.status === 'end') {
        // The connection gave up (its retryStrategy): the next subscribe opens a new one.
        this.reader = undefined
        return
      }
      const groups = [...this.groups.values()].filter((group) => group.position !== undefined)
      if (groups.length === 0) {
        await new Promise<void>((resolve) => (this.idle = resolve))
        this.idle = undefined
        continue
      }
      const inFlight = { generation: this.generation }
      this.inFlight = inFlight
      let reply: [string, [string, string[]][]][] | null
      try {
        this.readerId ??= Number(await this.abortable(reader.client('ID')))
        reply = await this.abortable(
          reader.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', ...groups.map((group) => group.key), ...groups.map((group) => group.position!)) as Promise<
            [string, [string, string[]][]][] | null
          >,
        )
        failures = 0
      } catch (error) {
        if (this.closing) return
        this.connectionError(error)
        await delay(Math.min(1000, 20 * 2 ** failures++))
        continue
      } finally {
        this.inFlight = undefined
      }
      for (const [key, entries] of reply ?? []) {
        const group = this.groups.get(key)
        if (group === undefined || group.position === undefined) continue
        for (const [id, fields] of entries) {
          if (compareStreamIds(id, group.position) <= 0) continue
          group.position = id
          for (const subscription of [...group.subscriptions]) this.hand(group, subscription, id, payloadOf(fields))
        }
      }
    }
  }

  /** A reader command that rejects when the connection drops (ioredis keeps it pending forever). */
  private abortable<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.dropped = reject
      command.then(resolve, reject)
    })
  }

  /** The groups to read changed: the loop must issue a new XREAD. */
  private changed(): void {
    this.generation++
    if (this.idle !== undefined) return this.idle()
    void this.unblock()
  }

  /**
   * Wakes the reader blocked on an outdated set of streams with CLIENT UNBLOCK from the main
   * connection. The XREAD may not have reached Redis yet (UNBLOCK then finds nothing to wake), so
   * it is tried again every few ms until that XREAD has returned.
   */
  private async unblock(): Promise<void> {
    if (this.unblocking) return
    this.unblocking = true
    try {
      for (;;) {
        const inFlight = this.inFlight
        if (this.closing || inFlight === undefined || inFlight.generation === this.generation) return
        if (this.readerId !== undefined && this.client.status === 'ready') {
          await this.client.client('UNBLOCK', this.readerId).catch(() => 0)
        }
        if (this.inFlight !== inFlight) return
        await delay(10)
      }
    } finally {
      this.unblocking = false
    }
  }

  /** After a reader reconnect: a stream trimmed past the position read from means entries were lost. */
  private async checkTrimmed(): Promise<void> {
    const groups = [...this.groups.values()].filter((group) => group.position !== undefined)
    if (groups.length === 0 || this.client.status !== 'ready') return
    const pipeline = this.client.pipeline()
    for (const group of groups) pipeline.xinfo('STREAM', group.key)
    const replies = (await pipeline.exec().catch(() => null)) ?? []
    const lost = replies.some(([error, info], index) => {
      const position = groups[index]!.position
      return !error && position !== undefined && trimmedPast(info as unknown[], position)
    })
    if (!lost || this.closing) return
    this.resumed()
  }

  private key(group: string): string {
    return `${this.prefix}hs:${group}`
  }
}

/** The payload of a stream entry written by `publish` (field `p`). */
function payloadOf(fields: string[]): string {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'p') return fields[i + 1]!
  return ''
}

/**
 * Whether a stream (its XINFO STREAM reply) may have dropped entries after `id`: it was trimmed
 * (fewer entries than were ever added) and its first entry comes after `id`. Trimming does not
 * say which ids it dropped, so an `id` just before the first entry counts as trimmed too.
 */
function trimmedPast(info: unknown[] | undefined, id: string): boolean {
  const length = Number(fieldOf(info, 'length'))
  const added = Number(fieldOf(info, 'entries-added'))
  if (!(length < added)) return false
  const recorded = fieldOf(info, 'recorded-first-entry-id')
  const entry = fieldOf(info, 'first-entry')
  const first = typeof recorded === 'string' ? recorded : Array.isArray(entry) && typeof entry[0] === 'string' ? entry[0] : undefined
  return first !== undefined && isStreamId(first) && compareStreamIds(id, first) < 0
}

/** A field of an XINFO reply (a flat list of names and values). */
function fieldOf(info: unknown[] | undefined, name: string): unknown {
  if (!Array.isArray(info)) return undefined
  for (let i = 0; i + 1 < info.length; i += 2) if (info[i] === name) return info[i + 1]
  return undefined
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

import type { Redis } from 'ioredis'
import type { RedisClient } from '../redis-client.js'
import { ExpiryQueue } from './expiry-queue.js'

/**
 * Remembers the `jti` of every ticket already used, so that each ticket opens one socket only.
 * Entries are needed only until the ticket expires: past that, verify refuses it as expired anyway.
 */
export interface ReplayStore {
  /**
   * Records `jti` as used until `expiresAt` (milliseconds since the epoch). Returns true on the
   * first use, false when the jti is already recorded. `principal` is the ticket's `sub` (null
   * when anonymous), for stores that budget per principal. A store that cannot answer (down, or
   * full) must throw (or reject): the socket is then closed with 1013 "try again later" and the
   * error reported to `onError`, never taken for a bad ticket.
   */
  claim(jti: string, expiresAt: number, principal?: string | null): boolean | Promise<boolean>
}

/** Options of {@link memoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most jtis held at once. Default 100,000 (a few MB). When that many live tickets are held,
   * claims throw (fail closed) rather than forget a live jti, which would let its ticket be replayed.
   */
  maxEntries?: number
  /**
   * Most jtis of anonymous tickets held at once. Default half of `maxEntries`. Anyone may mint an
   * anonymous ticket, so a flood of them fills this share only: signed-in users still get in.
   */
  maxAnonymousEntries?: number
  /**
   * Most jtis of one principal's tickets held at once. Default 1 % of `maxEntries` (1,000): one
   * account opening sockets in a loop locks out only itself.
   */
  maxEntriesPerPrincipal?: number
  /** The clock, in milliseconds since the epoch. Default `Date.now`; tests inject their own. */
  now?: () => number
}

/** A {@link ReplayStore} held in this process's memory. */
export interface MemoryReplayStore extends ReplayStore {
  /** Live jtis held (expired ones are dropped on every claim). */
  readonly size: number
}

/**
 * A replay store in this process's memory: enough for a single instance. Each entry lives until its
 * ticket expires (`exp` plus the clock tolerance: 35 s by default) and is dropped on the first claim
 * after that, through a queue ordered by expiry, so a claim costs O(log n) and the store holds only
 * tickets still usable. Under a flood, budgets keep one kind of caller from filling it for the
 * others: anonymous tickets at most `maxAnonymousEntries`, one principal at most
 * `maxEntriesPerPrincipal`, everything at most `maxEntries`. A claim over a budget throws, which
 * closes that socket with 1013 (try again later) and reports the error; it never forgets a live jti.
 * With several instances, use {@link redisReplayStore}: a ticket replayed on another instance would
 * pass here.
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): MemoryReplayStore {
  const maxEntries = positive('maxEntries', options.maxEntries ?? 100_000)
  const maxAnonymous = positive('maxAnonymousEntries', options.maxAnonymousEntries ?? Math.max(1, Math.floor(maxEntries / 2)))
  const maxPerPrincipal = positive('maxEntriesPerPrincipal', options.maxEntriesPerPrincipal ?? Math.max(1, Math.floor(maxEntries / 100)))
  const now = options.now ?? Date.now
  const held = new Map<string, { until: number; principal: string | null }>()
  const expiries = new ExpiryQueue()
  // Live jtis per principal (null: anonymous); a principal leaves the map with its last jti.
  const counts = new Map<string | null, number>()

  const release = (principal: string | null) => {
    const count = counts.get(principal)! - 1
    if (count === 0) counts.delete(principal)
    else counts.set(principal, count)
  }

  return {
    claim(jti, expiresAt, principal = null) {
      const time = now()
      for (let expired = expiries.popExpired(time); expired !== undefined; expired = expiries.popExpired(time)) {
        const entry = held.get(expired.key)
        if (entry === undefined || entry.until !== expired.time) continue
        held.delete(expired.key)
        release(entry.principal)
      }
      if (held.has(jti)) return false
      const mine = counts.get(principal) ?? 0
      if (held.size >= maxEntries) throw full(`${maxEntries} live tickets`)
      if (principal === null && mine >= maxAnonymous) throw full(`${maxAnonymous} live anonymous tickets`)
      if (principal !== null && mine >= maxPerPrincipal) throw full(`${maxPerPrincipal} live tickets of one principal`)
      held.set(jti, { until: expiresAt, principal })
      expiries.add(jti, expiresAt)
      counts.set(principal, mine + 1)
      return true
    },
    get size() {
      return held.size
    },
  }
}

function full(what: string): Error {
  return new Error(`Mizan: memoryReplayStore is full (${what}): refusing rather than forgetting a used ticket`)
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`Mizan: memoryReplayStore: ${name} must be a positive integer, got ${value}`)
  return value
}

/** Options of {@link redisReplayStore}. */
export interface RedisReplayStoreOptions {
  /**
   * An ioredis client shared by every instance. Its errors reject verify (fail closed); a low
   * `maxRetriesPerRequest` keeps a handshake from waiting long on a Redis that is down.
   */
  redis: RedisClient
  /** Prefix of every key written. Default `mizan:ws-ticket:`. */
  prefix?: string
}

/**
 * A replay store in Redis, so that a ticket used on one instance is refused on every other. Each
 * used jti is one key written with `SET key 1 NX PX ttl`: the check and the write are one atomic
 * step (two instances verifying the same ticket at once cannot both win), and Redis drops the key
 * when the ticket expires.
 */
export function redisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const redis = options.redis as unknown as Redis
  const prefix = options.prefix ?? 'mizan:ws-ticket:'
  return {
    async claim(jti, expiresAt) {
      // At least 1 ms: PX refuses 0, and a key kept a moment too long costs nothing.
      const ttl = Math.max(1, Math.ceil(expiresAt - Date.now()))
      return (await redis.set(prefix + jti, '1', 'PX', ttl, 'NX')) === 'OK'
    },
  }
}

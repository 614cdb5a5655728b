import { randomBytes } from 'node:crypto'
import { REDIS_URL, redisAvailable, redisTestRun } from '../../../../test/support/redis.js'
import net from 'node:net'
import { Redis, type RedisOptions } from 'ioredis'
import { describe, expect, it, vi } from 'vitest'
import { memoryPubSub } from './memory-pubsub.js'
import type { PubSub } from './pubsub.js'
import { redisPubSub, type RedisPubSub } from './redis-pubsub.js'


describe('memoryPubSub', () => {
  it('fans a message out to every listener of the group, in publish order', async () => {
    const pubsub = memoryPubSub()
    const a: string[] = []
    const b: string[] = []
    pubsub.subscribe('g', (payload) => a.push(payload))
    pubsub.subscribe('g', (payload) => b.push(payload))
    await pubsub.publish('g', '1')
    await pubsub.publish('g', '2')
    expect(a).toEqual(['1', '2'])
    expect(b).toEqual(['1', '2'])
  })

  it('delivers synchronously: listeners have run when publish returns', () => {
    const pubsub = memoryPubSub()
    const got: string[] = []
    pubsub.subscribe('g', (payload) => got.push(payload))
    void pubsub.publish('g', 'now')
    expect(got).toEqual(['now'])
  })

  it('stops calling a listener once it left, and keeps the others', async () => {
    const pubsub = memoryPubSub()
    const a: string[] = []
    const b: string[] = []
    const leave = pubsub.subscribe('g', (payload) => a.push(payload))
    pubsub.subscribe('g', (payload) => b.push(payload))
    await pubsub.publish('g', '1')
    leave()
    leave() // leaving twice is harmless
    await pubsub.publish('g', '2')
    expect(a).toEqual(['1'])
    expect(b).toEqual(['1', '2'])
  })

  it('treats the same function subscribed twice as two subscriptions', async () => {
    const pubsub = memoryPubSub()
    const got: string[] = []
    const listener = (payload: string) => got.push(payload)
    const first = pubsub.subscribe('g', listener)
    pubsub.subscribe('g', listener)
    await pubsub.publish('g', '1')
    first()
    await pubsub.publish('g', '2')
    expect(got).toEqual(['1', '1', '2'])
  })

  it('leaks nothing across groups, and publishing to a group nobody hears is a no-op', async () => {
    const pubsub = memoryPubSub()
    const a: string[] = []
    const b: string[] = []
    pubsub.subscribe('a', (payload) => a.push(payload))
    pubsub.subscribe('b', (payload) => b.push(payload))
    await pubsub.publish('a', 'for a')
    await pubsub.publish('b', 'for b')
    // Kept in the history (for a subscriber resuming later), heard by nobody now.
    await expect(pubsub.publish('nobody', 'lost')).resolves.toEqual(expect.any(String))
    await expect(memoryPubSub({ history: false }).publish('nobody', 'lost')).resolves.toBeUndefined()
    expect(a).toEqual(['for a'])
    expect(b).toEqual(['for b'])
  })

  it('keeps one order for every listener when a listener publishes', async () => {
    const pubsub = memoryPubSub()
    const first: string[] = []
    const second: string[] = []
    pubsub.subscribe('g', (payload) => {
      first.push(payload)
      if (payload === '1') void pubsub.publish('g', '2')
    })
    pubsub.subscribe('g', (payload) => second.push(payload))
    await pubsub.publish('g', '1')
    expect(first).toEqual(['1', '2'])
    expect(second).toEqual(['1', '2'])
  })

  it('skips a listener that left during the delivery of a message', async () => {
    const pubsub = memoryPubSub()
    const got: string[] = []
    let leaveSecond = () => {}
    pubsub.subscribe('g', () => leaveSecond())
    leaveSecond = pubsub.subscribe('g', (payload) => got.push(payload))
    await pubsub.publish('g', '1')
    expect(got).toEqual([])
  })

  it('reports a listener that threw and still delivers to the others', async () => {
    const errors: unknown[] = []
    const pubsub = memoryPubSub({ onError: (error) => errors.push(error) })
    const got: string[] = []
    pubsub.subscribe('g', () => {
      throw new Error('listener bug')
    })
    pubsub.subscribe('g', (payload) => got.push(payload))
    await pubsub.publish('g', '1')
    expect(got).toEqual(['1'])
    expect(errors).toEqual([new Error('listener bug')])
  })

  it('never resumes, and refuses work once closed', async () => {
    const pubsub = memoryPubSub()
    const resumed = vi.fn()
    const stop = pubsub.onResume(resumed)
    const got: string[] = []
    pubsub.subscribe('g', (payload) => got.push(payload))
    await pubsub.close()
    stop()
    await expect(pubsub.publish('g', '1')).rejects.toThrow(/closed/)
    expect(() => pubsub.subscribe('g', () => {})).toThrow(/closed/)
    expect(got).toEqual([])
    expect(resumed).not.toHaveBeenCalled()
    expect(pubsub.kind).toBe('memory')
  })
})

const available = await redisAvailable('redisPubSub')

describe.runIf(available)('redisPubSub on a real Redis', () => {
  const redisRun = redisTestRun()
  const { prefix, cleanups } = redisRun
  const channel = (group: string) => `${prefix}ps:${group}`

  /**
   * One "server": its own ioredis connection and its own pubsub, as in separate processes.
   * Resolves once the connection is ready: publish never waits for it.
   */
  async function server(name: string, options: { url?: string; redis?: RedisOptions; timeout?: number; defaultOnError?: boolean } = {}) {
    // Unique per server: a connection closed by an earlier test may linger in CLIENT LIST for a moment.
    const connectionName = redisRun.connectionName(name)
    const redis = new Redis(options.url ?? REDIS_URL, { connectionName, ...options.redis })
    // The connections the backend opens, for the tests to watch.
    const subscribers: Redis[] = []
    const duplicate = redis.duplicate.bind(redis)
    redis.duplicate = ((override) => {
      const connection = duplicate(override)
      subscribers.push(connection)
      return connection
    }) as Redis['duplicate']
    const errors: unknown[] = []
    const pubsub = redisPubSub({ redis, prefix, timeout: options.timeout, onError: options.defaultOnError ? undefined : (error) => errors.push(error) })
    cleanups.push(async () => {
      await pubsub.close()
      redis.disconnect()
    })
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve))
    return { redis, pubsub, errors, subscribers, connectionName, subscriberName: `${connectionName}:pubsub` }
  }

  async function numsub(group: string): Promise<number> {
    const reply = (await redisRun.admin.pubsub('NUMSUB', channel(group))) as [string, number]
    return Number(reply[1])
  }

  /** Listens to a group and records what arrives. */
  function listen(pubsub: PubSub, group: string) {
    const got: string[] = []
    const leave = pubsub.subscribe(group, (payload) => got.push(payload))
    return { got, leave }
  }

  it('delivers a publish from either of two instances to the listeners of both, exactly once', async () => {
    const a = await server('a')
    const b = await server('b')
    const a1 = listen(a.pubsub, 'room')
    const a2 = listen(a.pubsub, 'room')
    const b1 = listen(b.pubsub, 'room')
    const other = listen(b.pubsub, 'other-room')
    await Promise.all([a.pubsub.ready('room'), b.pubsub.ready('room'), b.pubsub.ready('other-room')])
    expect(await numsub('room')).toBe(2)

    await a.pubsub.publish('room', 'from a')
    await b.pubsub.publish('room', 'from b')
    // Each publisher's messages arrive in order, so its last one proves the earlier ones are in.
    await a.pubsub.publish('room', 'end a')
    await b.pubsub.publish('room', 'end b')
    for (const listener of [a1, a2, b1]) {
      await waitFor(() => listener.got.includes('end a') && listener.got.includes('end b'))
      expect([...listener.got].sort()).toEqual(['end a', 'end b', 'from a', 'from b'])
    }
    expect(other.got).toEqual([])
    expect(a.errors).toEqual([])
    expect(b.errors).toEqual([])
    expect(a.pubsub.kind).toBe('redis')
  })

  it('sends one SUBSCRIBE per group per instance for 50 local listeners, and UNSUBSCRIBE after the last leaves', async () => {
    const a = await server('a')
    const b = await server('b')
    const monitor = await Monitor.start(redisRun.admin)
    cleanups.push(() => monitor.stop())
    // Subscriber connections already up, as on a running server.
    listen(a.pubsub, 'warm')
    listen(b.pubsub, 'warm')
    await Promise.all([a.pubsub.ready('warm'), b.pubsub.ready('warm')])

    // 25 at once, 20 more while the SUBSCRIBE may be in flight, 5 after it was answered.
    const listeners = Array.from({ length: 25 }, () => listen(a.pubsub, 'busy'))
    await new Promise((resolve) => setImmediate(resolve))
    listeners.push(...Array.from({ length: 20 }, () => listen(a.pubsub, 'busy')))
    await a.pubsub.ready('busy')
    listeners.push(...Array.from({ length: 5 }, () => listen(a.pubsub, 'busy')))
    await a.pubsub.ready('busy')
    expect(await numsub('busy')).toBe(1)
    const bListeners = Array.from({ length: 10 }, () => listen(b.pubsub, 'busy'))
    await b.pubsub.ready('busy')
    expect(await numsub('busy')).toBe(2)

    await a.pubsub.publish('busy', 'hello')
    await waitFor(() => listeners.every((l) => l.got.length === 1) && bListeners.every((l) => l.got.length === 1))
    await monitor.sync()
    expect(monitor.count('subscribe', channel('busy'))).toBe(2) // one from a, one from b
    expect(monitor.count('unsubscribe', channel('busy'))).toBe(0)

    for (const listener of listeners.slice(1)) listener.leave()
    await monitor.sync()
    expect(monitor.count('unsubscribe', channel('busy'))).toBe(0) // 49 of 50 left: still subscribed
    expect(await numsub('busy')).toBe(2)
    listeners[0]!.leave()
    await waitFor(async () => (await numsub('busy')) === 1)
    for (const listener of bListeners) listener.leave()
    await waitFor(async () => (await numsub('busy')) === 0)
    await monitor.sync()
    expect(monitor.count('subscribe', channel('busy'))).toBe(2)
    expect(monitor.count('unsubscribe', channel('busy'))).toBe(2)
  })

  it('ends subscribed after subscribe, leave, subscribe in a row, and unsubscribed after subscribe, leave', async () => {
    const a = await server('a')
    const b = await server('b')
    const first = listen(a.pubsub, 'flip')
    first.leave()
    const second = listen(a.pubsub, 'flip')
    const gone = listen(a.pubsub, 'gone')
    gone.leave()
    await a.pubsub.ready('flip')
    expect(await numsub('flip')).toBe(1)
    await b.pubsub.publish('flip', 'x')
    await waitFor(() => second.got.length === 1)
    expect(first.got).toEqual([])

    // a sent SUBSCRIBE gone before SUBSCRIBE barrier, so once barrier is ready, a count of 0 can
    // only mean the UNSUBSCRIBE that followed.
    listen(a.pubsub, 'barrier')
    await a.pubsub.ready('barrier')
    await waitFor(async () => (await numsub('gone')) === 0)
    await expect(a.pubsub.ready('gone')).resolves.toBeUndefined() // no listener: nothing to wait for
  })

  it('converges after a storm of concurrent subscribes and leaves on a few groups', async () => {
    const a = await server('a')
    const b = await server('b')
    const groups = ['s0', 's1', 's2', 's3']
    const live = new Map<string, ReturnType<typeof listen>[]>(groups.map((g) => [g, []]))
    let seed = 7
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647
    for (let step = 0; step < 400; step++) {
      const group = groups[Math.floor(random() * groups.length)]!
      const listeners = live.get(group)!
      if (listeners.length > 0 && random() < 0.5) listeners.splice(Math.floor(random() * listeners.length), 1)[0]!.leave()
      else listeners.push(listen(a.pubsub, group))
      // Let commands and replies interleave with the next steps.
      if (step % 7 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    // Keep one listener on every group so each one has a state to converge to.
    for (const group of groups) if (live.get(group)!.length === 0) live.get(group)!.push(listen(a.pubsub, group))
    for (const group of groups) {
      await a.pubsub.ready(group)
      expect(await numsub(group)).toBe(1)
      await b.pubsub.publish(group, `to ${group}`)
    }
    for (const group of groups) await waitFor(() => live.get(group)!.every((l) => l.got.includes(`to ${group}`)))
    for (const group of groups) for (const l of live.get(group)!) expect(l.got).toEqual([`to ${group}`])
  })

  it('makes ready() wait out an UNSUBSCRIBE in flight when a listener joins again', async () => {
    const a = await server('a')
    const b = await server('b')
    const first = listen(a.pubsub, 'again')
    await a.pubsub.ready('again')
    first.leave() // UNSUBSCRIBE sent
    const second = listen(a.pubsub, 'again')
    await a.pubsub.ready('again') // only once the SUBSCRIBE that follows it is answered
    expect(await numsub('again')).toBe(1)
    await b.pubsub.publish('again', 'm')
    await waitFor(() => second.got.length === 1)
    expect(first.got).toEqual([])
  })

  it('delivers to a listener that joined while the SUBSCRIBE was in flight', async () => {
    const a = await server('a')
    const b = await server('b')
    const early = listen(a.pubsub, 'late')
    await new Promise((resolve) => setImmediate(resolve))
    const late = listen(a.pubsub, 'late')
    await a.pubsub.ready('late')
    await b.pubsub.publish('late', 'm')
    await waitFor(() => early.got.length === 1 && late.got.length === 1)
  })

  it('resubscribes after CLIENT KILL of the subscriber connection, reports onResume, and delivers again', async () => {
    const a = await server('a', { redis: { retryStrategy: () => 10 } })
    const b = await server('b')
    const stream = listen(a.pubsub, 'stream')
    await a.pubsub.ready('stream')
    let resumes = 0
    a.pubsub.onResume(() => resumes++)

    // b publishes without pause while a's subscriber connection is killed.
    let publishing = true
    let sent = 0
    const publisher = (async () => {
      while (publishing) {
        await b.pubsub.publish('stream', String(sent++))
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    await waitFor(() => stream.got.length >= 20)
    const id = await clientId(redisRun.admin, a.subscriberName)
    const publisherId = await clientId(redisRun.admin, a.connectionName)
    await redisRun.admin.client('KILL', 'ID', id)
    await waitFor(() => resumes === 1)
    const resumedAt = sent
    await waitFor(() => stream.got.some((payload) => Number(payload) > resumedAt + 20))
    publishing = false
    await publisher

    await a.pubsub.ready('stream')
    expect(await numsub('stream')).toBe(1) // a fresh subscription, not two
    expect(await clientId(redisRun.admin, a.subscriberName)).not.toBe(id)
    expect(await clientId(redisRun.admin, a.connectionName)).toBe(publisherId) // the user's connection was left alone
    // In order and never twice; everything published after the resubscription arrived.
    const numbers = stream.got.map(Number)
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y))
    expect(new Set(numbers).size).toBe(numbers.length)
    const last = numbers[numbers.length - 1]!
    for (let n = resumedAt; n <= last; n++) expect(numbers).toContain(n)
    expect(resumes).toBe(1)
  })

  it('replaces a subscriber connection whose retryStrategy gave up on the next subscribe', async () => {
    const control = { reconnect: true }
    const a = await server('a', { redis: { retryStrategy: () => (control.reconnect ? 10 : null) } })
    const b = await server('b')
    const before = listen(a.pubsub, 'phoenix')
    await a.pubsub.ready('phoenix')
    let resumes = 0
    a.pubsub.onResume(() => resumes++)

    control.reconnect = false
    await redisRun.admin.client('KILL', 'ID', await clientId(redisRun.admin, a.subscriberName))
    await waitFor(() => a.subscribers[0]!.status === 'end')
    control.reconnect = true
    const after = listen(a.pubsub, 'phoenix') // opens a new connection and subscribes every group again
    await a.pubsub.ready('phoenix')
    await waitFor(() => resumes === 1) // messages were lost while no connection listened
    expect(a.subscribers.length).toBe(2)
    expect(await numsub('phoenix')).toBe(1)
    await b.pubsub.publish('phoenix', 'back')
    await waitFor(() => before.got.length === 1 && after.got.length === 1)
    expect(a.redis.status).toBe('ready')
  })

  it('rejects publish within the timeout when Redis is unreachable, crashes nothing, and recovers', async () => {
    const proxy = await TcpProxy.start(REDIS_URL)
    cleanups.push(() => proxy.stop())
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    cleanups.push(() => consoleError.mockRestore())
    const a = await server('a', { url: proxy.url, timeout: 300, defaultOnError: true, redis: { retryStrategy: () => 20 } })
    const b = await server('b')
    const updates = listen(a.pubsub, 'updates')
    await a.pubsub.ready('updates')
    let resumes = 0
    a.pubsub.onResume(() => resumes++)

    // Redis stops answering: the connection still looks ready, so only the timeout can end the wait.
    proxy.freeze()
    let started = Date.now()
    await expect(a.pubsub.publish('updates', 'hangs')).rejects.toThrow(/within 300 ms/)
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(1000)

    // Redis goes away: publish fails at once instead of waiting in ioredis's offline queue.
    await proxy.down()
    await waitFor(() => a.redis.status !== 'ready')
    started = Date.now()
    await expect(a.pubsub.publish('updates', 'refused')).rejects.toThrow(/redis is/)
    expect(Date.now() - started).toBeLessThan(100)
    let reconnects = 0
    a.redis.on('reconnecting', () => reconnects++)
    await waitFor(() => reconnects >= 3) // several failed attempts: one burst of errors
    const logged = consoleError.mock.calls.filter((call) => String(call[0]).startsWith('[mizan]'))
    expect(logged.length).toBe(1)
    expect(consoleError.mock.calls.filter((call) => String(call[0]).includes('Unhandled error event'))).toEqual([])

    // Back: subscriptions are restored, onResume fires, and messages flow again.
    const readyAgain = a.pubsub.ready('updates')
    await proxy.up()
    await waitFor(() => resumes === 1)
    await readyAgain
    await waitFor(() => a.redis.status === 'ready')
    await b.pubsub.publish('updates', 'after')
    await a.pubsub.publish('updates', 'mine')
    await waitFor(() => updates.got.includes('after') && updates.got.includes('mine'))
    expect(updates.got).not.toContain('refused')
  })

  it('reports a listener that threw and keeps delivering to the others', async () => {
    const a = await server('a')
    a.pubsub.subscribe('oops', () => {
      throw new Error('listener bug')
    })
    const ok = listen(a.pubsub, 'oops')
    await a.pubsub.ready('oops')
    await a.pubsub.publish('oops', '1')
    await a.pubsub.publish('oops', '2')
    await waitFor(() => ok.got.length === 2)
    expect(a.errors).toEqual([new Error('listener bug'), new Error('listener bug')])
  })

  it('closes only the connection it opened, and refuses work afterwards', async () => {
    const a = await server('a')
    const noSubscriber = await server('idle')
    listen(a.pubsub, 'closing')
    await a.pubsub.ready('closing')
    expect(await clientId(redisRun.admin, a.subscriberName)).toBeDefined()
    listen(a.pubsub, 'in-flight')
    const pending = expect(a.pubsub.ready('in-flight')).rejects.toThrow(/closed/) // its SUBSCRIBE is not answered yet
    await a.pubsub.close()
    await a.pubsub.close() // twice is harmless
    await pending
    await expect(a.pubsub.ready('closing')).rejects.toThrow(/closed/)
    await expect(a.pubsub.publish('closing', 'x')).rejects.toThrow(/closed/)
    expect(() => a.pubsub.subscribe('closing', () => {})).toThrow(/closed/)
    await waitFor(async () => (await numsub('closing')) === 0)
    expect(await clientIdOrNull(redisRun.admin, a.subscriberName)).toBeNull()
    expect(a.redis.status).toBe('ready')
    expect(await a.redis.ping()).toBe('PONG')
    // An instance that never subscribed never opened a subscriber connection.
    expect(await clientIdOrNull(redisRun.admin, noSubscriber.subscriberName)).toBeNull()
  })
})


/** Polls a condition (no fixed sleeps); fails after 5 s so a broken test says what it waited for. */
async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${condition.toString()}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function clientIdOrNull(admin: Redis, name: string): Promise<string | null> {
  const list = (await admin.client('LIST')) as string
  const line = list.split('\n').find((entry) => entry.split(' ').includes(`name=${name}`))
  return line ? line.split(' ').find((field) => field.startsWith('id='))!.slice(3) : null
}

async function clientId(admin: Redis, name: string): Promise<string> {
  const id = await clientIdOrNull(admin, name)
  if (id === null) throw new Error(`no Redis client named ${name}`)
  return id
}

/** MONITOR, counting the commands that name a channel. */
class Monitor {
  private readonly seen: string[][] = []

  private constructor(private readonly connection: Redis, private readonly admin: Redis) {
    connection.on('monitor', (_time: string, args: string[]) => this.seen.push(args.map(String)))
  }

  static async start(admin: Redis): Promise<Monitor> {
    // Not admin.monitor(): ioredis takes lines of other clients' traffic that arrive right after
    // the MONITOR reply for replies and emits an `error`, which must be listened to.
    const connection = admin.duplicate({ monitor: true, lazyConnect: false })
    connection.on('error', () => {})
    await new Promise((resolve) => connection.once('monitoring', resolve))
    return new Monitor(connection, admin)
  }

  /** Waits until MONITOR has shown every command Redis ran before this call. */
  async sync(): Promise<void> {
    const marker = `monitor-sync-${randomBytes(6).toString('hex')}`
    await this.admin.echo(marker)
    await waitFor(() => this.seen.some((args) => args.includes(marker)))
  }

  count(command: string, channel: string): number {
    return this.seen.filter((args) => args[0]?.toLowerCase() === command && args.includes(channel)).length
  }

  stop(): void {
    this.connection.disconnect()
  }
}

/**
 * A TCP proxy in front of Redis, to make it unreachable for one client only: `freeze` stops
 * forwarding (Redis seems to hang), `down` drops every connection and refuses new ones.
 */
class TcpProxy {
  private readonly sockets = new Set<net.Socket>()
  private server: net.Server | undefined
  private frozen = false

  private constructor(
    private readonly target: URL,
    private port = 0,
  ) {}

  static async start(url: string): Promise<TcpProxy> {
    const proxy = new TcpProxy(new URL(url))
    await proxy.up()
    return proxy
  }

  /** The Redis URL, through the proxy. */
  get url(): string {
    const url = new URL(this.target)
    url.hostname = '127.0.0.1'
    url.port = String(this.port)
    return url.toString()
  }

  async up(): Promise<void> {
    this.frozen = false
    const server = net.createServer((client) => this.forward(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as net.AddressInfo).port
    this.server = server
  }

  freeze(): void {
    this.frozen = true
  }

  async down(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    if (server) await new Promise((resolve) => server.close(resolve))
  }

  async stop(): Promise<void> {
    await this.down()
  }

  private forward(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port || 6379), this.target.hostname)
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from)
      from.on('error', () => {})
      from.on('close', () => {
        this.sockets.delete(from)
        to.destroy()
      })
      from.on('data', (chunk) => {
        if (!this.frozen) to.write(chunk)
      })
    }
  }
}

import type { Transformer } from '@mizan/wire'
import type { PrincipalOf } from '../cache/origin-cache.js'
import type { ChannelDef } from '../channel.js'
import type { Invalidation } from '../dispatch.js'
import { MizanError } from '../errors.js'
import { invalidationsWire } from '../result-wire.js'
import type { FlatRouter } from '../router.js'
import { inputValidator, type Validator } from '../schema.js'
import type { PubSub } from './pubsub.js'

/** A channel prepared once: its schemas compiled. */
export interface CompiledChannel {
  readonly path: string
  readonly def: ChannelDef
  readonly parseParams: Validator
  readonly checkMessage: Validator
  readonly parseReceived: Validator | undefined
}

/** What the hub needs of a live connection to push to it. */
export interface PushTarget {
  readonly id: string
  /** Sends an already serialized frame. */
  sendText(text: string): void
}

const PUBLIC_INVALIDATIONS = 'inv:public'

/**
 * The realtime hub of one server instance: channels (validate, group, publish through the pub/sub
 * backend) and invalidation pushes to other connections, on this instance and every other one.
 */
export class Hub {
  readonly channels = new Map<string, CompiledChannel>()
  /** Targets that a path's invalidation may concern only its user: queries cached per user. */
  private readonly userScoped = new Set<string>()

  constructor(
    flat: FlatRouter,
    readonly pubsub: PubSub,
    private readonly transformer: Transformer,
    readonly principalOf: PrincipalOf,
  ) {
    for (const [path, def] of flat.channels) {
      const receive = def.options.receive
      this.channels.set(path, {
        path,
        def,
        parseParams: inputValidator(def.options.params),
        checkMessage: inputValidator(def.options.message),
        parseReceived: receive === undefined ? undefined : inputValidator(receive.message),
      })
    }
    // A prefix is user-scoped when everything under it is: pushing it to one user is then enough.
    const byPrefix = new Map<string, boolean>()
    for (const [path, def] of flat.procedures) {
      const user = def.options.cache?.scope === 'user'
      if (user) this.userScoped.add(path)
      let dot = path.indexOf('.')
      while (dot !== -1) {
        const prefix = path.slice(0, dot)
        byPrefix.set(prefix, (byPrefix.get(prefix) ?? true) && user)
        dot = path.indexOf('.', dot + 1)
      }
    }
    for (const [prefix, user] of byPrefix) if (user) this.userScoped.add(prefix)
  }

  /** The pub/sub group of a channel group. */
  groupKey(path: string, group: string): string {
    return `ch:${path}:${group}`
  }

  /** Resolves a channel path, or throws NOT_FOUND. */
  channel(path: string): CompiledChannel {
    const channel = this.channels.get(path)
    if (channel === undefined) throw new MizanError('NOT_FOUND', `No channel at "${path}"`)
    return channel
  }

  /** The group a subscriber with these (parsed) params joins. */
  groupOf(channel: CompiledChannel, ctx: unknown, params: unknown): string {
    return channel.def.options.group?.({ ctx, params }) ?? ''
  }

  /**
   * Publishes to the group `params` select: params and message are validated here, so nothing
   * malformed ever reaches a subscriber.
   */
  async publish(path: string, params: unknown, message: unknown, ctx?: unknown): Promise<void> {
    const channel = this.channel(path)
    const parsedParams = await channel.parseParams(params)
    await this.publishToGroup(channel, this.groupOf(channel, ctx, parsedParams), message)
  }

  /** Publishes to a known group (a `receive` handler publishes to its subscriber's own group). */
  async publishToGroup(channel: CompiledChannel, group: string, message: unknown): Promise<void> {
    let checked: unknown
    try {
      checked = await channel.checkMessage(message)
    } catch (error) {
      throw new MizanError('INTERNAL_SERVER_ERROR', `A message published to "${channel.path}" fails its schema`, { cause: error })
    }
    const { json, meta } = this.transformer.serialize(checked)
    await this.pubsub.publish(this.groupKey(channel.path, group), JSON.stringify(meta === undefined ? { json } : { json, meta }))
  }

  /**
   * Tells other connections what a call invalidated: user-scoped targets to the caller's other
   * connections, the rest to everyone; never to the connection that made the call (its reply
   * carries the set already).
   */
  async pushInvalidations(invalidations: readonly Invalidation[], ctx: unknown, origin: string | undefined): Promise<void> {
    const publicList: Invalidation[] = []
    const userList: Invalidation[] = []
    for (const entry of invalidations) (this.userScoped.has(entry.path) ? userList : publicList).push(entry)
    const sends: Promise<void>[] = []
    if (publicList.length > 0) sends.push(this.pubsub.publish(PUBLIC_INVALIDATIONS, this.pushText(publicList, origin)))
    const principal = this.principalOf(ctx)
    if (userList.length > 0 && principal !== null && principal !== undefined) {
      sends.push(this.pubsub.publish(userInvalidations(String(principal)), this.pushText(userList, origin)))
    }
    await Promise.all(sends)
  }

  /** Subscribes a connection to the pushes it may see; returns the function that stops them. */
  listen(target: PushTarget, principal: string | null): () => void {
    const deliver = (payload: string) => {
      const { origin, frame } = JSON.parse(payload) as { origin: string | null; frame: string }
      if (origin !== target.id) target.sendText(frame)
    }
    const offs = [this.pubsub.subscribe(PUBLIC_INVALIDATIONS, deliver)]
    if (principal !== null) offs.push(this.pubsub.subscribe(userInvalidations(principal), deliver))
    return () => offs.forEach((off) => off())
  }

  private pushText(list: readonly Invalidation[], origin: string | undefined): string {
    const frame = JSON.stringify({ type: 'invalidate', invalidate: invalidationsWire(list, this.transformer) })
    return JSON.stringify({ origin: origin ?? null, frame })
  }
}

function userInvalidations(principal: string): string {
  return `inv:user:${principal}`
}

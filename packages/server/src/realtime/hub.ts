import type { Transformer } from '@mizan/wire'
import type { PrincipalOf } from '../cache/origin-cache.js'
import type { ChannelDef } from '../channel.js'
import type { Invalidation } from '../dispatch.js'
import { MizanError } from '../errors.js'
import { boundedInvalidations, MAX_FRAME_INVALIDATIONS } from '../result-wire.js'
import type { FlatRouter } from '../router.js'
import { inputValidator, type Validator } from '../schema.js'
import type { MaybePromise } from '../maybe-promise.js'
import { whenLoaded } from '../transformer.js'
import { PushAudiences, userGroup, type AudienceClass, type AudienceReport, type ConnectionAudience } from './audience.js'
import type { PubSub } from './pubsub.js'
import { PushListeners, type OwnPart, type PushGroupName } from './push-listeners.js'
import { settleWithin } from './settle-within.js'

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
  /**
   * Sends an already serialized frame. `eid` is the frame's event id (the connection's push cursor
   * after it), for transports that carry one beside the frame (an event stream's `id:` line).
   */
  sendText(text: string, eid?: string): void
}

/**
 * The realtime hub of one server instance: channels (validate, group, publish through the pub/sub
 * backend) and invalidation pushes to other connections, on this instance and every other one.
 */
export class Hub {
  readonly channels = new Map<string, CompiledChannel>()
  private readonly flat: FlatRouter
  private pushAudiences: PushAudiences | undefined

  /** Who may hear the invalidations of each target; worked out on first need, not at startup. */
  get audiences(): PushAudiences {
    return (this.pushAudiences ??= new PushAudiences(this.flat))
  }

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
    this.flat = flat
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
    const payload = whenLoaded(() => {
      const { json, meta } = this.transformer.serialize(checked)
      return JSON.stringify(meta === undefined ? { json } : { json, meta })
    })
    await this.pubsub.publish(this.groupKey(channel.path, group), payload instanceof Promise ? await payload : payload)
  }

  /**
   * Places a connection among the push audiences: each distinct `auth` rule runs once against its
   * context. Until this settles the connection hears no push (it is not subscribed yet).
   */
  audienceOf(ctx: unknown, report: AudienceReport): MaybePromise<ConnectionAudience> {
    return this.audiences.evaluate(ctx, principalString(this.principalOf(ctx)), report)
  }

  /**
   * Tells other connections what a call invalidated, each entry only to the connections that could
   * call its target: one publish per audience class (the pub/sub fans it out), user-scoped entries
   * to the caller's own principal only. Never to the connection that made the call (its reply
   * carries the set already). An entry whose path names nothing reaches nobody.
   */
  async pushInvalidations(invalidations: readonly Invalidation[], ctx: unknown, origin: string | undefined): Promise<void> {
    const shared = new Map<AudienceClass, Invalidation[]>()
    const own = new Map<string, { part: Omit<OwnPart, 'frame'>; list: Invalidation[] }>()
    const principal = principalString(this.principalOf(ctx))
    for (const entry of invalidations) {
      const audience = this.audiences.target(entry.path)
      if (audience === undefined) continue
      if (audience.shared !== undefined) push(shared, audience.shared, entry)
      // (A user-scoped entry whose shared class is public reached every connection already.)
      if (audience.own !== undefined && principal !== null && audience.shared !== this.audiences.publicClass) {
        // A connection that also hears the shared class got the entry there already.
        const key = `${audience.own.id}\n${audience.shared?.id ?? ''}`
        let bucket = own.get(key)
        if (bucket === undefined) own.set(key, (bucket = { part: audience.shared === undefined ? { own: audience.own.id } : { own: audience.own.id, not: audience.shared.id }, list: [] }))
        bucket.list.push(entry)
      }
    }
    // The frames, built before anything is sent: once superjson has loaded if an input needs it.
    const built = whenLoaded(() => ({
      shared: [...shared].map(([audience, list]) => [audience, this.frameOf(list)] as const),
      parts: [...own.values()].map(({ part, list }): OwnPart => ({ ...part, frame: this.frameOf(list) })),
    }))
    const frames = built instanceof Promise ? await built : built
    const sends: Promise<unknown>[] = []
    // The origin ends at the first newline of a shared payload: one it could contain (it may come
    // from a request header) is no connection's id anyway.
    const from = origin === undefined || origin.includes('\n') ? '' : origin
    for (const [audience, frame] of frames.shared) sends.push(this.pubsub.publish(audience.group, `${from}\n${frame}`))
    if (frames.parts.length > 0) sends.push(this.pubsub.publish(userGroup(principal!), JSON.stringify({ origin: origin ?? null, parts: frames.parts })))
    await Promise.all(sends)
  }

  private listeners: PushListeners | undefined

  /** Who hears the pushes of each group on this instance; made with the first connection. */
  private get pushListeners(): PushListeners {
    return (this.listeners ??= new PushListeners(this.pubsub, (audience) => this.pushGroupsOf(audience)))
  }

  /**
   * Subscribes a connection to the pushes of the classes it belongs to, and to its principal's
   * own pushes, until {@link unlisten}. With `after` (the push cursor it came back with: client
   * input) each of its own groups first replays what it missed. Resolves once placed: with
   * `after`, whether everything missed was replayed; without, undefined.
   */
  listen(target: PushTarget, audience: ConnectionAudience, after?: string): Promise<boolean | undefined> {
    return this.pushListeners.listen(target, audience, after)
  }

  /** Stops the pushes {@link listen} started for this connection and audience. */
  unlisten(target: PushTarget, audience: ConnectionAudience): void {
    this.listeners?.unlisten(target, audience)
  }

  /** Where a connection stands in its push groups: the cursor its client hands back on a reconnect. */
  cursorOf(target: PushTarget, audience: ConnectionAudience): string | undefined {
    return this.pushListeners.cursorOf(target, audience)
  }

  /**
   * Resolves once the pub/sub can deliver what is pushed to a connection that {@link listen}s with
   * this audience (a broker acknowledged its groups), or after `timeoutMs`: during a broker outage
   * a connection still opens, and hears pushes once the broker is back.
   */
  async ready(audience: ConnectionAudience, timeoutMs = 5000): Promise<void> {
    const ready = this.pubsub.ready
    if (ready === undefined) return
    await settleWithin(Promise.all(this.groupsOf(audience).map((group) => ready.call(this.pubsub, group))), timeoutMs, [])
  }

  /** The push groups of a connection, each with whether it is a principal's own. */
  private pushGroupsOf(audience: ConnectionAudience): PushGroupName[] {
    const groups: PushGroupName[] = this.sharedGroupsOf(audience).map((group) => ({ group, own: false }))
    if (audience.principal !== null) groups.push({ group: userGroup(audience.principal), own: true })
    return groups
  }

  /** The push groups of a connection: those of its classes, then its principal's own. */
  private groupsOf(audience: ConnectionAudience): string[] {
    return this.pushGroupsOf(audience).map(({ group }) => group)
  }

  private sharedGroupsOf(audience: ConnectionAudience): string[] {
    return this.audiences.sharedClasses.filter((shared) => audience.classes.has(shared.id)).map((shared) => shared.group)
  }

  /** A push frame; a set too large for one is sent coarser, never lost. */
  private frameOf(list: readonly Invalidation[]): string {
    return `{"type":"invalidate","invalidate":${boundedInvalidations(list, this.transformer, MAX_FRAME_INVALIDATIONS, JSON.stringify)}}`
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

function principalString(principal: string | number | null | undefined): string | null {
  return principal === null || principal === undefined ? null : String(principal)
}

import { MizanError } from '../errors.js'
import type { MaybePromise } from '../maybe-promise.js'
import type { ConnectionSettings } from './connection.js'
import type { CompiledChannel } from './hub.js'
import { MAX_EVENT_ID_LENGTH, type Placement } from './pubsub.js'
import { settleWithin } from './settle-within.js'

/** What a connection's channel subscriptions need of it. */
export interface JoinHost {
  readonly ctx: unknown
  readonly settings: ConnectionSettings
  /** Whether its socket is still open. */
  isOpen(): boolean
  sendText(text: string): void
  sendFrame(frame: Record<string, unknown>): void
}

interface Subscription {
  channel: CompiledChannel
  group: string
  params: unknown
  leave: () => void
}

/**
 * The channel subscriptions of one connection: `subscribe`, `unsubscribe` and `send` frames.
 * Made with a connection's first subscribe, so that a connection that joins nothing holds none of
 * it; disposed with the connection.
 */
export class ChannelJoins {
  private readonly subscriptions = new Map<string, Subscription>()
  /**
   * Subscription ids holding a slot under `maxSubscriptions`, joined or still joining, each with
   * the turn of its latest subscribe frame. A slot is taken synchronously when the frame arrives,
   * so a burst of frames cannot all pass the limit before the first join is stored.
   */
  private readonly slots = new Map<string, number>()
  private turns = 0
  /** Joins are remembered while they run, so that a `send` right behind one waits for it. */
  private joining: Map<string, Promise<void>> | undefined
  private readonly stopResume: () => void
  private disposed = false

  constructor(private readonly host: JoinHost) {
    // Messages may have been lost while the broker was away: every subscription must resync.
    this.stopResume = host.settings.hub.pubsub.onResume(() => {
      for (const id of this.subscriptions.keys()) host.sendFrame({ type: 'resync', id })
    })
  }

  /** A `subscribe` frame: validated, authorized, then joined; answered `subscribed`. */
  join(id: string, frame: Record<string, unknown>): Promise<void> {
    const joining = (this.joining ??= new Map())
    const joined = this.subscribe(id, frame).finally(() => {
      if (joining.get(id) === joined) joining.delete(id)
      // Joins are seldom: the map is not kept for the rest of the connection's life.
      if (this.joining?.size === 0) this.joining = undefined
    })
    joining.set(id, joined)
    return joined
  }

  /** An `unsubscribe` frame: the subscription leaves; a join still running for it does not join. */
  unsubscribe(id: string): void {
    this.subscriptions.get(id)?.leave()
    this.subscriptions.delete(id)
    this.slots.delete(id)
  }

  /** A client-to-server message on a subscription: validated, then handed to the channel's `receive`. */
  async forward(id: string, frame: Record<string, unknown>): Promise<void> {
    await this.joining?.get(id)?.catch(() => {})
    const subscription = this.subscriptions.get(id)
    if (subscription === undefined) throw new MizanError('NOT_FOUND', `No subscription "${id}"`)
    const { channel, group, params } = subscription
    const receive = channel.def.options.receive
    if (receive === undefined || channel.parseReceived === undefined) throw new MizanError('METHOD_NOT_SUPPORTED', `"${channel.path}" receives no messages`)
    const { ctx, settings } = this.host
    const message = await channel.parseReceived(await this.decode(frame.message, frame.meta))
    await receive.handle({ ctx, params, message, publish: (out: unknown) => settings.hub.publishToGroup(channel, group, out) })
    if (typeof frame.ref === 'string') this.host.sendFrame({ type: 'sent', id: frame.ref })
  }

  /** The connection is gone: every subscription leaves. */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.stopResume()
    for (const subscription of this.subscriptions.values()) subscription.leave()
    this.subscriptions.clear()
    this.slots.clear()
  }

  private async subscribe(id: string, frame: Record<string, unknown>): Promise<void> {
    const { ctx, settings } = this.host
    const { hub } = settings
    const channel = hub.channel(pathOf(frame))
    const turn = this.takeSlot(id)
    try {
      // Params are validated before authorize sees them; the group is the server's choice alone.
      const params = await channel.parseParams(await this.decode(frame.params, frame.meta))
      const authorize = channel.def.options.authorize
      if (authorize !== undefined && !(await authorize({ ctx, params }))) {
        throw new MizanError(hub.principalOf(ctx) == null ? 'UNAUTHORIZED' : 'FORBIDDEN', `Not allowed to join "${channel.path}"`)
      }
      // Unsubscribed, or subscribed again under the same id, meanwhile: the later frame decides.
      if (this.disposed || !this.host.isOpen() || this.slots.get(id) !== turn) return
      const group = hub.groupOf(channel, ctx, params)
      const prefix = `{"type":"message","id":${JSON.stringify(id)},"message":`
      const key = hub.groupKey(channel.path, group)
      // An id the client heard before: the backend checks it (format, window) before any use.
      const after = typeof frame.after === 'string' && frame.after.length <= MAX_EVENT_ID_LENGTH ? frame.after : undefined
      let placement: Placement | undefined
      let placedNow: () => void = () => {}
      const placed = new Promise<void>((resolve) => (placedNow = resolve))
      // Messages (a replay first) wait for the `subscribed` frame: a client hears whether it
      // resumed before what it missed.
      let held: string[] | undefined = []
      const leave = hub.pubsub.subscribe(
        key,
        // The message's id goes in the frame: a subscription resumes with it. (An event stream's
        // `id:` line is the push cursor, which a channel message does not move.)
        (payload, eid) => {
          const text = eid === undefined ? `${prefix}${payload}}` : `${prefix}${payload},"eid":${JSON.stringify(eid)}}`
          if (held !== undefined) held.push(text)
          else this.host.sendText(text)
        },
        {
          after,
          placed: (value) => {
            placement = value
            placedNow()
          },
        },
      )
      this.subscriptions.get(id)?.leave()
      this.subscriptions.set(id, { channel, group, params, leave })
      // `subscribed` promises delivery of what is published next: wait until the broker can keep it,
      // but not forever: during a broker outage the subscriber hears `resync` once it is back.
      const waited = Promise.all([placed, hub.pubsub.ready?.(key)])
      await settleWithin(waited, 5000, undefined)
      // What the channel stands for: the client refetches it when it may have missed messages.
      const subscribed: Record<string, unknown> = { type: 'subscribed', id, affects: channel.def.options.affects ?? [] }
      if (placement?.at !== undefined) subscribed.at = placement.at
      if (frame.after !== undefined) subscribed.resumed = placement?.resumed === true
      const waiting = held
      held = undefined
      // Left meanwhile (unsubscribed, or joined again under the same id): the later frame decides.
      if (this.subscriptions.get(id)?.leave !== leave) return
      this.host.sendFrame(subscribed)
      for (const text of waiting) this.host.sendText(text)
    } finally {
      // A join that did not end subscribed gives its slot back, unless a later frame holds it.
      if (this.slots.get(id) === turn && !this.subscriptions.has(id)) this.slots.delete(id)
    }
  }

  /** Takes (or renews) the slot of subscription `id` at once, or throws TOO_MANY_REQUESTS; returns this frame's turn. */
  private takeSlot(id: string): number {
    const max = this.host.settings.limits.maxSubscriptions
    if (!this.slots.has(id) && this.slots.size >= max) {
      throw new MizanError('TOO_MANY_REQUESTS', `A connection holds at most ${max} subscriptions`)
    }
    const turn = ++this.turns
    this.slots.set(id, turn)
    return turn
  }

  /** A frame's value; later when superjson has to load first. */
  private decode(json: unknown, meta: unknown): MaybePromise<unknown> {
    return this.host.settings.decoder.value(json, meta)
  }
}

/** The `path` of a frame, which must be a string. */
export function pathOf(frame: Record<string, unknown>): string {
  if (typeof frame.path !== 'string') throw new MizanError('BAD_REQUEST', 'A frame needs a string path')
  return frame.path
}

import type { Connection, ConnectionSettings } from '../connection.js'
import { receiveSafely } from '../open-connection.js'
import type { PubSub } from '../pubsub.js'
import type { SsePeer } from './peer.js'
import { settleWithin } from '../settle-within.js'

/** One open event stream, found by its secret when the client POSTs frames. */
export interface SseSession {
  readonly connection: Connection
  readonly peer: SsePeer
  readonly ctx: unknown
  /** The principal of the stream's context, as a string (`null`: nobody). */
  readonly principal: string | null
}

/** Frames POSTed to an instance that does not hold their session, sent on over the pub/sub. */
interface Forwarded {
  /** The principal of the POST's own context; absent when the server checks none (tickets). */
  principal?: string | null
  frames: string[]
}

/**
 * The event stream sessions this instance holds. Every session listens to the pub/sub group
 * `sse:<secret>`, so frames POSTed to another instance reach it there.
 */
export class SseSessions {
  private readonly open = new Map<string, SseSession>()

  constructor(
    private readonly pubsub: PubSub,
    private readonly settings: ConnectionSettings,
    /** Whether a POST must come from the stream's own principal (true unless tickets authenticate). */
    private readonly checksPrincipal: boolean,
  ) {}

  /** Whether frames for an unknown session may be held by another instance. */
  get shared(): boolean {
    return this.pubsub.kind !== 'memory'
  }

  /**
   * Listens for frames forwarded to session `secret` (on a shared pub/sub only); resolves once the
   * pub/sub delivers them, or after 5 s. Returns how to stop.
   */
  listen(secret: string): { ready: Promise<void> | undefined; leave: () => void } {
    if (!this.shared) return { ready: undefined, leave: () => {} }
    const group = forwardGroup(secret)
    const leave = this.pubsub.subscribe(group, (payload) => this.deliver(secret, payload))
    const ready = this.pubsub.ready === undefined ? undefined : settleWithin(this.pubsub.ready(group).catch(() => {}), 5000, undefined)
    return { ready, leave }
  }

  add(secret: string, session: SseSession): void {
    this.open.set(secret, session)
  }

  delete(secret: string): void {
    this.open.delete(secret)
  }

  get(secret: string): SseSession | undefined {
    return this.open.get(secret)
  }

  /** Feeds frames to a session in order, as a socket's frames are fed. */
  feed(session: SseSession, frames: readonly string[]): void {
    for (const frame of frames) {
      // A frame that closed the stream (too many, say) stops the rest: nothing is sent any more.
      if (session.peer.readyState !== session.peer.OPEN) return
      receiveSafely(session.connection, this.settings, session.ctx, frame, false)
    }
  }

  /** Sends frames to the instance holding session `secret`, whichever it is. */
  async forward(secret: string, frames: readonly string[], principal: string | null | undefined): Promise<void> {
    const forwarded: Forwarded = principal === undefined ? { frames: [...frames] } : { principal, frames: [...frames] }
    await this.pubsub.publish(forwardGroup(secret), JSON.stringify(forwarded))
  }

  /** Frames forwarded by another instance: fed when they come from the session's own principal. */
  private deliver(secret: string, payload: string): void {
    const session = this.open.get(secret)
    if (session === undefined) return
    let forwarded: Forwarded
    try {
      forwarded = JSON.parse(payload) as Forwarded
    } catch {
      return
    }
    if (!Array.isArray(forwarded.frames) || !forwarded.frames.every((frame) => typeof frame === 'string')) return
    if (this.checksPrincipal && forwarded.principal !== session.principal) return
    this.feed(session, forwarded.frames)
  }
}

/** The pub/sub group of session `secret`. */
function forwardGroup(secret: string): string {
  return `sse:${secret}`
}

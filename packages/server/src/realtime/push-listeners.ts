import type { ConnectionAudience } from './audience.js'
import type { PushTarget } from './hub.js'
import { readCursor, tagOf, writeCursor } from './push-cursor.js'
import type { PubSub } from './pubsub.js'
import { settleWithin } from './settle-within.js'

/** A push group a connection listens to: its pub/sub group, and whether it is a principal's own. */
export interface PushGroupName {
  readonly group: string
  /** A principal's own pushes (`{ origin, parts }` payloads) rather than a shared class's frames. */
  readonly own: boolean
}

/** The connections of one push group on this instance, on one pub/sub subscription. */
interface PushGroup {
  readonly targets: Map<PushTarget, ConnectionAudience>
  readonly own: boolean
  readonly tag: string
  /** The last event id heard in the group (or where the subscription was placed): every listener's cursor entry. */
  lastId: string | undefined
  leave: () => void
}

/**
 * A connection that came back with a push cursor: the groups it resumed, each on a subscription of
 * its own that first replays what it missed, with the last id it heard in each.
 */
interface Resumption {
  readonly ids: Map<string, ResumedGroup>
}

/** A group a connection resumed: its tag, the last id it heard there, and how to leave its subscription. */
interface ResumedGroup {
  readonly tag: string
  id: string | undefined
  leave: (() => void) | undefined
}

/** Milliseconds a resuming connection waits for its replays to be placed before it opens anyway (resumed: false). */
const PLACEMENT_TIMEOUT_MS = 5000

/**
 * Who hears the invalidation pushes of each push group on this instance. The hub holds one pub/sub
 * subscription per group and fans out itself, so an idle connection costs one map entry per group
 * rather than a listener, a subscription and their closures each. A connection that reconnects
 * with a push cursor gets a subscription of its own for each group its cursor names, which first
 * replays what it missed: the fan-out stays shared for everyone else.
 *
 * Each push frame carries its group's entry of a cursor as `eid` (`tag~id`, the same for every
 * connection of the group, so a fan-out writes one frame for all); a client merges the entries it
 * hears into the cursor its hello gave. Transports with event ids (an event stream's `id:` line)
 * carry it there too.
 */
export class PushListeners {
  private readonly groups = new Map<string, PushGroup>()
  private readonly resumptions = new Map<PushTarget, Resumption>()
  // The last shared payload split into origin and frame (with its id): every connection hears the
  // same payload string, so it is split once, not once per connection.
  private split: { payload: string; eid: string | undefined; origin: string; frames: readonly string[] } = { payload: '', eid: undefined, origin: '', frames: [] }

  constructor(
    private readonly pubsub: PubSub,
    private readonly groupsOf: (audience: ConnectionAudience) => readonly PushGroupName[],
  ) {}

  /**
   * Starts the pushes of a connection. With `after` (a cursor it had: client input) each of ITS
   * groups the cursor names first replays what was missed; entries naming other groups are
   * ignored. Resolves once placed: with `after`, whether every group resumed in full; without it,
   * undefined.
   */
  listen(target: PushTarget, audience: ConnectionAudience, after?: string): Promise<boolean | undefined> {
    const wanted = after === undefined ? undefined : readCursor(after)
    const placements: Promise<boolean>[] = []
    for (const name of this.groupsOf(audience)) {
      const tag = this.groups.get(name.group)?.tag ?? tagOf(name.group)
      const id = wanted?.get(tag)
      if (id === undefined) {
        this.join(name, tag).targets.set(target, audience)
        // A cursor without this group: what was pushed to it meanwhile may be lost.
        if (wanted !== undefined) placements.push(Promise.resolve(false))
        continue
      }
      placements.push(this.resume(target, audience, name, tag, id))
    }
    if (after === undefined) return Promise.resolve(undefined)
    return settleWithin(Promise.all(placements).then((each) => each.every(Boolean)), PLACEMENT_TIMEOUT_MS, false)
  }

  /** Stops the pushes {@link listen} started for this connection and audience. */
  unlisten(target: PushTarget, audience: ConnectionAudience): void {
    for (const { group } of this.groupsOf(audience)) {
      const pushGroup = this.groups.get(group)
      if (pushGroup === undefined || !pushGroup.targets.delete(target) || pushGroup.targets.size > 0) continue
      // The last connection of a group left: its subscription goes, so that per-user groups do not pile up.
      this.groups.delete(group)
      pushGroup.leave()
    }
    const resumption = this.resumptions.get(target)
    if (resumption === undefined) return
    this.resumptions.delete(target)
    for (const resumed of resumption.ids.values()) resumed.leave?.()
  }

  /** Where a connection stands in its push groups: the cursor it hands back on a reconnect. */
  cursorOf(target: PushTarget, audience: ConnectionAudience): string | undefined {
    const resumed = this.resumptions.get(target)?.ids
    return writeCursor(
      this.groupsOf(audience).map(({ group }) => {
        const own = resumed?.get(group)
        if (own !== undefined) return [own.tag, own.id] as const
        const shared = this.groups.get(group)
        return [shared?.tag ?? '', shared?.lastId] as const
      }),
    )
  }

  /** The shared subscription of a group, made with its first connection. */
  private join(name: PushGroupName, tag: string): PushGroup {
    let pushGroup = this.groups.get(name.group)
    if (pushGroup !== undefined) return pushGroup
    const made: PushGroup = { targets: new Map(), own: name.own, tag, lastId: undefined, leave: () => {} }
    this.groups.set(name.group, made)
    made.leave = this.pubsub.subscribe(
      name.group,
      (payload, id) => {
        if (id !== undefined) made.lastId = id
        this.deliver(made.targets, made.own, payload, entryOf(tag, id))
      },
      { placed: ({ at }) => void (made.lastId ??= at) },
    )
    return made
  }

  /**
   * A group a connection resumes on a subscription of its own, replaying after `id`; resolves with
   * whether it resumed in full. One that cannot resume (the id is unknown or too old) has nothing
   * to replay: it joins the shared subscription at once, so it costs no more than a fresh one.
   */
  private resume(target: PushTarget, audience: ConnectionAudience, name: PushGroupName, tag: string, id: string): Promise<boolean> {
    let resumption = this.resumptions.get(target)
    if (resumption === undefined) this.resumptions.set(target, (resumption = { ids: new Map() }))
    const entry: ResumedGroup = { tag, id: undefined, leave: undefined }
    resumption.ids.set(name.group, entry)
    const only = new Map([[target, audience]])
    const toShared = () => {
      // Joined before the own subscription goes: nothing falls between the two.
      this.join(name, tag).targets.set(target, audience)
      entry.leave?.()
      resumption.ids.delete(name.group)
      if (resumption.ids.size === 0 && this.resumptions.get(target) === resumption) this.resumptions.delete(target)
    }
    let unresumed = false
    return new Promise((resolve) => {
      entry.leave = this.pubsub.subscribe(
        name.group,
        (payload, heard) => {
          if (heard !== undefined) entry.id = heard
          this.deliver(only, name.own, payload, entryOf(tag, heard))
        },
        {
          after: id,
          placed: ({ resumed, at }) => {
            entry.id ??= at
            resolve(resumed)
            if (resumed) return
            unresumed = true
            if (entry.leave !== undefined) toShared()
          },
        },
      )
      // Placed before `subscribe` returned (the memory pub/sub): the switch waited for `leave`.
      if (unresumed) toShared()
    })
  }

  /**
   * Delivers a payload to the connections of a group, as a pub/sub delivers to its listeners: one
   * that joins meanwhile waits for the next payload, one that leaves meanwhile hears nothing more,
   * and one that throws does not keep the others from theirs (the first error is rethrown after,
   * for the pub/sub to report). `eid` is the group's cursor entry after this payload.
   */
  private deliver(targets: Map<PushTarget, ConnectionAudience>, own: boolean, payload: string, eid: string | undefined): void {
    let origin: string | null
    let frames: (audience: ConnectionAudience) => readonly string[]
    if (own) {
      const parsed = JSON.parse(payload) as { origin: string | null; parts: OwnPart[] }
      origin = parsed.origin
      const parts = parsed.parts.map(({ own: mine, not, frame }) => ({ mine, not, text: withEid(frame, eid) }))
      // Each part to the connections of its class that did not hear it through a shared group.
      frames = (audience) => parts.filter(({ mine, not }) => audience.classes.has(mine) && (not === undefined || !audience.classes.has(not))).map(({ text }) => text)
    } else {
      let split = this.split
      if (split.payload !== payload || split.eid !== eid) {
        const cut = payload.indexOf('\n')
        this.split = split = { payload, eid, origin: payload.slice(0, cut), frames: [withEid(payload.slice(cut + 1), eid)] }
      }
      origin = split.origin
      const one = split.frames
      frames = () => one
    }
    let failed = false
    let failure: unknown
    for (const target of [...targets.keys()]) {
      const audience = targets.get(target)
      if (audience === undefined || origin === target.id) continue
      try {
        for (const text of frames(audience)) target.sendText(text, eid)
      } catch (error) {
        if (!failed) failure = error
        failed = true
      }
    }
    if (failed) throw failure
  }
}

/** One frame of a principal's own pushes, for the connections of class `own` that are not in `not`. */
export interface OwnPart {
  own: string
  not?: string
  frame: string
}

/** A push frame with its cursor entry as `eid`: the frame is an object, its closing brace makes room. */
function withEid(frame: string, eid: string | undefined): string {
  return eid === undefined ? frame : `${frame.slice(0, -1)},"eid":${JSON.stringify(eid)}}`
}

/** A group's cursor entry after event `id` (none without an id: the backend keeps no history). */
function entryOf(tag: string, id: string | undefined): string | undefined {
  return id === undefined ? undefined : writeCursor([[tag, id]])
}

/**
 * Fan-out between server instances: channel messages and invalidation pushes are published to a
 * group and reach every instance that subscribed to it. Payloads are text (JSON).
 */
export interface PubSub {
  /** A name for logs (`memory`, `redis`). */
  readonly kind: string
  /**
   * Listens to a group. The backend subscribes upstream once per group, whatever the number of
   * local listeners, and unsubscribes after the last one leaves. Returns the function that leaves.
   *
   * The listener gets each payload with its event id when the backend keeps a history (undefined
   * otherwise). With `options.after`, it first gets, in order, what the history still holds after
   * that id, then live payloads: never one twice, never a gap. `options.placed` says once how the
   * join went (see {@link Placement}).
   */
  subscribe(group: string, listener: PubSubListener, options?: SubscribeOptions): () => void
  /**
   * Resolves once messages published to the group from now on, by any instance, reach this
   * instance's listeners (a broker acknowledged the subscription). Backends that deliver at once
   * leave it out.
   */
  ready?(group: string): Promise<void>
  /**
   * Sends a payload to every listener of the group, on every instance (this one included).
   * Resolves with the payload's event id when the backend keeps a history, else undefined.
   */
  publish(group: string, payload: string): Promise<string | undefined>
  /**
   * Called when messages may have been lost (the connection to the broker dropped and came back):
   * subscribers should refetch what their channels stand for. Returns the function that stops it.
   */
  onResume(listener: () => void): () => void
  /** Stops all subscriptions and releases the connections the backend owns. */
  close(): Promise<void>
}

/** Gets a group's payloads, each with its event id when the backend keeps a history. */
export type PubSubListener = (payload: string, id: string | undefined) => void

/** Options of {@link PubSub.subscribe}. */
export interface SubscribeOptions {
  /**
   * An event id heard before (from a client: validated by the backend, never trusted): replay what
   * was published to the group after it, when the history still holds all of it.
   */
  after?: string
  /** Called once the join is placed in the group's history (before any live payload when possible). */
  placed?: (placement: Placement) => void
}

/** How a join was placed in a group's history. */
export interface Placement {
  /**
   * True when `after` was honoured in full: everything published after it was (or is being)
   * replayed. False without `after`, without a history, or when the id is unknown, malformed or
   * older than the history's window: the subscriber may have missed messages.
   */
  resumed: boolean
  /** The latest event id at the join: a cursor for a subscriber that has heard nothing yet. */
  at: string | undefined
}

/** Event ids from clients longer than this are refused without a look. */
export const MAX_EVENT_ID_LENGTH = 64

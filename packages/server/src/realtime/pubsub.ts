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
   */
  subscribe(group: string, listener: (payload: string) => void): () => void
  /**
   * Resolves once messages published to the group from now on, by any instance, reach this
   * instance's listeners (a broker acknowledged the subscription). Backends that deliver at once
   * leave it out.
   */
  ready?(group: string): Promise<void>
  /** Sends a payload to every listener of the group, on every instance (this one included). */
  publish(group: string, payload: string): Promise<void>
  /**
   * Called when messages may have been lost (the connection to the broker dropped and came back):
   * subscribers should refetch what their channels stand for. Returns the function that stops it.
   */
  onResume(listener: () => void): () => void
  /** Stops all subscriptions and releases the connections the backend owns. */
  close(): Promise<void>
}

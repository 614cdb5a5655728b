import type { EventSink, SsePeer } from './peer.js'

/**
 * The body of an event stream reply (`text/event-stream`): the adapter writes the head at once,
 * then hands its sink to {@link attach}, and calls {@link cancel} when the client has gone.
 */
export class EventBody {
  constructor(private readonly peer: SsePeer) {}

  /** From now on the stream's events go to `sink` (those already waiting first). */
  attach(sink: EventSink): void {
    this.peer.attach(sink)
  }

  /** The client went away, or the reply was never sent: the session ends, its connection is disposed. */
  cancel(): void {
    this.peer.gone()
  }
}

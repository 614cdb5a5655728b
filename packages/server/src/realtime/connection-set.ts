import { CLOSE, type Connection } from './connection.js'

/**
 * The open connections of one server, over every transport: their heartbeats, and closing them
 * all when the server stops. Each heartbeat interval has one timer, started with its first
 * connection and cleared with its last, so an idle server holds no timer.
 */
export class ConnectionSet {
  private readonly beats = new Map<number, { timer: NodeJS.Timeout; members: Set<Connection> }>()
  /** Every connection, with its heartbeat interval. */
  private readonly all = new Map<Connection, number>()

  /**
   * Adds a connection, pinged every `heartbeatMs` until it is {@link remove}d (its settings'
   * `closed` hook does it: one hook for all rather than a listener per connection).
   */
  add(connection: Connection, heartbeatMs: number): void {
    this.all.set(connection, heartbeatMs)
    let beat = this.beats.get(heartbeatMs)
    if (beat === undefined) {
      const members = new Set<Connection>()
      const timer = setInterval(() => members.forEach((each) => each.ping()), heartbeatMs)
      timer.unref()
      this.beats.set(heartbeatMs, (beat = { timer, members }))
    }
    beat.members.add(connection)
  }

  /** Forgets a connection that closed; the last of an interval stops its timer. */
  remove(connection: Connection): void {
    const heartbeatMs = this.all.get(connection)
    if (heartbeatMs === undefined) return
    this.all.delete(connection)
    const beat = this.beats.get(heartbeatMs)
    if (beat === undefined || !beat.members.delete(connection) || beat.members.size > 0) return
    clearInterval(beat.timer)
    this.beats.delete(heartbeatMs)
  }

  /** The number of open connections. */
  get size(): number {
    return this.all.size
  }

  /** The number of heartbeat timers running (one per interval in use). */
  get timers(): number {
    return this.beats.size
  }

  /**
   * Tells every client to reconnect (close code 1012). A client that does not finish closing
   * within `graceMs` is cut off.
   */
  async close(graceMs: number): Promise<void> {
    const open = [...this.all.keys()]
    for (const connection of open) connection.close(CLOSE.restart, 'server restarting')
    const allClosed = Promise.all(open.map((connection) => connection.closed))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([allClosed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
    for (const connection of this.all.keys()) connection.terminate()
  }
}

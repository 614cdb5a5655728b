import { CLOSE, type Connection } from './connection.js'

/**
 * The open connections of one server, over every transport: their heartbeats, and closing them
 * all when the server stops. Each heartbeat interval has one timer, started with its first
 * connection and cleared with its last, so an idle server holds no timer.
 */
export class ConnectionSet {
  private readonly beats = new Map<number, { timer: NodeJS.Timeout; members: Set<Connection> }>()
  private readonly all = new Set<Connection>()

  /** Adds a connection, pinged every `heartbeatMs` until it closes. */
  add(connection: Connection, heartbeatMs: number): void {
    this.all.add(connection)
    let beat = this.beats.get(heartbeatMs)
    if (beat === undefined) {
      const members = new Set<Connection>()
      const timer = setInterval(() => members.forEach((each) => each.ping()), heartbeatMs)
      timer.unref()
      this.beats.set(heartbeatMs, (beat = { timer, members }))
    }
    beat.members.add(connection)
    void connection.closed.then(() => {
      this.all.delete(connection)
      const current = this.beats.get(heartbeatMs)
      if (current === undefined || !current.members.delete(connection) || current.members.size > 0) return
      clearInterval(current.timer)
      this.beats.delete(heartbeatMs)
    })
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
    const open = [...this.all]
    for (const connection of open) connection.close(CLOSE.restart, 'server restarting')
    const allClosed = Promise.all(open.map((connection) => connection.closed))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([allClosed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
    for (const connection of this.all) connection.terminate()
  }
}

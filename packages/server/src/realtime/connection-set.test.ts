import { describe, expect, it } from 'vitest'
import type { Connection } from './connection.js'
import { ConnectionSet } from './connection-set.js'

/** A stand-in connection of `set`: closing resolves `closed` and tells the set, as a socket's close and its settings' hook do. */
function fake(set: ConnectionSet) {
  let resolve!: () => void
  const closed = new Promise<void>((done) => (resolve = done))
  const calls: string[] = []
  const end = () => {
    set.remove(connection as unknown as Connection)
    resolve()
  }
  const connection = { closed, ping: () => calls.push('ping'), close: (code: number) => (calls.push(`close ${code}`), end()), terminate: end }
  return { connection: connection as unknown as Connection, calls, end }
}

describe('ConnectionSet', () => {
  it('runs one heartbeat timer per interval, cleared with the last connection of it', async () => {
    const set = new ConnectionSet()
    const a = fake(set)
    const b = fake(set)
    const c = fake(set)
    set.add(a.connection, 30_000)
    set.add(b.connection, 30_000)
    set.add(c.connection, 15_000)
    expect(set.timers).toBe(2)
    a.end()
    await a.connection.closed
    await Promise.resolve()
    expect(set.timers).toBe(2)
    c.end()
    b.end()
    await Promise.all([b.connection.closed, c.connection.closed])
    await Promise.resolve()
    expect(set.timers).toBe(0)
    expect(set.size).toBe(0)
  })

  it('closes every connection with 1012 when the server closes', async () => {
    const set = new ConnectionSet()
    const a = fake(set)
    const b = fake(set)
    set.add(a.connection, 1000)
    set.add(b.connection, 2000)
    await set.close(1000)
    expect([...a.calls, ...b.calls]).toEqual(['close 1012', 'close 1012'])
    await Promise.resolve()
    expect(set.timers).toBe(0)
  })
})

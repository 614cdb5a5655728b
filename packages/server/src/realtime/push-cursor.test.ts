import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { initMizan } from '../init.js'
import { flattenRouter } from '../router.js'
import { resolveTransformer } from '../transformer.js'
import { Hub, type PushTarget } from './hub.js'
import { memoryPubSub } from './memory-pubsub.js'
import { readCursor, tagOf, writeCursor } from './push-cursor.js'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()
const router = m.router({
  open: m.query(() => 1),
  mine: m.query({ auth: true, cache: { ttl: 1, scope: 'user' } }, () => 1),
})

/** A hub on the memory pub/sub (history on), and connections recording the frames and cursors they are sent. */
function setup() {
  const hub = new Hub(flattenRouter(router), memoryPubSub(), resolveTransformer('json'), (ctx) => (ctx as Ctx).user?.id)
  const connect = async (id: string | null, after?: string) => {
    const sent: { invalidate: { path: string }[]; eid?: string }[] = []
    const target: PushTarget = { id: `conn-${id}-${Math.random()}`, sendText: (text) => sent.push(JSON.parse(text)) }
    const ctx: Ctx = { user: id === null ? null : { id } }
    const audience = await hub.audienceOf(ctx, () => {})
    const resumed = await hub.listen(target, audience, after)
    const listening = { stop: () => hub.unlisten(target, audience), cursor: () => hub.cursorOf(target, audience), resumed }
    return { ctx, sent, listening, paths: () => sent.flatMap((frame) => frame.invalidate.map((entry) => entry.path)) }
  }
  return { hub, connect }
}

describe('push cursors', () => {
  it('replay the pushes a connection missed in its own groups, and say resumed', async () => {
    const { hub, connect } = setup()
    const first = await connect('alice')
    await hub.pushInvalidations([{ path: 'open' }, { path: 'mine' }], { user: { id: 'alice' } }, undefined)
    // Each push carries its group's entry; together they are the connection's cursor.
    const cursor = first.listening.cursor()!
    expect(cursor.length).toBeLessThanOrEqual(512)
    const entries = first.sent.map((frame) => frame.eid!)
    expect(entries.every((entry) => /^[\w-]+~[\w-]+$/.test(entry))).toBe(true)
    expect(cursor.split('.').sort()).toEqual([...new Set(entries)].sort())
    first.listening.stop()
    await hub.pushInvalidations([{ path: 'open' }, { path: 'mine' }], { user: { id: 'alice' } }, undefined)
    const back = await connect('alice', cursor)
    expect(back.paths().sort()).toEqual(['mine', 'open'])
    expect(back.listening.resumed).toBe(true)
  })

  it('a cursor from a connection opened without one is where it stands (hello), and no cursor means no resume', async () => {
    const { hub, connect } = setup()
    const first = await connect('alice')
    const atOpen = first.listening.cursor()!
    expect(first.listening.resumed).toBeUndefined()
    first.listening.stop()
    await hub.pushInvalidations([{ path: 'open' }], { user: null }, undefined)
    const back = await connect('alice', atOpen)
    expect(back.paths()).toEqual(['open'])
    expect(back.listening.resumed).toBe(true)
  })

  it('never replays another principal’s own pushes to a forged cursor naming their group', async () => {
    const { hub, connect } = setup()
    const alice = await connect('alice')
    const aliceCursor = alice.listening.cursor()!
    alice.listening.stop()
    await hub.pushInvalidations([{ path: 'mine' }], { user: { id: 'alice' } }, undefined)
    // Bob presents Alice's cursor: her own group's entry names no group of his.
    const bob = await connect('bob', aliceCursor)
    expect(bob.paths()).toEqual([])
    expect(bob.listening.resumed).toBe(false)
    // Alice herself does get it back.
    const aliceAgain = await connect('alice', aliceCursor)
    expect(aliceAgain.paths()).toEqual(['mine'])
  })

  it('never throws and never widens what a connection hears, whatever the cursor (property)', async () => {
    const { hub, connect } = setup()
    const alice = await connect('alice')
    const real = alice.listening.cursor()!
    alice.listening.stop()
    await hub.pushInvalidations([{ path: 'mine' }], { user: { id: 'alice' } }, undefined)
    const cursors = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.stringMatching(/^[\w~.-]{0,600}$/),
      fc.array(fc.constantFrom(...real.split('.'), 'x~1-1', '~', '.'), { maxLength: 40 }).map((parts) => parts.join('.')),
    )
    await fc.assert(
      fc.asyncProperty(cursors, async (after) => {
        const bob = await connect('bob', after)
        bob.listening.stop()
        expect(bob.paths()).toEqual([])
      }),
    )
  })

  it('stays within 512 characters however many groups it tracks, and reads back what it wrote', () => {
    const groups = Array.from({ length: 100 }, (_, i) => `inv:auth:rule-${i}`)
    const entries = groups.map((group, i) => [tagOf(group), `${Date.now()}-${i}`] as const)
    const cursor = writeCursor(entries)!
    expect(cursor.length).toBeLessThanOrEqual(512)
    const read = readCursor(cursor)
    expect(read.size).toBeGreaterThan(0)
    for (const [tag, id] of read) expect(entries).toContainEqual([tag, id])
  })
})

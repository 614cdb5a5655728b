import { describe, expect, it } from 'vitest'
import { initMizan } from '../init.js'
import { flattenRouter } from '../router.js'
import { resolveTransformer } from '../transformer.js'
import { Hub, type PushTarget } from './hub.js'
import { memoryPubSub } from './memory-pubsub.js'

type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>()
const router = m.router({
  open: m.query(() => 1),
  secret: m.query({ auth: true }, () => 1),
  mine: m.query({ auth: true, cache: { ttl: 1, scope: 'user' } }, () => 1),
  both: m.router({ a: m.query({ auth: true }, () => 1), b: m.query({ auth: true, cache: { ttl: 1, scope: 'user' } }, () => 1) }),
})

/** A hub on the memory pub/sub and a connection signed in as `id` (or anonymous) recording what it is sent. */
function setup() {
  const hub = new Hub(flattenRouter(router), memoryPubSub(), resolveTransformer('json'), (ctx) => (ctx as Ctx).user?.id)
  const connect = async (id: string | null) => {
    const sent: unknown[] = []
    const target: PushTarget = {
      id: `conn-${id}-${Math.random()}`,
      sendText: (text, eid) => {
        // Every push carries the connection's cursor, beside the frame and in it (resume tests check its meaning).
        const { eid: inFrame, ...frame } = JSON.parse(text) as { eid?: string }
        expect(inFrame).toBe(eid)
        expect(eid).toEqual(expect.any(String))
        sent.push(frame)
      },
    }
    const ctx: Ctx = { user: id === null ? null : { id } }
    hub.listen(target, await hub.audienceOf(ctx, () => {}))
    return { target, ctx, sent }
  }
  return { hub, connect }
}

describe('the hub’s invalidation pushes', () => {
  it('sends each audience its own entries, once, in one frame per audience', async () => {
    const { hub, connect } = setup()
    const anon = await connect(null)
    const alice = await connect('alice')
    const aliceTab = await connect('alice')
    const bob = await connect('bob')
    await hub.pushInvalidations([{ path: 'open' }, { path: 'secret', input: { id: 7 } }, { path: 'mine' }, { path: 'both' }, { path: 'nothing' }], alice.ctx, alice.target.id)
    expect(anon.sent).toEqual([{ type: 'invalidate', invalidate: [{ path: 'open' }] }])
    expect(alice.sent).toEqual([])
    // `both` reaches every signed-in connection through the shared group: not a second time through alice's own.
    expect(bob.sent).toEqual([
      { type: 'invalidate', invalidate: [{ path: 'open' }] },
      { type: 'invalidate', invalidate: [{ path: 'secret', input: { id: 7 } }, { path: 'both' }] },
    ])
    expect(aliceTab.sent).toEqual([...bob.sent, { type: 'invalidate', invalidate: [{ path: 'mine' }] }])
  })

  it('takes an origin that could not be a connection id for none, so it cannot alter the frame', async () => {
    const { hub, connect } = setup()
    const bob = await connect('bob')
    await hub.pushInvalidations([{ path: 'open' }], { user: null }, 'x\n{"type":"forged"}')
    expect(bob.sent).toEqual([{ type: 'invalidate', invalidate: [{ path: 'open' }] }])
  })
})

describe('the hub’s push groups', () => {
  /** A memory pub/sub that counts the subscriptions it holds, and a hub on it. */
  function counted() {
    const errors: unknown[] = []
    const inner = memoryPubSub({ onError: (error) => errors.push(error) })
    let active = 0
    const pubsub = {
      ...inner,
      kind: inner.kind,
      publish: inner.publish.bind(inner),
      onResume: inner.onResume.bind(inner),
      close: inner.close.bind(inner),
      subscribe(...args: Parameters<typeof inner.subscribe>) {
        active++
        const leave = inner.subscribe(...args)
        return () => {
          active--
          leave()
        }
      },
    }
    const hub = new Hub(flattenRouter(router), pubsub, resolveTransformer('json'), (ctx) => (ctx as Ctx).user?.id)
    return { hub, errors, active: () => active }
  }
  const anonymous: Ctx = { user: null }

  it('holds one subscription per group whatever the number of connections, and drops it with the last one', async () => {
    const { hub, active } = counted()
    const audience = await hub.audienceOf(anonymous, () => {})
    const sent: string[] = []
    const targets = [1, 2, 3].map((n): PushTarget => ({ id: `c${n}`, sendText: (text) => sent.push(`c${n} ${text}`) }))
    for (const target of targets) hub.listen(target, audience)
    expect(active()).toBe(1)
    hub.unlisten(targets[0]!, audience)
    await hub.pushInvalidations([{ path: 'open' }], anonymous, undefined)
    // Each with the connection's push cursor as its event id.
    expect(sent).toEqual([expect.stringMatching(/^c2 \{"type":"invalidate","invalidate":\[\{"path":"open"\}\],"eid":"[\w~.-]+"\}$/), expect.stringMatching(/^c3 \{"type":"invalidate",/)])
    hub.unlisten(targets[1]!, audience)
    hub.unlisten(targets[2]!, audience)
    expect(active()).toBe(0)
  })

  it('still pushes to the others when one connection throws, and reports the error', async () => {
    const { hub, errors } = counted()
    const audience = await hub.audienceOf(anonymous, () => {})
    const sent: string[] = []
    hub.listen({ id: 'broken', sendText: () => { throw new Error('socket gone') } }, audience)
    hub.listen({ id: 'fine', sendText: (text) => sent.push(text) }, audience)
    await hub.pushInvalidations([{ path: 'open' }], anonymous, undefined)
    expect(sent).toHaveLength(1)
    expect(errors).toEqual([new Error('socket gone')])
  })

  it('sends nothing more to a connection that left while a push was being delivered', async () => {
    const { hub } = counted()
    const audience = await hub.audienceOf(anonymous, () => {})
    const sent: string[] = []
    const second: PushTarget = { id: 'second', sendText: (text) => sent.push(text) }
    hub.listen({ id: 'first', sendText: () => hub.unlisten(second, audience) }, audience)
    hub.listen(second, audience)
    await hub.pushInvalidations([{ path: 'open' }], anonymous, undefined)
    expect(sent).toEqual([])
  })
})

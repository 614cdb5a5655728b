import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRealtime, until } from './app.js'

let app: Awaited<ReturnType<typeof startRealtime>>
beforeAll(async () => {
  // A burst of 150 frames stays under the message rate limit (bursts of 2 × 200).
  app = await startRealtime({ websocket: { maxSubscriptions: 100, messagesPerSecond: 200 } })
})
afterAll(() => app.server.close())

type Frame = { type: string; id?: string; error?: { code: string } }

/** A raw socket signed in as alice, past its hello, recording every frame. */
async function socket() {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/mizan/_ws?as=alice`)
  const frames: Frame[] = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame))
  await until(() => frames.some((frame) => frame.type === 'hello'))
  const answered = (id: string) => frames.some((frame) => frame.id === id && (frame.type === 'subscribed' || frame.type === 'error'))
  return { ws, frames, answered }
}

const subscribe = (id: string, path = 'ticker', params: unknown = {}) => JSON.stringify({ type: 'subscribe', id, path, params })

describe('maxSubscriptions', () => {
  it('holds under a burst: of 150 subscribes sent at once with a limit of 100, exactly 100 join', async () => {
    const { ws, frames, answered } = await socket()
    const ids = Array.from({ length: 150 }, (_, i) => `s${i}`)
    // One synchronous loop: the frames reach the server together, before any join has finished.
    for (const id of ids) ws.send(subscribe(id))
    await until(() => ids.every(answered))
    const joined = frames.filter((frame) => frame.type === 'subscribed')
    const refused = frames.filter((frame) => frame.type === 'error')
    expect(joined).toHaveLength(100)
    expect(refused).toHaveLength(50)
    expect(new Set(refused.map((frame) => frame.error!.code))).toEqual(new Set(['TOO_MANY_REQUESTS']))
    ws.close()
  })

  it('gives a slot back when a join fails or a subscription ends', async () => {
    const { ws, frames, answered } = await socket()
    // 100 joins that fail (params invalid) take no slot once answered.
    const bad = Array.from({ length: 100 }, (_, i) => `bad${i}`)
    for (const id of bad) ws.send(subscribe(id, 'chat', { room: '' }))
    await until(() => bad.every(answered))
    const good = Array.from({ length: 100 }, (_, i) => `g${i}`)
    for (const id of good) ws.send(subscribe(id))
    await until(() => good.every(answered))
    expect(frames.filter((frame) => frame.type === 'subscribed')).toHaveLength(100)
    ws.send(subscribe('one-more'))
    await until(() => answered('one-more'))
    expect(frames.find((frame) => frame.id === 'one-more')).toMatchObject({ type: 'error', error: { code: 'TOO_MANY_REQUESTS' } })
    ws.send(JSON.stringify({ type: 'unsubscribe', id: 'g0' }))
    ws.send(subscribe('after-leave'))
    await until(() => answered('after-leave'))
    expect(frames.find((frame) => frame.id === 'after-leave')).toMatchObject({ type: 'subscribed' })
    ws.close()
  })

  it('frees the slot of a subscription left while it was still joining', async () => {
    const { ws, frames, answered } = await socket()
    // Left at once: a join still running when its unsubscribe lands must not stay and hold a slot.
    for (let i = 0; i < 100; i++) {
      ws.send(subscribe(`gone${i}`))
      ws.send(JSON.stringify({ type: 'unsubscribe', id: `gone${i}` }))
    }
    const kept = Array.from({ length: 100 }, (_, i) => `kept${i}`)
    for (const id of kept) ws.send(subscribe(id))
    await until(() => kept.every(answered))
    expect(frames.filter((frame) => frame.id?.startsWith('kept') && frame.type === 'subscribed')).toHaveLength(100)
    ws.close()
  })
})

import { createClient, MizanClientError, type ClientInvalidation } from '@mizan/client'
import type { Channel, Procedure, Router } from '@mizan/server'
import SuperJSON from 'superjson'
import { beforeEach, describe, expect, it } from 'vitest'
import { FakeSocket } from './fake-socket.js'
import { fakeFetch, until } from './files-support.js'
import { watchUnhandled } from './unhandled.js'

type WsRouter = Router<{
  tokens: Procedure<'query', { prompt: string }, AsyncGenerator<string, { words: number }, undefined>>
  ticks: Procedure<'query', undefined, AsyncGenerator<{ at: Date }, void, undefined>>
  feed: Channel<{}, string, never, any>
}>

beforeEach(() => {
  FakeSocket.made = []
})

/** A client whose socket is open and serves `tokens` and `ticks` (a subscription keeps it open). */
async function openClient() {
  const client = createClient<WsRouter>({ url: 'http://ws.test/api/mizan', fetch: fakeFetch().fetch, WebSocket: FakeSocket.Class })
  const announced: ClientInvalidation[][] = []
  client.$on('invalidate', (list) => void announced.push(list))
  let open = false
  const feed = client.feed.subscribe({}, { onMessage: () => {}, onStatus: (status) => (open ||= status.status === 'open') })
  await until(() => FakeSocket.made.length === 1)
  const socket = FakeSocket.made[0]!
  socket.accept()
  socket.receive(JSON.stringify({ type: 'hello', connection: 'c', websocket: ['tokens', 'ticks'] }))
  await until(() => socket.frames().some((frame) => frame.type === 'subscribe'))
  socket.receive(JSON.stringify({ type: 'subscribed', id: socket.frames().find((frame) => frame.type === 'subscribe')!.id }))
  await until(() => open)
  /** Makes a call and waits until its frame is sent; returns the call and its id. */
  async function call<T>(make: () => Promise<T>): Promise<{ pending: Promise<T>; id: string }> {
    const before = socket.frames().filter((frame) => frame.type === 'call').length
    const pending = make()
    await until(() => socket.frames().filter((frame) => frame.type === 'call').length > before)
    return { pending, id: socket.frames().filter((frame) => frame.type === 'call').at(-1)!.id }
  }
  const send = (frame: unknown) => socket.receive(JSON.stringify(frame))
  return { client, socket, feed, announced, call, send }
}

describe('a streamed call over the WebSocket', () => {
  it('resolves on its first value; yield frames feed it, the result frame ends it with the return value', async () => {
    const { client, socket, feed, announced, call, send } = await openClient()
    const { pending, id } = await call(() => client.tokens.query({ prompt: 'a b' }))
    send({ type: 'yield', id, value: { json: 'a' } })
    const stream = await pending
    send({ type: 'yield', id, value: { json: 'b' } })
    send({ type: 'result', id, result: { data: { words: 2 }, invalidate: [{ path: 'ticks' }] } })
    const values: string[] = []
    let step = await stream.next()
    for (; !step.done; step = await stream.next()) values.push(step.value)
    expect(values).toEqual(['a', 'b'])
    expect(step.value).toEqual({ words: 2 })
    expect(announced).toEqual([[{ path: 'ticks' }]])
    expect(socket.frames().some((frame) => frame.type === 'cancel')).toBe(false)
    feed.unsubscribe()
  })

  it('a break sends a cancel frame for its id, and later frames of that id are ignored', async () => {
    const { client, socket, feed, call, send } = await openClient()
    const { pending, id } = await call(() => client.tokens.query({ prompt: 'x' }))
    send({ type: 'yield', id, value: { json: 'one' } })
    send({ type: 'yield', id, value: { json: 'two' } })
    const seen: string[] = []
    for await (const word of await pending) {
      seen.push(word)
      if (word === 'one') break
    }
    expect(seen).toEqual(['one'])
    expect(socket.frames().filter((frame) => frame.type === 'cancel')).toEqual([{ type: 'cancel', id }])
    send({ type: 'yield', id, value: { json: 'late' } })
    send({ type: 'result', id, result: { data: { words: 9 } } })
    feed.unsubscribe()
  })

  it('a stream that yields nothing resolves to an ended stream (its result says done)', async () => {
    const { client, feed, call, send } = await openClient()
    const { pending, id } = await call(() => client.tokens.query({ prompt: '' }))
    send({ type: 'result', id, result: { done: true, data: { words: 0 } } })
    const stream = await pending
    expect(await stream.next()).toEqual({ done: true, value: { words: 0 } })
    feed.unsubscribe()
  })

  it('keeps the order of values whatever each takes to decode (superjson loads on first need)', async () => {
    const { client, feed, call, send } = await openClient()
    const { pending, id } = await call(() => client.ticks.query())
    const at = new Date('2026-03-04T05:06:07Z')
    const encoded = SuperJSON.serialize({ at })
    send({ type: 'yield', id, value: { json: encoded.json, meta: encoded.meta } })
    send({ type: 'yield', id, value: { json: { at: 'plain' } } })
    send({ type: 'result', id, result: { done: true } })
    const values: unknown[] = []
    for await (const value of await pending) values.push(value)
    expect(values).toEqual([{ at }, { at: 'plain' }])
    feed.unsubscribe()
  })

  it('an error result fails the stream after its values; a value that does not decode fails it too', async () => {
    const { client, feed, call, send } = await openClient()
    const first = await call(() => client.tokens.query({ prompt: 'x' }))
    send({ type: 'yield', id: first.id, value: { json: 'a' } })
    send({ type: 'result', id: first.id, result: { error: { code: 'FORBIDDEN', status: 403, message: 'stop' } } })
    const stream = await first.pending
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    await expect(stream.next()).rejects.toMatchObject({ name: 'MizanClientError', code: 'FORBIDDEN', path: 'tokens' })
    const second = await call(() => client.tokens.query({ prompt: 'y' }))
    send({ type: 'yield', id: second.id, value: { json: 'a' } })
    send({ type: 'yield', id: second.id, value: 'not an envelope' })
    const broken = await second.pending
    expect(await broken.next()).toEqual({ done: false, value: 'a' })
    await expect(broken.next()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: 'The response could not be decoded' })
    feed.unsubscribe()
  })

  it('a socket that closes mid-stream ends the stream with an error', async () => {
    const unhandled = watchUnhandled()
    const { client, socket, feed, call, send } = await openClient()
    const { pending, id } = await call(() => client.tokens.query({ prompt: 'x' }))
    send({ type: 'yield', id, value: { json: 'a' } })
    const stream = await pending
    expect(await stream.next()).toEqual({ done: false, value: 'a' })
    const next = stream.next()
    socket.drop()
    const error = await next.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MizanClientError)
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', message: 'The WebSocket closed before the stream ended' })
    feed.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })

  it("the call's AbortSignal stops the stream (cancel sent, the pending read rejects), before or after its first value", async () => {
    const unhandled = watchUnhandled()
    const { client, socket, feed, call, send } = await openClient()
    const controller = new AbortController()
    const { pending, id } = await call(() => client.tokens.query({ prompt: 'x' }, { signal: controller.signal }))
    send({ type: 'yield', id, value: { json: 'a' } })
    const stream = await pending
    const next = stream.next()
    expect(await next).toEqual({ done: false, value: 'a' })
    const waiting = stream.next()
    controller.abort(new Error('navigated away'))
    await expect(waiting).rejects.toThrow('navigated away')
    expect(socket.frames().filter((frame) => frame.type === 'cancel')).toEqual([{ type: 'cancel', id }])
    // Aborted before the first value: the call rejects, and the server is told all the same.
    const early = new AbortController()
    const second = await call(() => client.tokens.query({ prompt: 'y' }, { signal: early.signal }))
    early.abort(new Error('never mind'))
    await expect(second.pending).rejects.toThrow('never mind')
    expect(socket.frames().filter((frame) => frame.type === 'cancel').map((frame) => frame.id)).toEqual([id, second.id])
    send({ type: 'yield', id: second.id, value: { json: 'late' } })
    feed.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })

  it('ignores yield frames of unknown ids, of channel sends, and without a value', async () => {
    const unhandled = watchUnhandled()
    const { client, feed, call, send } = await openClient()
    for (const frame of [{ type: 'yield', id: '999', value: { json: 1 } }, { type: 'yield', id: 'm1', value: { json: 1 } }, { type: 'yield' }, { type: 'yield', id: { toString: 1 } }]) send(frame)
    const { pending, id } = await call(() => client.tokens.query({ prompt: 'x' }))
    send({ type: 'result', id, result: { data: 'plain' } })
    // A result without `done` for a call that never yielded is a plain answer.
    expect(await pending).toBe('plain')
    feed.unsubscribe()
    expect(await unhandled.stop()).toEqual([])
  })
})

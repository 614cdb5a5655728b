import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countingPubSub, ending, EventReader, framesBody, sseServer } from './sse-app.js'

const pubsub = countingPubSub()
let server: ReturnType<typeof sseServer>
let url: string
beforeAll(async () => {
  server = sseServer({ pubsub, websocket: { sseHeartbeatMs: 20 } })
  ;({ url } = await server.listen(0, '127.0.0.1'))
})
afterAll(() => server.close())

/** Opens an event stream as `as` (anonymous without), and reads its hello. */
async function connect(as?: string, headers: Record<string, string> = {}, base = url) {
  const controller = new AbortController()
  const response = await fetch(`${base}/_events`, {
    headers: { accept: 'text/event-stream', ...(as ? { authorization: `Bearer ${as}` } : {}), ...headers },
    signal: controller.signal,
  })
  const reader = new EventReader(response)
  const hello = await reader.frame('hello')
  const session = hello.session as string
  /** POSTs frames to this stream's session, as `as`. */
  const post = (body: string, extra: Record<string, string> = {}) =>
    fetch(`${base}/_events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-mizan-session': session, ...(as ? { authorization: `Bearer ${as}` } : {}), ...extra },
      body,
    })
  return { response, reader, hello, session, post, abort: () => controller.abort() }
}

describe('Server-Sent Events over listen()', () => {
  it('opens with a hello carrying a session secret apart from the connection id', async () => {
    const { response, hello, session, abort } = await connect('alice')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    expect(session).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(session).not.toBe(hello.connection)
    expect(hello.websocket).toEqual(expect.arrayContaining(['tokens', 'waiter']))
    const other = await connect('alice')
    expect(other.session).not.toBe(session)
    abort()
    other.abort()
  })

  it('subscribes through a POST, then hears the channel’s messages on the stream', async () => {
    const alice = await connect('alice')
    const res = await alice.post(framesBody({ type: 'subscribe', id: 's1', path: 'chat', params: { room: 'r1' } }))
    expect(res.status).toBe(204)
    expect(await alice.reader.frame('subscribed', 's1')).toMatchObject({ affects: [] })
    await server.publish('chat', { room: 'r1' }, { text: 'hi', user: 'sys' })
    // With its event id: the subscription resumes after it on a new stream.
    expect(await alice.reader.frame('message', 's1')).toEqual({ type: 'message', id: 's1', message: { json: { text: 'hi', user: 'sys' } }, eid: expect.any(String) })
    alice.abort()
  })

  it('sends on a channel: the receive handler publishes to the group, the sender hears `sent`', async () => {
    const alice = await connect('alice')
    const bob = await connect('bob')
    await alice.post(framesBody({ type: 'subscribe', id: 'a', path: 'chat', params: { room: 'r2' } }))
    await bob.post(framesBody({ type: 'subscribe', id: 'b', path: 'chat', params: { room: 'r2' } }))
    await alice.reader.frame('subscribed', 'a')
    await bob.reader.frame('subscribed', 'b')
    await alice.post(framesBody({ type: 'send', id: 'a', ref: 'ref1', message: { text: 'hello bob' } }))
    expect(await alice.reader.frame('sent', 'ref1')).toEqual({ type: 'sent', id: 'ref1' })
    expect((await bob.reader.frame('message', 'b')).message).toEqual({ json: { text: 'hello bob', user: 'alice' } })
    alice.abort()
    bob.abort()
  })

  it('feeds several frames of one POST in order', async () => {
    const alice = await connect('alice')
    const res = await alice.post(
      framesBody({ type: 'subscribe', id: 'o', path: 'chat', params: { room: 'r3' } }, { type: 'send', id: 'o', ref: 'after-join', message: { text: 'x' } }) + '\r\n',
    )
    expect(res.status).toBe(204)
    await alice.reader.frame('subscribed', 'o')
    // The send waited for the join it follows: it went to the group, and was acknowledged.
    expect((await alice.reader.frame('message', 'o')).message.json.text).toBe('x')
    await alice.reader.frame('sent', 'after-join')
    alice.abort()
  })

  it('pushes another client’s mutation as an invalidation', async () => {
    const viewer = await connect('bob')
    const res = await fetch(`${url}/posts.create`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer carol' } })
    expect(res.status).toBe(200)
    expect((await viewer.reader.frame('invalidate')).invalidate).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'posts.list' })]))
    viewer.abort()
  })

  it('streams a call’s values as `yield` frames and ends with a `result` marked done', async () => {
    const alice = await connect('alice')
    await alice.post(framesBody({ type: 'call', id: 'c1', path: 'tokens', input: { prompt: 'one two' } }))
    expect((await alice.reader.frame('yield', 'c1')).value).toEqual({ json: 'one' })
    expect((await alice.reader.frame('yield', 'c1')).value).toEqual({ json: 'two' })
    expect((await alice.reader.frame('result', 'c1')).result).toEqual({ data: 'end', done: true })
    alice.abort()
  })

  it('stops a streamed call on `cancel`: its signal aborts and its finally runs', async () => {
    const alice = await connect('alice')
    const key = `cancel-${Date.now()}`
    await alice.post(framesBody({ type: 'call', id: 'w', path: 'waiter', input: { key } }))
    await alice.reader.frame('yield', 'w')
    await alice.post(framesBody({ type: 'cancel', id: 'w' }))
    expect(await ending(key).promise).toBe(true)
    alice.abort()
  })

  it('writes a heartbeat comment on a quiet stream', async () => {
    const alice = await connect('alice')
    expect(await alice.reader.take((event) => event.comment !== undefined)).toMatchObject({ comment: 'ping' })
    alice.abort()
  })

  it('answers malformed frames with `error` events on the stream, never with the POST', async () => {
    const alice = await connect('alice')
    const res = await alice.post('{not json\n[1]\n{"type":"call"}\n{"type":"nope","id":"x"}')
    expect(res.status).toBe(204)
    const codes = []
    for (let i = 0; i < 4; i++) codes.push((await alice.reader.frame('error')).error.code)
    expect(codes).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST'])
    alice.abort()
  })

  it('refuses POSTs it cannot take: unknown session, other principal, bad header, type, size', async () => {
    const alice = await connect('alice')
    const frame = framesBody({ type: 'unsubscribe', id: 'x' })
    const unknown = await alice.post(frame, { 'x-mizan-session': 'A'.repeat(22) })
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND')
    expect((await alice.post(frame, { authorization: 'Bearer mallory' })).status).toBe(403)
    const anonymous = await fetch(`${url}/_events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-mizan-session': alice.session }, body: frame })
    expect(anonymous.status).toBe(403)
    expect((await alice.post(frame, { 'x-mizan-session': 'short' })).status).toBe(400)
    expect((await alice.post(frame, { 'content-type': 'application/json' })).status).toBe(415)
    expect((await alice.post(frame, { 'content-type': 'text/plain; charset=utf-8' })).status).toBe(204)
    expect((await alice.post(`{"type":"call","id":"big","path":"tokens","input":{"prompt":"${'x'.repeat(70_000)}"}}`)).status).toBe(413)
    expect((await alice.post('x'.repeat(1024 * 1024 + 1))).status).toBe(413)
    expect((await alice.post('\n\n')).status).toBe(400)
    // The session in the URL is no session: the header alone names it.
    const inQuery = await fetch(`${url}/_events?session=${alice.session}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: 'Bearer alice' }, body: frame })
    expect(inQuery.status).toBe(400)
    alice.abort()
  })

  it('refuses a stream from a foreign origin, as a WebSocket upgrade would be', async () => {
    const res = await fetch(`${url}/_events`, { headers: { origin: 'http://evil.example' } })
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/json')
    const post = await fetch(`${url}/_events`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain', 'x-mizan-session': 'A'.repeat(22) }, body: '{}' })
    expect(post.status).toBe(403)
    const own = await connect('alice', { origin: new URL(url).origin })
    own.abort()
  })

  it('disposes the session when the client goes away: subscriptions left, streams stopped', async () => {
    // A server of its own: no other stream of this file holds a listener while it counts.
    const own = countingPubSub()
    const quiet = sseServer({ pubsub: own })
    const { url: ownUrl } = await quiet.listen(0, '127.0.0.1')
    const alice = await connect('alice', {}, ownUrl)
    const key = `gone-${Date.now()}`
    await alice.post(framesBody({ type: 'subscribe', id: 's', path: 'chat', params: { room: 'gone' } }))
    await alice.reader.frame('subscribed', 's')
    await alice.post(framesBody({ type: 'call', id: 'w', path: 'waiter', input: { key } }))
    await alice.reader.frame('yield', 'w')
    expect(own.listeners).toBeGreaterThan(0)
    alice.abort()
    expect(await ending(key).promise).toBe(true)
    // The session is gone too: its frames now find no one.
    const late = await alice.post(framesBody({ type: 'unsubscribe', id: 's' }))
    expect(late.status).toBe(404)
    expect(own.listeners).toBe(0)
    await quiet.close()
  })

  it('keeps a Last-Event-ID within bounds and never lets it break the stream', async () => {
    const resumed = await connect('alice', { 'last-event-id': 'x'.repeat(600) })
    expect(resumed.response.status).toBe(200)
    resumed.abort()
  })

  it('tells streams to reconnect (close 1012) when the server closes', async () => {
    const own = sseServer()
    const { url: ownUrl } = await own.listen(0, '127.0.0.1')
    const response = await fetch(`${ownUrl}/_events`)
    const reader = new EventReader(response)
    await reader.frame('hello')
    const closing = own.close()
    const close = await reader.take((event) => event.event === 'close')
    expect(JSON.parse(close.data)).toEqual({ code: 1012, reason: 'server restarting' })
    await reader.done
    await closing
    expect((await fetch(`${ownUrl}/_events`).catch(() => undefined))?.status).not.toBe(200)
  })
})

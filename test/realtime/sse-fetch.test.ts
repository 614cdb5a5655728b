import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { countingPubSub, ending, EventReader, framesBody, sseServer } from './sse-app.js'

// Through fetchHandler alone, as a Next.js route handler, Bun or Deno would serve it: no listen().
const pubsub = countingPubSub()
const server = sseServer({ pubsub })
const base = 'http://app.test/api/mizan/_events'
afterAll(() => server.close())

async function open(as = 'alice', headers: Record<string, string> = {}) {
  const response = await server.fetchHandler(new Request(base, { headers: { authorization: `Bearer ${as}`, host: 'app.test', ...headers } }))
  expect(response.status).toBe(200)
  const reader = new EventReader(response)
  const session = (await reader.frame('hello')).session as string
  const post = (body: string, extra: Record<string, string> = {}) =>
    server.fetchHandler(new Request(base, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-mizan-session': session, authorization: `Bearer ${as}`, ...extra }, body }))
  return { response, reader, session, post }
}

describe('Server-Sent Events through fetchHandler', () => {
  it('runs a whole session: subscribe, messages, calls, cancel, then the reader goes away', async () => {
    const { response, reader, post } = await open()
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect((await post(framesBody({ type: 'subscribe', id: 's', path: 'chat', params: { room: 'f' } }))).status).toBe(204)
    await reader.frame('subscribed', 's')
    await server.publish('chat', { room: 'f' }, { text: 'via fetch', user: 'sys' })
    expect((await reader.frame('message', 's')).message.json.text).toBe('via fetch')
    await post(framesBody({ type: 'call', id: 'c', path: 'tokens', input: { prompt: 'a b' } }))
    expect((await reader.frame('yield', 'c')).value.json).toBe('a')
    expect((await reader.frame('result', 'c')).result).toEqual({ data: 'end', done: true })
    const key = `fetch-${Date.now()}`
    await post(framesBody({ type: 'call', id: 'w', path: 'waiter', input: { key } }))
    await reader.frame('yield', 'w')
    expect(pubsub.listeners).toBeGreaterThan(0)
    // The runtime cancels the body when its client disconnects.
    await reader.cancel()
    expect(await ending(key).promise).toBe(true)
    expect(pubsub.listeners).toBe(0)
    expect((await post(framesBody({ type: 'unsubscribe', id: 's' }))).status).toBe(404)
  })

  it('allows the session headers in a CORS preflight, with or without a list of allowed headers', async () => {
    const listed = sseServer({ cors: { origin: ['http://app.example'], allowHeaders: ['content-type'] } })
    const preflight = await listed.fetchHandler(
      new Request(base, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-mizan-session' } }),
    )
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, x-mizan-session, x-mizan-ticket, last-event-id')
    await listed.close()
  })

  it('never answers arbitrary POSTs with a 5xx or a stack trace', async () => {
    const { session } = await open('prop')
    const header = fc.oneof(fc.constant(session), fc.string({ maxLength: 30 }), fc.stringMatching(/^[A-Za-z0-9_-]{22}$/))
    const type = fc.constantFrom('application/x-ndjson', 'text/plain', 'application/json', 'text/plain; charset=utf-8', '')
    const frame = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc.record({ type: fc.constantFrom('call', 'subscribe', 'unsubscribe', 'cancel', 'send', 'auth', 'x'), id: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), path: fc.constantFrom('chat', 'tokens', 'waiter', 'posts.list', 'posts.create', '__proto__'), input: fc.anything(), params: fc.anything() }).map((value) => JSON.stringify(value)),
    )
    await fc.assert(
      fc.asyncProperty(header, type, fc.array(frame, { maxLength: 5 }), fc.constantFrom('\n', '\r\n'), async (session, contentType, frames, eol) => {
        const headers: Record<string, string> = { 'x-mizan-session': session, authorization: 'Bearer prop' }
        if (contentType !== '') headers['content-type'] = contentType
        const res = await server.fetchHandler(new Request(base, { method: 'POST', headers, body: frames.join(eol) }))
        const text = await res.text()
        expect(res.status).toBeLessThan(500)
        expect(text).not.toMatch(/\n\s+at /)
      }),
      { numRuns: 150 },
    )
  })

  it('never answers arbitrary GETs with a 5xx or a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('origin', 'last-event-id', 'x-mizan-ticket', 'accept', 'authorization', 'host'), fc.string({ maxLength: 600 }).filter((value) => /^[\x20-\x7e]*$/.test(value))),
        fc.constantFrom('', '?session=x', '?ticket=abc', '?a=%ff'),
        async (headers, query) => {
          const res = await server.fetchHandler(new Request(base + query, { headers }))
          expect(res.status).toBeLessThan(500)
          if (res.status === 200) {
            const reader = new EventReader(res)
            await reader.frame('hello')
            await reader.cancel()
          } else expect(await res.text()).not.toMatch(/\n\s+at /)
        },
      ),
      { numRuns: 100 },
    )
  })
})

import { randomBytes } from 'node:crypto'
import { createTicketIssuer, type ReplayStore } from '@mizan/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventReader, framesBody, sseServer } from './sse-app.js'

const issuer = createTicketIssuer({ secret: randomBytes(32) })
let server: ReturnType<typeof sseServer>
let url: string
beforeAll(async () => {
  server = sseServer({ websocket: { tickets: issuer } })
  ;({ url } = await server.listen(0, '127.0.0.1'))
})
afterAll(() => server.close())

async function mint(as: string): Promise<string> {
  const res = await fetch(`${url}/_session`, { method: 'POST', headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' } })
  return ((await res.json()) as { ticket: string }).ticket
}

describe('event streams that require tickets', () => {
  it('refuses a stream without a ticket, or with a bad one (401 UNAUTHORIZED)', async () => {
    for (const headers of [{}, { 'x-mizan-ticket': 'nope' }, { 'x-mizan-ticket': (await mint('alice')).slice(0, -2) + 'xx' }]) {
      const res = await fetch(`${url}/_events`, { headers })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED')
    }
  })

  it('ignores a ticket in the query string', async () => {
    const res = await fetch(`${url}/_events?ticket=${await mint('alice')}`)
    expect(res.status).toBe(401)
  })

  it('opens with a good ticket in x-mizan-ticket, once: the context is the ticket’s subject', async () => {
    const ticket = await mint('alice')
    const controller = new AbortController()
    const res = await fetch(`${url}/_events`, { headers: { 'x-mizan-ticket': ticket }, signal: controller.signal })
    expect(res.status).toBe(200)
    const reader = new EventReader(res)
    const { session } = await reader.frame('hello')
    // The session secret is the credential of POSTs: they cannot carry a single-use ticket.
    const post = await fetch(`${url}/_events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-mizan-session': session }, body: framesBody({ type: 'subscribe', id: 's', path: 'chat', params: { room: 't' } }) })
    expect(post.status).toBe(204)
    // chat authorizes signed-in users only: the stream's user came from the ticket.
    await reader.frame('subscribed', 's')
    expect((await fetch(`${url}/_events`, { headers: { 'x-mizan-ticket': ticket } })).status).toBe(401)
    controller.abort()
  })

  it('answers 503 with retry-after when the replay store cannot check a ticket', async () => {
    const down: ReplayStore = { claim: () => Promise.reject(new Error('store down')) }
    const flaky = createTicketIssuer({ secret: randomBytes(32), replayStore: down })
    const own = sseServer({ websocket: { tickets: flaky } })
    const { url: ownUrl } = await own.listen(0, '127.0.0.1')
    try {
      const ticket = await flaky.mint({ sub: 'alice' })
      const res = await fetch(`${ownUrl}/_events`, { headers: { 'x-mizan-ticket': ticket } })
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
    } finally {
      await own.close()
    }
  })
})

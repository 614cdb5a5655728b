import { createClient, isMizanError, type MizanClientError } from '@mizan/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { limitedServer, type LimitedRouter } from './app.js'

const app = limitedServer()
let url: string
beforeAll(async () => {
  ;({ url } = await app.server.listen(0, '127.0.0.1'))
})
afterAll(() => app.server.close())

describe('the typed client over a declared limit', () => {
  it('rejects with TOO_MANY_REQUESTS and retryAfter in seconds, single and batched', async () => {
    const alice = createClient<LimitedRouter>({ url, headers: () => ({ authorization: 'Bearer alice' }) })
    expect(await alice.ping.query()).toBe('pong')
    expect(await alice.ping.query()).toBe('pong')
    const single = await alice.ping.query().catch((error: unknown) => error)
    expect(isMizanError(single, 'TOO_MANY_REQUESTS')).toBe(true)
    expect((single as MizanClientError).retryAfter).toBeGreaterThanOrEqual(1)
    // Same tick: one batch, where only the data can carry the wait.
    const [batched, open] = await Promise.allSettled([alice.ping.query(), alice.open.query()])
    expect(batched.status === 'rejected' && (batched.reason as MizanClientError)).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfter: expect.any(Number) })
    expect(open).toEqual({ status: 'fulfilled', value: 'open' })
  })
})

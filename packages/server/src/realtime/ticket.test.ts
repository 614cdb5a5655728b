import { randomBytes } from 'node:crypto'
import { REDIS_URL, redisAvailable } from '../../../../test/support/redis.js'
import { Redis } from 'ioredis'
import { SignJWT } from 'jose'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTicketIssuer, memoryReplayStore, redisReplayStore, TICKET_CLOSE_CODE, TicketError, type TicketErrorReason } from './ticket.js'

const secret = randomBytes(32)
const T0 = Date.UTC(2030, 0, 1)

/** A clock the test moves by hand, so expiry is tested without sleeping. */
function clock(start = T0) {
  const c = { time: start, now: () => c.time }
  return c
}

async function refusal(promise: Promise<unknown>): Promise<TicketErrorReason> {
  const error = await promise.then(
    () => {
      throw new Error('the ticket was accepted')
    },
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(TicketError)
  expect((error as TicketError).closeCode).toBe(TICKET_CLOSE_CODE)
  return (error as TicketError).reason
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const parts = (ticket: string) => ticket.split('.') as [string, string, string]
const payloadOf = (ticket: string) => JSON.parse(Buffer.from(parts(ticket)[1], 'base64url').toString()) as Record<string, unknown>

/** A JWT signed with the issuer's own secret, but not minted by it. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, key: Uint8Array = secret) {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key)
}
const validClaims = () => {
  const iat = Math.floor(T0 / 1000)
  return { aud: 'mizan:ws', iat, exp: iat + 30, jti: randomBytes(16).toString('base64url'), sub: 'u1' }
}

describe('socket tickets', () => {
  it('round-trips a principal and extra claims', async () => {
    const c = clock()
    const issuer = createTicketIssuer({ secret, now: c.now })
    const ticket = await issuer.mint({ sub: 'user-42', role: 'admin' })
    expect(ticket).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/) // token characters only: fits Sec-WebSocket-Protocol
    const claims = await issuer.verify(ticket)
    expect(claims).toMatchObject({ sub: 'user-42', role: 'admin', aud: 'mizan:ws', iat: T0 / 1000, exp: T0 / 1000 + 30 })
    expect(Buffer.from(claims.jti, 'base64url').byteLength).toBeGreaterThanOrEqual(16)
    expect(JSON.parse(Buffer.from(parts(ticket)[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'mizan-ws+jwt' })
  })

  it('round-trips an anonymous ticket, with no sub in the token', async () => {
    const issuer = createTicketIssuer({ secret: 'x'.repeat(32) })
    const ticket = await issuer.mint({ sub: null })
    expect(payloadOf(ticket)).not.toHaveProperty('sub')
    expect((await issuer.verify(ticket)).sub).toBeNull()
  })

  it('gives every ticket its own jti', async () => {
    const issuer = createTicketIssuer({ secret })
    const jtis = new Set(await Promise.all(Array.from({ length: 100 }, async () => payloadOf(await issuer.mint({ sub: 'u' })).jti)))
    expect(jtis.size).toBe(100)
  })

  it('refuses an expired ticket as expired, allowing 5 s of clock skew', async () => {
    const c = clock()
    const issuer = createTicketIssuer({ secret, ttlSeconds: 1, now: c.now })
    const late = await issuer.mint({ sub: 'u1' })
    const skewed = await issuer.mint({ sub: 'u1' })
    c.time = T0 + 1000 + 4000 // past exp, within the tolerance
    expect((await issuer.verify(skewed)).sub).toBe('u1')
    c.time = T0 + 1000 + 5000
    expect(await refusal(issuer.verify(late))).toBe('expired')
  })

  it('refuses a second use of the same ticket', async () => {
    const issuer = createTicketIssuer({ secret })
    const ticket = await issuer.mint({ sub: 'u1' })
    await issuer.verify(ticket)
    expect(await refusal(issuer.verify(ticket))).toBe('replayed')
  })

  it('still refuses a replay inside the clock tolerance after exp', async () => {
    // The jti must be held until exp + tolerance, the last moment verify accepts the ticket.
    const c = clock()
    const issuer = createTicketIssuer({ secret, ttlSeconds: 1, now: c.now })
    const ticket = await issuer.mint({ sub: 'u1' })
    await issuer.verify(ticket)
    c.time = T0 + 1000 + 4900 // past exp, and past the store's next sweep
    expect(await refusal(issuer.verify(ticket))).toBe('replayed')
  })

  it('refuses a tampered payload and a tampered signature', async () => {
    const issuer = createTicketIssuer({ secret })
    const ticket = await issuer.mint({ sub: 'user' })
    const [header, , signature] = parts(ticket)
    const promoted = `${header}.${b64({ ...payloadOf(ticket), sub: 'admin' })}.${signature}`
    expect(await refusal(issuer.verify(promoted))).toBe('invalid')
    // The first character: the last one of a base64url signature carries unused bits.
    const flipped = `${header}.${parts(ticket)[1]}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
    expect(await refusal(issuer.verify(flipped))).toBe('invalid')
    // The untouched ticket is still good: the failed attempts did not use it up.
    expect((await issuer.verify(ticket)).sub).toBe('user')
  })

  it('refuses a JWT of another typ, or none, signed with the same secret', async () => {
    const issuer = createTicketIssuer({ secret, now: clock().now })
    expect(await refusal(issuer.verify(await forge({ alg: 'HS256', typ: 'JWT' }, validClaims())))).toBe('invalid')
    expect(await refusal(issuer.verify(await forge({ alg: 'HS256' }, validClaims())))).toBe('invalid')
    // The same claims with the right typ pass, so the typ is what was refused above.
    expect((await issuer.verify(await forge({ alg: 'HS256', typ: 'mizan-ws+jwt' }, validClaims()))).sub).toBe('u1')
  })

  it('refuses a ticket minted for another audience', async () => {
    const other = createTicketIssuer({ secret, audience: 'other-app:ws' })
    const issuer = createTicketIssuer({ secret })
    expect(await refusal(issuer.verify(await other.mint({ sub: 'u1' })))).toBe('invalid')
  })

  it('refuses alg none and any algorithm but HS256', async () => {
    const issuer = createTicketIssuer({ secret, now: clock().now })
    const unsigned = `${b64({ alg: 'none', typ: 'mizan-ws+jwt' })}.${b64(validClaims())}.`
    expect(await refusal(issuer.verify(unsigned))).toBe('invalid')
    const wide = new Uint8Array(64)
    wide.set(secret)
    const issuerWide = createTicketIssuer({ secret: wide, now: clock().now })
    expect(await refusal(issuerWide.verify(await forge({ alg: 'HS512', typ: 'mizan-ws+jwt' }, validClaims(), wide)))).toBe('invalid')
    expect(await refusal(issuer.verify(await forge({ alg: 'HS384', typ: 'mizan-ws+jwt' }, validClaims())))).toBe('invalid')
  })

  it("bounds a ticket's life by the issuer's ttl whatever its exp says, and refuses an iat in the future", async () => {
    const issuer = createTicketIssuer({ secret, now: clock().now })
    const iat = Math.floor(T0 / 1000)
    const header = { alg: 'HS256', typ: 'mizan-ws+jwt' }
    expect(await refusal(issuer.verify(await forge(header, { ...validClaims(), iat: iat - 60, exp: iat + 3600 })))).toBe('expired')
    expect(await refusal(issuer.verify(await forge(header, { ...validClaims(), iat: iat + 60, exp: iat + 90 })))).toBe('invalid')
  })

  it.each(['aud', 'exp', 'iat', 'jti'])('refuses a ticket without %s', async (claim) => {
    const issuer = createTicketIssuer({ secret, now: clock().now })
    const claims: Record<string, unknown> = validClaims()
    delete claims[claim]
    expect(await refusal(issuer.verify(await forge({ alg: 'HS256', typ: 'mizan-ws+jwt' }, claims)))).toBe('invalid')
  })

  it('refuses malformed input as invalid', async () => {
    const issuer = createTicketIssuer({ secret })
    for (const junk of ['', 'abc', 'a.b.c', '...', 'x'.repeat(10_000), 42 as unknown as string]) {
      expect(await refusal(issuer.verify(junk))).toBe('invalid')
    }
  })

  it('refuses a secret shorter than 32 bytes at creation', () => {
    expect(() => createTicketIssuer({ secret: 'x'.repeat(31) })).toThrow(TypeError)
    expect(() => createTicketIssuer({ secret: randomBytes(31) })).toThrow(/at least 32 bytes/)
    expect(() => createTicketIssuer({ secret: 'é'.repeat(16) })).not.toThrow() // counted in bytes, not characters
  })

  it('refuses extra claims that would override the registered ones', async () => {
    const issuer = createTicketIssuer({ secret })
    await expect(issuer.mint({ sub: 'u1', exp: 9_999_999_999 })).rejects.toThrow(/"exp"/)
    await expect(issuer.mint({ sub: 'u1', jti: 'fixed' })).rejects.toThrow(/"jti"/)
  })

  it('prunes the memory replay store once tickets expire', async () => {
    const c = clock()
    const store = memoryReplayStore({ now: c.now })
    const issuer = createTicketIssuer({ secret, ttlSeconds: 30, now: c.now, replayStore: store })
    for (let round = 0; round < 5; round++) {
      const tickets = await Promise.all(Array.from({ length: 200 }, () => issuer.mint({ sub: 'u' })))
      for (const ticket of tickets) await issuer.verify(ticket)
      expect(store.size).toBeLessThanOrEqual(200)
      c.time += 36_000 // past exp + tolerance, and past the next sweep
    }
    await issuer.verify(await issuer.mint({ sub: 'u' }))
    expect(store.size).toBe(1)
  })

  it('fails closed when the memory replay store is full of live tickets', async () => {
    const c = clock()
    const issuer = createTicketIssuer({ secret, now: c.now, replayStore: memoryReplayStore({ now: c.now, maxEntries: 3 }) })
    for (let i = 0; i < 3; i++) await issuer.verify(await issuer.mint({ sub: `u${i}` }))
    const error = await issuer.verify(await issuer.mint({ sub: 'u9' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(TicketError) // a server fault, not "get a new ticket"
    c.time += 36_000
    expect((await issuer.verify(await issuer.mint({ sub: 'u9' }))).sub).toBe('u9')
  })

  it('drops each jti the moment its ticket expires, so a full store takes new tickets at once', () => {
    const c = clock()
    const store = memoryReplayStore({ now: c.now, maxEntries: 3, maxEntriesPerPrincipal: 3 })
    expect(store.claim('a', T0 + 1000, 'u')).toBe(true)
    expect(store.claim('b', T0 + 30_000, 'u')).toBe(true)
    expect(store.claim('c', T0 + 500, 'u')).toBe(true)
    expect(() => store.claim('d', T0 + 30_000, 'u')).toThrow(/full/)
    c.time = T0 + 500 // c has expired, nothing else: exactly one slot is free
    expect(store.claim('d', T0 + 30_000, 'u')).toBe(true)
    expect(() => store.claim('e', T0 + 30_000, 'u')).toThrow(/full/)
    expect(store.claim('b', T0 + 30_000, 'u')).toBe(false) // still live: still refused as a replay
    expect(store.size).toBe(3)
  })

  it('keeps a flood of anonymous tickets, or of one principal, from locking out everyone else', () => {
    const store = memoryReplayStore({ now: () => T0, maxEntries: 100, maxAnonymousEntries: 10, maxEntriesPerPrincipal: 5 })
    for (let i = 0; i < 10; i++) expect(store.claim(`anon${i}`, T0 + 35_000, null)).toBe(true)
    expect(() => store.claim('anon-more', T0 + 35_000, null)).toThrow(/anonymous/)
    for (let i = 0; i < 5; i++) expect(store.claim(`mallory${i}`, T0 + 35_000, 'mallory')).toBe(true)
    expect(() => store.claim('mallory-more', T0 + 35_000, 'mallory')).toThrow(/one principal/)
    expect(store.claim('alice1', T0 + 35_000, 'alice')).toBe(true)
    // The defaults: anonymous tickets may fill half the store, one principal 1 %.
    const defaults = memoryReplayStore({ now: () => T0, maxEntries: 200 })
    for (let i = 0; i < 100; i++) defaults.claim(`anon${i}`, T0 + 35_000, null)
    expect(() => defaults.claim('anon-more', T0 + 35_000, null)).toThrow(/anonymous/)
    defaults.claim('a1', T0 + 35_000, 'a')
    defaults.claim('a2', T0 + 35_000, 'a')
    expect(() => defaults.claim('a3', T0 + 35_000, 'a')).toThrow(/one principal/)
    expect(defaults.claim('b1', T0 + 35_000, 'b')).toBe(true)
  })

  it('answers every claim as a plain model of live jtis would (property)', () => {
    type Step = { jti: number; principal: number; ttl: number; advance: number }
    const step = fc.record({ jti: fc.nat(30), principal: fc.nat(3), ttl: fc.integer({ min: 1, max: 50 }), advance: fc.nat(20) })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps: Step[]) => {
        const c = clock(0)
        const store = memoryReplayStore({ now: c.now, maxEntries: 12, maxAnonymousEntries: 6, maxEntriesPerPrincipal: 4 })
        const model = new Map<string, { until: number; principal: string | null }>()
        for (const { jti, principal: p, ttl, advance } of steps) {
          c.time += advance
          for (const [key, entry] of model) if (entry.until <= c.time) model.delete(key)
          const principal = p === 0 ? null : `p${p}`
          const key = `j${jti}`
          const mine = [...model.values()].filter((entry) => entry.principal === principal).length
          const expected = model.has(key) ? false : model.size >= 12 || mine >= (principal === null ? 6 : 4) ? 'full' : true
          let got: boolean | 'full'
          try {
            got = store.claim(key, c.time + ttl, principal) as boolean
          } catch {
            got = 'full'
          }
          expect(got).toBe(expected)
          if (got === true) model.set(key, { until: c.time + ttl, principal })
          expect(store.size).toBe(model.size)
        }
      }),
      { seed: 42, numRuns: 200 },
    )
  })
})

describe.runIf(await redisAvailable('Redis socket-ticket'))('socket tickets with a Redis replay store', () => {
  // Two connections, as two server instances would have; one prefix per run so runs never collide.
  const prefix = `mizan-test:ws-ticket:${randomBytes(6).toString('hex')}:`
  let a: Redis
  let b: Redis
  beforeAll(() => {
    a = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    b = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  })
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`)
    if (keys.length > 0) await a.del(...keys)
    a.disconnect()
    b.disconnect()
  })

  it('refuses on one instance a ticket already used on another', async () => {
    const one = createTicketIssuer({ secret, replayStore: redisReplayStore({ redis: a, prefix }) })
    const two = createTicketIssuer({ secret, replayStore: redisReplayStore({ redis: b, prefix }) })
    const ticket = await one.mint({ sub: 'u1' })
    expect((await one.verify(ticket)).sub).toBe('u1')
    expect(await refusal(two.verify(ticket))).toBe('replayed')
    expect(await refusal(one.verify(ticket))).toBe('replayed')
    // The key lives until exp + tolerance, then Redis drops it.
    const ttl = await a.pttl(`${prefix}${payloadOf(ticket).jti as string}`)
    expect(ttl).toBeGreaterThan(25_000)
    expect(ttl).toBeLessThanOrEqual(35_000)
  })

  it('lets exactly one of two concurrent verifies win', async () => {
    const one = createTicketIssuer({ secret, replayStore: redisReplayStore({ redis: a, prefix }) })
    const two = createTicketIssuer({ secret, replayStore: redisReplayStore({ redis: b, prefix }) })
    const ticket = await one.mint({ sub: 'u1' })
    const results = await Promise.allSettled([one.verify(ticket), two.verify(ticket), one.verify(ticket), two.verify(ticket)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })
})

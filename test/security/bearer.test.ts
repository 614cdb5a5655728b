import { createServer, type Server } from 'node:http'
import { createBearerAuth, createMizanServer, initMizan, type BearerAuthOptions } from '@mizan/server'
import fc from 'fast-check'
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SECRET = 'a-test-secret-of-at-least-32-bytes!!'
const OTHER_SECRET = 'another-secret-of-at-least-32-bytes!'
const key = new TextEncoder().encode(SECRET)
const now = () => Math.floor(Date.now() / 1000)

const m = initMizan<{ claims: JWTPayload | null }>()
const router = m.router({ whoami: m.query(({ ctx }) => ({ sub: ctx.claims?.sub ?? null })) })

const closers: (() => unknown)[] = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

async function serve(options: BearerAuthOptions) {
  const bearer = createBearerAuth(options)
  const errors: unknown[] = []
  const server = createMizanServer({ router, createContext: async ({ req }) => ({ claims: await bearer(req) }), onError: ({ error }) => errors.push(error) })
  const { url } = await server.listen(0, '127.0.0.1')
  closers.push(() => server.close())
  const call = (authorization?: string) => fetch(`${url}/whoami`, { headers: authorization === undefined ? {} : { authorization } })
  return { url, call, errors }
}

const hs = (claims: JWTPayload = {}, header: { alg: string; kid?: string } = { alg: 'HS256' }, secret = key) =>
  new SignJWT({ sub: 'u1', ...claims }).setProtectedHeader(header).setIssuer('https://id.test').setAudience('api').setIssuedAt().setExpirationTime(now() + 60).sign(secret)

async function expectRefused(response: Response, description?: RegExp) {
  expect(response.status).toBe(401)
  const challenge = response.headers.get('www-authenticate')
  expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/)
  if (description) expect(challenge).toMatch(description)
  const text = await response.text()
  expect(text).not.toMatch(/stack|at .*\.js|node_modules/)
  expect(JSON.parse(text).error.code).toBe('UNAUTHORIZED')
}

describe('createBearerAuth with a secret (HS256)', () => {
  let app: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    app = await serve({ secret: SECRET, issuer: 'https://id.test', audience: 'api', algorithms: ['HS256'] })
  })

  it('accepts a valid token and gives its claims', async () => {
    const response = await app.call(`Bearer ${await hs()}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ data: { sub: 'u1' } })
  })

  it('is anonymous without an Authorization: Bearer header', async () => {
    expect(await (await app.call()).json()).toEqual({ data: { sub: null } })
    expect(await (await app.call('Basic dXNlcjpwYXNz')).json()).toEqual({ data: { sub: null } })
  })

  it('reads the scheme case-insensitively', async () => {
    expect((await app.call(`bearer ${await hs()}`)).status).toBe(200)
  })

  it('refuses a wrong signature', async () => {
    await expectRefused(await app.call(`Bearer ${await hs({}, { alg: 'HS256' }, new TextEncoder().encode(OTHER_SECRET))}`), /signature/)
  })

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://id.test').setAudience('api').setExpirationTime(now() - 120).sign(key)
    await expectRefused(await app.call(`Bearer ${token}`), /expired/)
  })

  it('refuses alg: none', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root', iss: 'https://id.test', aud: 'api', exp: now() + 60 })}.`
    await expectRefused(await app.call(`Bearer ${token}`))
  })

  it('refuses an algorithm not listed', async () => {
    await expectRefused(await app.call(`Bearer ${await hs({}, { alg: 'HS512' })}`), /algorithm/)
  })

  it('refuses a wrong issuer or audience', async () => {
    const wrongIssuer = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://evil.test').setAudience('api').setExpirationTime(now() + 60).sign(key)
    await expectRefused(await app.call(`Bearer ${wrongIssuer}`), /iss/)
    const wrongAudience = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://id.test').setAudience('other').setExpirationTime(now() + 60).sign(key)
    await expectRefused(await app.call(`Bearer ${wrongAudience}`), /aud/)
  })

  it('refuses a token without exp', async () => {
    const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://id.test').setAudience('api').sign(key)
    await expectRefused(await app.call(`Bearer ${token}`), /no exp claim/)
  })

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await hs()).split('.')
    const forged = Buffer.from(JSON.stringify({ sub: 'root', iss: 'https://id.test', aud: 'api', exp: now() + 60 })).toString('base64url')
    await expectRefused(await app.call(`Bearer ${header}.${forged}.${signature}`), /signature/)
  })

  it('refuses a second spelling of the genuine token (unused bits of the last base64url character)', async () => {
    const valid = await hs()
    const last = valid.at(-1)!
    // An HS256 signature is 32 bytes: its 43rd character holds 4 bits of it and 2 unused ones.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const index = alphabet.indexOf(last)
    const twin = alphabet[(index & ~3) | ((index + 1) & 3)]!
    expect(Buffer.from(valid.split('.')[2]!.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(valid.split('.')[2]!, 'base64url'))
    await expectRefused(await app.call(`Bearer ${valid.slice(0, -1)}${twin}`), /malformed/)
  })

  it('refuses malformed headers and tokens', async () => {
    for (const value of ['Bearer', 'Bearer ', 'Bearer a.b', 'Bearer a.b.c.d', 'Bearer !!!.???.###', `Bearer ${'a'.repeat(9000)}.b.c`, 'Bearer e30.e30.', 'Bearer eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln']) {
      await expectRefused(await app.call(value))
    }
  })

  it('refuses a batch as a whole, with the challenge', async () => {
    const response = await fetch(`${app.url}/whoami,whoami`, { headers: { authorization: 'Bearer nope.nope.nope' } })
    await expectRefused(response)
  })

  it('never answers 5xx, and never accepts an Authorization header it did not sign (property)', async () => {
    const valid = await hs()
    const [h, p, s] = valid.split('.') as [string, string, string]
    const part = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/)
    const header = fc.oneof(
      fc.string({ maxLength: 200 }).filter((text) => !/[\r\n\0]/.test(text) && /^[\x20-\x7e]*$/.test(text)),
      fc.tuple(part, part, part).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
      fc.tuple(fc.constantFrom(h, 'eyJhbGciOiJub25lIn0'), part, fc.constantFrom(s, '')).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
      fc.tuple(fc.nat(valid.length - 1), fc.constantFrom('A', 'B', '_', '-')).map(([at, char]) => `Bearer ${valid.slice(0, at)}${char}${valid.slice(at + 1)}`),
    )
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const response = await app.call(value)
        expect(response.status).toBeLessThan(500)
        if (response.status === 200) {
          const { data } = (await response.json()) as { data: { sub: string | null } }
          // Accepted only when anonymous or carrying the genuine token.
          if (data.sub !== null) expect(value.trim().split(/\s+/)[1]).toBe(`${h}.${p}.${s}`)
        } else {
          await expectRefused(response)
        }
      }),
      { seed: 20260203, numRuns: 150 },
    )
  })
})

describe('createBearerAuth with a JWKS (RS256, ES256)', () => {
  let jwksServer: Server
  let jwksUrl: string
  let rsa: CryptoKeyPair
  let ec: CryptoKeyPair
  beforeAll(async () => {
    rsa = (await generateKeyPair('RS256')) as CryptoKeyPair
    ec = (await generateKeyPair('ES256')) as CryptoKeyPair
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ]
    jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })))
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
    const address = jwksServer.address() as { port: number }
    jwksUrl = `http://127.0.0.1:${address.port}/jwks.json`
    closers.push(() => new Promise((resolve) => jwksServer.close(resolve)))
  })

  const signed = (alg: 'RS256' | 'ES256', kid: string, privateKey: CryptoKey) =>
    new SignJWT({ sub: 'svc' }).setProtectedHeader({ alg, kid }).setIssuer('https://id.test').setAudience('api').setExpirationTime(now() + 60).sign(privateKey)

  it('accepts tokens signed by a key of the set', async () => {
    const app = await serve({ jwks: jwksUrl, issuer: 'https://id.test', audience: 'api', algorithms: ['RS256', 'ES256'] })
    expect(await (await app.call(`Bearer ${await signed('RS256', 'rsa-1', rsa.privateKey)}`)).json()).toEqual({ data: { sub: 'svc' } })
    expect(await (await app.call(`Bearer ${await signed('ES256', 'ec-1', ec.privateKey)}`)).json()).toEqual({ data: { sub: 'svc' } })
  })

  it('refuses an unknown kid, a key from elsewhere, and an algorithm not listed', async () => {
    const app = await serve({ jwks: jwksUrl, issuer: 'https://id.test', audience: 'api', algorithms: ['RS256'] })
    const stranger = (await generateKeyPair('RS256')) as CryptoKeyPair
    await expectRefused(await app.call(`Bearer ${await signed('RS256', 'unknown', stranger.privateKey)}`), /No key/)
    await expectRefused(await app.call(`Bearer ${await signed('RS256', 'rsa-1', stranger.privateKey)}`), /signature/)
    await expectRefused(await app.call(`Bearer ${await signed('ES256', 'ec-1', ec.privateKey)}`), /algorithm/)
    // An HMAC token signed with the RSA public key (the classic confusion) is refused too.
    const publicPem = JSON.stringify(await exportJWK(rsa.publicKey))
    await expectRefused(await app.call(`Bearer ${await new SignJWT({ sub: 'root' }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setExpirationTime(now() + 60).sign(new TextEncoder().encode(publicPem))}`))
  })
})

describe('createBearerAuth options', () => {
  it('refuses unsafe or contradictory options at startup', () => {
    expect(() => createBearerAuth({ algorithms: ['HS256'] })).toThrow(/exactly one of secret and jwks/)
    expect(() => createBearerAuth({ secret: SECRET, jwks: 'https://x.test/jwks', algorithms: ['HS256'] })).toThrow(/exactly one/)
    expect(() => createBearerAuth({ secret: SECRET, algorithms: [] as never })).toThrow(/algorithms/)
    expect(() => createBearerAuth({ secret: SECRET, algorithms: ['none' as never] })).toThrow(/unsafe algorithm/)
    expect(() => createBearerAuth({ secret: SECRET, algorithms: ['RS256'] })).toThrow(/HS256/)
    expect(() => createBearerAuth({ jwks: 'https://x.test/jwks', algorithms: ['HS256'] })).toThrow(/needs a secret/)
    expect(() => createBearerAuth({ secret: 'short', algorithms: ['HS256'] })).toThrow(/32 bytes/)
    expect(() => createBearerAuth({ secret: SECRET, algorithms: ['HS256'], clockTolerance: 61 })).toThrow(/clockTolerance/)
    expect(() => createBearerAuth({ secret: SECRET, algorithms: ['HS256'], requireExp: false as never })).toThrow(/requireExp/)
    expect(() => createBearerAuth({ jwks: 'file:///etc/passwd', algorithms: ['RS256'] })).toThrow(/http\(s\) URL/)
  })

  it('reads a fetch Request and a plain header record', async () => {
    const bearer = createBearerAuth({ secret: SECRET, algorithms: ['HS256'] })
    const token = await hs()
    expect((await bearer(new Request('http://x.test', { headers: { authorization: `Bearer ${token}` } })))?.sub).toBe('u1')
    expect((await bearer({ headers: { authorization: `Bearer ${token}` } }))?.sub).toBe('u1')
    expect(await bearer({ headers: {} })).toBeNull()
  })
})

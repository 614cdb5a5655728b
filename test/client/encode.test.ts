import { isMizanError, MizanClientError } from '@mizan/client'
import SuperJSON from 'superjson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp } from '../integration/app.js'
import { watchUnhandled } from './unhandled.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'loop' }
  value.self = value
  return value
}

/** An object whose property cannot be read: superjson's walk throws on it too. */
function poisoned(): object {
  return Object.defineProperty({ at: new Date(0) }, 'boom', {
    enumerable: true,
    get() {
      throw new Error('this getter always fails')
    },
  })
}

/** The call failed alone, before it was sent, with the documented error. */
function expectEncodeError(error: unknown, path: string) {
  expect(error).toBeInstanceOf(MizanClientError)
  expect(isMizanError(error, 'BAD_REQUEST')).toBe(true)
  expect(error).toMatchObject({ status: 0, path })
  expect((error as Error).message).toContain(`The input of ${path} could not be encoded`)
}

describe("an input the transformer cannot encode (transformer: 'json')", () => {
  for (const [what, input] of [
    ['a circular object', cyclic],
    ['a BigInt', () => ({ n: 1n })],
  ] as const) {
    it(`fails only the query holding ${what}; its batch neighbours are answered`, async () => {
      const unhandled = watchUnhandled()
      const client = app.client(undefined, { transformer: 'json' })
      app.requests.length = 0
      const bad = client.echo.query(input())
      const before = client.greeting.query({ name: 'before' })
      const after = client.echo.query({ ok: true })
      const [badResult, beforeResult, afterResult] = await Promise.allSettled([bad, before, after])
      expect(badResult.status).toBe('rejected')
      expectEncodeError((badResult as PromiseRejectedResult).reason, 'echo')
      expect(beforeResult).toEqual({ status: 'fulfilled', value: 'hi before' })
      expect(afterResult).toEqual({ status: 'fulfilled', value: { ok: true } })
      expect(app.requests).toHaveLength(1) // the neighbours still share one request
      expect(await unhandled.stop()).toEqual([])
    })
  }

  it('fails only the mutation holding it; the other mutation of the batch runs', async () => {
    const unhandled = watchUnhandled()
    const client = app.client('alice', { transformer: 'json' })
    const bad = client.posts.create.mutate({ title: cyclic() } as never)
    const good = client.posts.create.mutate({ title: 'kept' })
    const [badResult, goodResult] = await Promise.allSettled([bad, good])
    expectEncodeError((badResult as PromiseRejectedResult).reason, 'posts.create')
    expect(goodResult).toMatchObject({ status: 'fulfilled', value: { title: 'kept' } })
    expect(await unhandled.stop()).toEqual([])
  })

  it('fails the call without batching too', async () => {
    const unhandled = watchUnhandled()
    const client = app.client('alice', { transformer: 'json', batch: false })
    const results = await Promise.allSettled([client.echo.query({ n: 2n }), client.nothing.mutate(cyclic() as never), client.greeting.query({ name: 'solo' })])
    expectEncodeError((results[0] as PromiseRejectedResult).reason, 'echo')
    expectEncodeError((results[1] as PromiseRejectedResult).reason, 'nothing')
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'hi solo' })
    expect(await unhandled.stop()).toEqual([])
  })
})

describe('an input superjson cannot encode', () => {
  for (const [name, transformer] of [
    ['loaded on first need (the default)', undefined],
    ['passed up front', SuperJSON],
  ] as const) {
    it(`fails only that call, ${name}`, async () => {
      const unhandled = watchUnhandled()
      const client = app.client(undefined, transformer === undefined ? {} : { transformer })
      const results = await Promise.allSettled([client.echo.query(poisoned()), client.echo.query({ at: new Date(5) }), client.greeting.query({ name: 'x' })])
      expectEncodeError((results[0] as PromiseRejectedResult).reason, 'echo')
      expect(results[1]).toEqual({ status: 'fulfilled', value: { at: new Date(5) } })
      expect(results[2]).toEqual({ status: 'fulfilled', value: 'hi x' })
      expect(await unhandled.stop()).toEqual([])
    })
  }

  it('a circular object encodes under superjson, and the server refuses it clearly: inputs are trees', async () => {
    const client = app.client()
    await expect(client.echo.query(cyclic())).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 400, message: 'An input cannot contain itself (a circular reference)' })
  })
})

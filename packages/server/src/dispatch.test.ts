import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Dispatcher } from './dispatch.js'
import { MizanError } from './errors.js'
import { initMizan } from './init.js'
import type { AnyRouter } from './router.js'

type Ctx = { user: { name: string; roles: string[] } | null }
const m = initMizan<Ctx>({ roles: (user) => user.roles })

const call = async (router: AnyRouter, path: string, input?: unknown, ctx: Ctx = { user: null }) => {
  const dispatcher = new Dispatcher(router, { onError: () => {} })
  return dispatcher.call(dispatcher.resolve(path)!, ctx, input)
}

describe('router definition', () => {
  it('refuses keys that cannot be path segments', () => {
    const q = m.query(() => 1)
    for (const key of ['a.b', 'a,b', '_manifest', 'then', '', 'a/b']) expect(() => m.router({ [key]: q })).toThrow(/cannot be a path segment/)
    expect(() => new Dispatcher(m.router({ nested: { 'x.y': q } }))).toThrow(/cannot be a path segment/)
  })

  it('fails at startup when affects names nothing', () => {
    const router = m.router({ list: m.query(() => []), add: m.mutation({ affects: ['lsit'] }, () => 1) })
    expect(() => new Dispatcher(router)).toThrow('"add" affects "lsit", which is neither a procedure nor a router path')
  })

  it('refuses role rules without a roles function, and mutation options on queries', () => {
    const bare = initMizan<Ctx>()
    expect(() => bare.query({ auth: 'staff' }, () => 1)).toThrow(/needs initMizan\(\{ roles/)
    expect(() => m.query({ affects: ['x'] } as never, () => 1)).toThrow(/cannot declare affects/)
    expect(() => m.mutation({ context: 'global' } as never, () => 1)).toThrow(/for queries/)
  })
})

describe('dispatch', () => {
  it('runs middlewares in order, then auth against the extended context', async () => {
    const order: string[] = []
    const withUser = m
      .use(async ({ next }) => {
        order.push('first')
        return next({ ctx: { user: { name: 'mw', roles: ['staff'] } } })
      })
      .use(async ({ ctx, next }) => {
        order.push(`second:${ctx.user?.name}`)
        return next()
      })
    const router = m.router({ staffOnly: withUser.query({ auth: 'staff' }, ({ ctx }) => ctx.user.name) })
    expect(await call(router, 'staffOnly')).toMatchObject({ ok: true, data: 'mw' })
    expect(order).toEqual(['first', 'second:mw'])
  })

  it('refuses a middleware that does not return next()', async () => {
    const router = m.router({ q: m.use((async () => 'oops') as never).query(() => 1) })
    const result = await call(router, 'q')
    expect(result.ok === false && (result.error as MizanError).message).toMatch(/must return the result of next/)
  })

  it('awaits async auth predicates and async schemas', async () => {
    const slowSchema = z.object({ n: z.number() }).refine(async (v) => v.n > 0, 'positive')
    const router = m.router({ q: m.query({ auth: async (ctx) => ctx.user !== null, input: slowSchema }, ({ input }) => input.n) })
    expect(await call(router, 'q', { n: 1 }, { user: { name: 'a', roles: [] } })).toMatchObject({ ok: true, data: 1 })
    expect(await call(router, 'q', { n: 1 })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(await call(router, 'q', { n: -1 }, { user: { name: 'a', roles: [] } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', data: { fieldErrors: { '': ['positive'] } } } })
  })

  it('reports invalidate() of a path that names nothing to onError and drops it: the call still succeeds', async () => {
    const router = m.router({
      list: m.query(() => 1),
      add: m.mutation(({ invalidate }) => {
        invalidate('lsit')
        invalidate('list')
        return 'written'
      }),
    })
    const errors: unknown[] = []
    const dispatcher = new Dispatcher(router, { onError: ({ error }) => void errors.push(error) })
    expect(await dispatcher.call(dispatcher.resolve('add')!, { user: null }, undefined)).toEqual({ ok: true, data: 'written', invalidations: [{ path: 'list' }] })
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('invalidate("lsit") in "add" names no procedure or router') })])
  })

  it('merges declared and dynamic invalidations without duplicates and passes them to onInvalidate first', async () => {
    const seen: unknown[] = []
    const router = m.router({
      posts: { list: m.query(() => 1), byId: m.query(() => 1) },
      add: m.mutation({ affects: ['posts.list'] }, ({ invalidate }) => {
        invalidate('posts.list')
        invalidate('posts.byId', { id: '7' })
        invalidate('posts.byId', { id: '7' })
        invalidate('posts.byId', new Map([[1, 2]]))
        invalidate('posts.byId', new Map([[3, 4]]))
        return 'ok'
      }),
    })
    const dispatcher = new Dispatcher(router, { onInvalidate: (list) => void seen.push(list) })
    const result = await dispatcher.call(dispatcher.resolve('add')!, { user: null }, undefined)
    expect(result).toEqual({
      ok: true,
      data: 'ok',
      invalidations: [{ path: 'posts.list' }, { path: 'posts.byId', input: { id: '7' } }, { path: 'posts.byId', input: new Map([[1, 2]]) }, { path: 'posts.byId', input: new Map([[3, 4]]) }],
    })
    expect(seen).toEqual([result.invalidations])
  })
})

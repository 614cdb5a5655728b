import { InvalidationBridge, queryKeyOf } from '@mizan/react'
import type { ClientInvalidation } from '@mizan/client'
import { QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'

/** A query client holding fresh data for each key, and what the bridge marked stale. */
function seeded(keys: [path: string, input: unknown][]) {
  const queryClient = new QueryClient()
  for (const [path, input] of keys) queryClient.setQueryData(queryKeyOf(path, input, 'query'), 'cached')
  const invalidated = () =>
    queryClient
      .getQueryCache()
      .getAll()
      .filter((query) => query.state.isInvalidated)
      .map((query) => JSON.stringify(query.queryKey))
      .sort()
  return { bridge: new InvalidationBridge(queryClient), invalidated }
}

const key = (path: string, input?: unknown) => JSON.stringify(queryKeyOf(path, input, 'query'))

describe('the bridge, given invalidations a server degraded or garbled', () => {
  it('invalidates every input of a path given without input, and every query under a prefix', async () => {
    const { bridge, invalidated } = seeded([['posts.byId', { id: '1' }], ['posts.byId', { id: '2' }], ['posts.list', { page: 1 }], ['users.me', undefined]])
    await bridge.apply([{ path: 'posts.byId' }])
    expect(invalidated()).toEqual([key('posts.byId', { id: '1' }), key('posts.byId', { id: '2' })])
    await bridge.apply([{ path: 'posts' }])
    expect(invalidated()).toHaveLength(3)
    expect(invalidated()).not.toContain(key('users.me'))
  })

  it('invalidates the whole path for an input TanStack cannot hash, instead of nothing', async () => {
    const { bridge, invalidated } = seeded([['posts.byId', { id: '1' }], ['posts.list', { page: 1 }]])
    await bridge.apply([{ path: 'posts.byId', input: { id: 1n } }])
    expect(invalidated()).toEqual([key('posts.byId', { id: '1' })])
  })

  it('skips entries that are not invalidations and applies the rest', async () => {
    const { bridge, invalidated } = seeded([['posts.list', { page: 1 }], ['posts.byId', { id: '1' }]])
    const garbage = [null, 5, { path: 7 }, { input: {} }, { path: 'posts.list', input: { page: 1 } }] as unknown as ClientInvalidation[]
    await bridge.apply(garbage)
    expect(invalidated()).toEqual([key('posts.list', { page: 1 })])
  })

  it('applies a set of many thousand entries against many queries', async () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => [`items.byId`, { id: i }] as [string, unknown])
    const { bridge, invalidated } = seeded(keys)
    const targets = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? { path: `other${i}` } : { path: 'items.byId', input: { id: i } }))
    await bridge.apply(targets)
    expect(invalidated()).toHaveLength(1_000) // the odd ids
  })
})

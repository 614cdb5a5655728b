import { createClient, type ClientInvalidation } from '@mizan/client'
import { describe, expect, it } from 'vitest'
import type { AppRouter } from '../integration/app.js'
import { watchUnhandled } from './unhandled.js'

/** A client whose server answers every request with `answer()`; it records what it announces. */
function clientAnswering(answer: () => Response) {
  const announced: ClientInvalidation[][] = []
  const client = createClient<AppRouter>({ url: 'http://mizan.test/api', fetch: async () => answer() })
  client.$on('invalidate', (list) => void announced.push(list))
  return { client, announced }
}

const withHeader = (header: string, body: unknown = { data: true }) => () =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'x-mizan-invalidate': header } })

describe('the X-Mizan-Invalidate header, as a server may send it', () => {
  it('announces a header of only path entries (a set degraded to paths) as whole-path invalidations', async () => {
    const { client, announced } = clientAnswering(withHeader('[{"path":"posts.byId"},{"path":"posts"}]'))
    expect(await client.nothing.mutate()).toBe(true)
    expect(announced).toEqual([[{ path: 'posts.byId' }, { path: 'posts' }]])
  })

  it('ignores a malformed header, and what is not an entry in it, and the call still resolves', async () => {
    const unhandled = watchUnhandled()
    for (const header of ['[{oops', '{"path":"x"}', 'null', '"posts"', '[1,"a",null,[],{"path":5},{"input":{}}]', '[{"path":"posts.list","input":{"page":1}},7]']) {
      const { client, announced } = clientAnswering(withHeader(header))
      expect(await client.nothing.mutate()).toBe(true)
      expect(announced.flat().every((entry) => typeof entry.path === 'string')).toBe(true)
    }
    expect(await unhandled.stop()).toEqual([])
  })

  it('reads a huge header, whole (a long list) or not at all (deeply nested garbage), without throwing', async () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => ({ path: `p${i}` }))
    const long = clientAnswering(withHeader(JSON.stringify(entries)))
    expect(await long.client.nothing.mutate()).toBe(true)
    expect(long.announced[0]).toHaveLength(20_000)
    const nested = clientAnswering(withHeader('['.repeat(500_000) + ']'.repeat(500_000)))
    expect(await nested.client.nothing.mutate()).toBe(true)
    expect(nested.announced).toEqual([])
  })

  it('degrades an entry whose input does not decode to its path, and the call still resolves', async () => {
    // superjson meta saying the input is a BigInt, on a value that is not one.
    const header = '[{"path":"posts.byId","input":{"id":"x"},"meta":{"values":{"id":["bigint"]},"v":1}},{"path":"posts.list","input":{"page":2}}]'
    const { client, announced } = clientAnswering(withHeader(header))
    expect(await client.nothing.mutate()).toBe(true)
    expect(announced).toEqual([[{ path: 'posts.byId' }, { path: 'posts.list', input: { page: 2 } }]])
  })

  it('keeps only well-formed entries of a batch entry’s invalidate list', async () => {
    const body = [{ data: 1, invalidate: [{ path: 5 }, 'posts', null, { path: 'posts.list' }] }, { data: 2, invalidate: 'posts' }]
    const { client, announced } = clientAnswering(() => new Response(JSON.stringify(body), { status: 200 }))
    const results = await Promise.all([client.nothing.mutate(), client.nothing.mutate()])
    expect(results).toEqual([1, 2])
    expect(announced).toEqual([[{ path: 'posts.list' }]])
  })
})

import { createClient, MizanClientError } from '@mizan/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type AppRouter } from '../integration/app.js'
import { watchUnhandled } from './unhandled.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())

/** A fetch that breaks the requests `broken` picks, and passes the rest to the real server. */
function fetchBreaking(broken: (url: string) => 'network' | 'huge header' | 'body' | undefined): typeof fetch {
  return async (input, init) => {
    const url = String(input)
    switch (broken(url)) {
      case 'network':
        throw new TypeError('fetch failed')
      case 'huge header':
        // Node's HTTP server refuses headers over 16 KiB with 431.
        return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-huge': 'a'.repeat(40_000) } })
      case 'body': {
        const stream = new ReadableStream({ start: (controller) => controller.error(new Error('connection reset mid-body')) })
        return new Response(stream, { status: 200 })
      }
      default:
        return fetch(input, init)
    }
  }
}

const client = (fetchImpl: typeof fetch, extra: { headers?: () => Record<string, string> } = {}) =>
  createClient<AppRouter>({ url: app.url, fetch: fetchImpl, headers: () => ({ authorization: 'Bearer alice' }), ...extra })

describe('a failure fails only the calls it concerns, and every call settles', () => {
  it('a network error fails the calls of that request; the other request of the tick is answered', async () => {
    const unhandled = watchUnhandled()
    const api = client(fetchBreaking((url) => (url.includes('greeting') ? 'network' : undefined)))
    const results = await Promise.allSettled([api.greeting.query({ name: 'a' }), api.echo.query(1), api.posts.create.mutate({ title: 'fine' })])
    for (const result of results.slice(0, 2)) {
      expect(result.status).toBe('rejected')
      expect((result as PromiseRejectedResult).reason).toMatchObject({ name: 'MizanClientError', code: 'NETWORK_ERROR', status: 0 })
    }
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { title: 'fine' } })
    expect(await unhandled.stop()).toEqual([])
  })

  it('a header too large fails the calls of that request with the status the server gave; the others are answered', async () => {
    const unhandled = watchUnhandled()
    const api = client(fetchBreaking((url) => (url.includes('posts.create') ? 'huge header' : undefined)))
    const results = await Promise.allSettled([api.posts.create.mutate({ title: 'too big' }), api.greeting.query({ name: 'b' })])
    const error = (results[0] as PromiseRejectedResult).reason as MizanClientError
    expect(error).toBeInstanceOf(MizanClientError)
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 431, path: 'posts.create' })
    expect(error.message).toContain('431 Request Header Fields Too Large')
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'hi b' })
    expect(await unhandled.stop()).toEqual([])
  })

  it('a body that breaks while read fails the calls of that request as a network error', async () => {
    const unhandled = watchUnhandled()
    const api = client(fetchBreaking((url) => (url.includes('echo') ? 'body' : undefined)))
    const results = await Promise.allSettled([api.echo.query(1), api.greeting.query({ name: 'c' }), api.posts.create.mutate({ title: 'c' })])
    for (const result of results.slice(0, 2)) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'NETWORK_ERROR', message: expect.stringContaining('connection reset mid-body') })
    }
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { title: 'c' } })
    expect(await unhandled.stop()).toEqual([])
  })

  it('an abort while the headers function runs fails that call alone; its batch goes without it', async () => {
    const unhandled = watchUnhandled()
    let release!: () => void
    const headersAsked = new Promise<void>((resolve) => (release = resolve))
    const urls: string[] = []
    const api = createClient<AppRouter>({
      url: app.url,
      fetch: (input, init) => (urls.push(String(input)), fetch(input, init)),
      headers: async () => {
        release()
        await Promise.resolve()
        return {}
      },
    })
    const controller = new AbortController()
    const aborted = api.greeting.query({ name: 'gone' }, { signal: controller.signal })
    const kept = api.greeting.query({ name: 'kept' })
    await headersAsked
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    // The request was already built: the aborted call's entry is in it, and its answer is dropped.
    expect(await kept).toBe('hi kept')
    expect(urls).toHaveLength(1)
    expect(await unhandled.stop()).toEqual([])
  })
})

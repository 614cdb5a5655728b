import { createClient } from '@mizan/client'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startApp, type AppRouter } from '../integration/app.js'
import { watchUnhandled } from './unhandled.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())

describe('superjson, loaded on first need', () => {
  it('fails the calls that needed it when it cannot load, and loads for the next call', async () => {
    const unhandled = watchUnhandled()
    vi.doMock('superjson', () => {
      throw new Error('Failed to fetch dynamically imported module')
    })
    const client = createClient<AppRouter>({ url: app.url })
    const [needing, plain] = await Promise.allSettled([client.echo.query({ at: new Date(1) }), client.echo.query({ n: 1 })])
    expect((needing as PromiseRejectedResult).reason).toMatchObject({ name: 'MizanClientError', status: 0, message: expect.stringContaining('could not be encoded') })
    expect(plain).toEqual({ status: 'fulfilled', value: { n: 1 } }) // plain JSON never needed it
    vi.doUnmock('superjson')
    expect(await client.echo.query({ at: new Date(2) })).toEqual({ at: new Date(2) })
    expect(await unhandled.stop()).toEqual([])
  })
})

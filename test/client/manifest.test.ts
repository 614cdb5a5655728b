import { createClient, MizanClientError } from '@mizan/client'
import { createMizanServer } from '@mizan/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appRouter, Db, startApp, type AppRouter } from '../integration/app.js'

let app: Awaited<ReturnType<typeof startApp>>
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.server.close())

describe('client.$manifest()', () => {
  it('reads what each procedure declares', async () => {
    const manifest = await app.client().$manifest()
    expect(manifest.procedures.greeting).toMatchObject({ kind: 'query', context: 'local' })
    expect(manifest.procedures.currentUser).toMatchObject({ context: 'global' })
  })

  it('rejects with NOT_FOUND when the server turned the manifest off', async () => {
    const server = createMizanServer({ router: appRouter, createContext: () => ({ user: null, db: new Db() }), manifest: false, onError: () => {} })
    const { url } = await server.listen(0, '127.0.0.1')
    try {
      const error = await createClient<AppRouter>({ url }).$manifest().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MizanClientError)
      expect(error).toMatchObject({ code: 'NOT_FOUND', path: '_manifest' })
    } finally {
      await server.close()
    }
  })
})

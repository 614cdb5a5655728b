import { createMizanServer, initMizan, type CacheBackend } from '@mizan/server'
import { z } from 'zod'
import { deferred } from '../integration/app.js'

type User = { id: string; name: string }
type Ctx = { user: User | null }

/** The data behind the cached queries: tests change it and count handler runs. */
export class Source {
  version = 1
  runs = 0
  /** When set, `counter` waits for it: a fill held open while a test purges. */
  latch: ReturnType<typeof deferred> | undefined
  entered: ReturnType<typeof deferred> | undefined
  failNext = 0
}

export function cacheApp(backend: CacheBackend, source: Source) {
  const m = initMizan<Ctx>()
  /** A handler run a test can hold open (latch) and make fail (failNext): for refreshes and fills. */
  const gatedVersion = async (failure: string) => {
    source.runs++
    source.entered?.resolve()
    if (source.latch) await source.latch.promise
    if (source.failNext > 0) {
      source.failNext--
      throw new Error(failure)
    }
    return source.version
  }
  const router = m.router({
    counter: m.query({ input: z.object({ key: z.string().default('a') }), cache: { ttl: 60, scope: 'public' } }, async ({ input }) => {
      source.runs++
      const version = source.version
      source.entered?.resolve()
      if (source.latch) await source.latch.promise
      return { key: input.key, version, at: new Date(0) }
    }),
    mine: m.query({ cache: { ttl: 60, scope: 'user' } }, ({ ctx }) => {
      source.runs++
      return { owner: ctx.user?.name ?? 'nobody', version: source.version }
    }),
    stale: m.query({ cache: { ttl: 1, swr: 60, scope: 'public' } }, () => gatedVersion('refresh failed')),
    flaky: m.query({ cache: { ttl: 60, scope: 'public' } }, () => gatedVersion('fill failed')),
    since: m.query({ input: z.object({ at: z.date() }), cache: { ttl: 60, scope: 'public' } }, ({ input }) => {
      source.runs++
      return { at: input.at, version: source.version }
    }),
    cookie: m.query({ cache: { ttl: 60, scope: 'public' } }, () => {
      source.runs++
      return source.version
    }),
    bump: m.mutation({ affects: ['counter', 'mine', 'stale', 'flaky', 'since'] }, () => {
      source.version++
      return source.version
    }),
    bumpThenFail: m.mutation({ input: z.object({ key: z.string() }) }, ({ input, invalidate }) => {
      source.version++
      invalidate('counter', input)
      throw new Error('failed after changing data')
    }),
    bumpOne: m.mutation({ input: z.object({ key: z.string() }) }, ({ input, invalidate }) => {
      source.version++
      invalidate('counter', input)
    }),
  })
  const errors: unknown[] = []
  const server = createMizanServer({
    router,
    cache: backend,
    createContext: ({ req, resHeaders }) => {
      if (req.url.includes('/cookie')) resHeaders.append('set-cookie', 'seen=1')
      const name = req.headers.get('authorization')?.slice(7)
      return { user: name ? { id: name, name } : null }
    },
    onError: ({ error }) => void errors.push(error),
  })
  return { server, errors, as: (name: string | null) => server.createCaller({ user: name ? { id: name, name } : null }) }
}

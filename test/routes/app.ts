import { initMizan, MizanError } from '@mizan/server'
import { z } from 'zod'

export interface User {
  id: string
  roles: string[]
}

export const m = initMizan<{ user: User | null }>({ roles: (user) => user.roles })

export const files = new Map<string, string>([['1', 'hello']])
export let handlerRuns = 0

/** A router with procedures and routes of every shape the tests need. */
export const routesRouter = m.router({
  files: m.router({
    list: m.query({ cache: { ttl: 60, scope: 'public' } }, () => [...files.keys()]),
    download: m.route(
      { method: 'GET', path: '/files/:id', query: z.object({ inline: z.stringbool().optional() }), errors: { NOT_FOUND: z.object({ id: z.string() }) } },
      ({ params, query, fail }) => {
        const text = files.get(params.id)
        if (text === undefined) return fail('NOT_FOUND', { id: params.id })
        return new Response(text, { headers: { 'content-type': 'text/plain', 'content-disposition': query.inline ? 'inline' : 'attachment' } })
      },
    ),
    meta: m.route({ method: 'GET', path: '/files/:id/meta', params: z.object({ id: z.string().regex(/^\d+$/) }), cache: { ttl: 60, scope: 'public' } }, ({ params }) => {
      handlerRuns++
      return { id: params.id, size: files.get(params.id)?.length ?? 0 }
    }),
    put: m.route(
      { method: ['PUT', 'POST'], path: '/files/:id', body: z.object({ text: z.string().max(100) }), auth: true, affects: ['files'] },
      ({ params, body, ctx }) => {
        files.set(params.id, body.text)
        return { id: params.id, by: ctx.user.id }
      },
    ),
    remove: m.route({ method: 'DELETE', path: '/files/:id', auth: 'admin', affects: ['files.list'] }, ({ params }) => {
      files.delete(params.id)
      return new Response(null, { status: 204 })
    }),
  }),
  health: m.route({ method: 'GET', path: '/healthz', absolute: true }, ({ request }) => ({ ok: true, method: request.method })),
  boom: m.route({ method: 'GET', path: '/boom' }, () => {
    throw new Error('secret database password')
  }),
  limited: m.route({ method: 'GET', path: '/limited', rateLimit: { max: 2, window: '1m', by: 'ip' } }, () => 'ok'),
  echo: m.query({ input: z.object({ name: z.string() }) }, ({ input }) => `hi ${input.name}`),
  guarded: m.route({ method: 'GET', path: '/guarded' }, () => {
    throw new MizanError('FORBIDDEN', 'no')
  }),
})

export type RoutesRouter = typeof routesRouter

/** `Bearer <id>` signs in as `<id>`; `admin` has the admin role. */
export function userOf(header: string | null): User | null {
  if (header === null || !header.startsWith('Bearer ')) return null
  const id = header.slice(7)
  return { id, roles: id === 'admin' ? ['admin'] : [] }
}

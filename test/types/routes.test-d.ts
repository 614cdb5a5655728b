import { createClient } from '@mizan/client'
import { createMizanServer, initMizan, toOpenAPI, type OpenAPIDocument, type PathParams } from '@mizan/server'
import { expectError, expectType } from 'tsd'
import { z } from 'zod'

const m = initMizan<{ user: { id: string } | null }>()

// Parameters come from the pattern when no schema is given.
expectType<{ id: string }>({} as PathParams<'/files/:id'>)
expectType<{ org: string; id: string }>({} as PathParams<'/orgs/:org/files/:id/raw'>)
expectType<{}>({} as PathParams<'/healthz'>)

const router = m.router({
  files: m.router({
    download: m.route({ method: 'GET', path: '/files/:id', query: z.object({ inline: z.stringbool().optional() }) }, ({ params, query, request, ctx }) => {
      expectType<{ id: string }>(params)
      expectType<boolean | undefined>(query.inline)
      expectType<string>(request.method)
      expectType<{ id: string } | null>(ctx.user)
      return new Response('x')
    }),
    meta: m.route({ method: 'GET', path: '/files/:id/meta', params: z.object({ id: z.coerce.number() }) }, ({ params }) => {
      expectType<number>(params.id)
      return { size: 1 }
    }),
    put: m.route({ method: ['PUT'], path: '/files/:id', body: z.object({ text: z.string() }), auth: true, affects: ['files'] }, ({ body, ctx, params }) => {
      expectType<string>(body.text)
      // auth: true guarantees a user.
      expectType<{ id: string }>(ctx.user)
      // @ts-expect-error the pattern has no `name`
      params.name
      return { ok: true }
    }),
    failing: m.route({ method: 'GET', path: '/f/:id', errors: { NOT_FOUND: z.object({ id: z.string() }) } }, ({ fail, params }) => {
      // @ts-expect-error a code the route does not declare
      fail('GONE', { id: params.id })
      // @ts-expect-error data of the wrong shape
      fail('NOT_FOUND', { nope: 1 })
      return fail('NOT_FOUND', { id: params.id })
    }),
  }),
  health: m.route({ method: 'GET', path: '/healthz', absolute: true }, () => ({ ok: true })),
})

createMizanServer({ router, createContext: () => ({ user: null }), openapi: { title: 't', version: '1' } })
expectType<OpenAPIDocument>(toOpenAPI(router, { title: 't', version: '1' }))

// A route's affects are checked like a procedure's.
const bad = m.router({ r: m.route({ method: 'POST', path: '/r', affects: ['missing'] }, () => 1) })
expectError(createMizanServer({ router: bad, createContext: () => ({ user: null }) }))

const client = createClient<typeof router>({ url: 'http://localhost/api/mizan' })
expectType<string>(client.$url(client.files.download, { id: '1' }, { inline: 'true' }))
expectType<string>(client.$url(client.files.download, { id: '1' }))
expectType<string>(client.$url(client.files.meta, { id: 2 }))
expectType<string>(client.$url(client.health))
// Parameters are required, typed, and only the pattern's.
expectError(client.$url(client.files.download))
expectError(client.$url(client.files.download, { name: '1' }))
expectError(client.$url(client.files.meta, { nope: 1 }))
// The query is the route's.
expectError(client.$url(client.files.download, { id: '1' }, { inline: 1 }))
// A procedure is not a route, and the proxy does not call routes.
expectError(client.$url(client as never as { x: { query: () => void } }['x'] as { query: () => void }, {}))
expectError(client.files.download.query())

// `rawBody: true`: the handler's body is the text that arrived.
m.route({ method: 'POST', path: '/webhooks/raw', rawBody: true }, ({ body }) => {
  expectType<string>(body)
  return body.length
})
// Without it, an undeclared body is unknown: it must be checked before use.
m.route({ method: 'POST', path: '/webhooks/json' }, ({ body }) => {
  expectType<unknown>(body)
  // @ts-expect-error an unknown body has no `length`
  return body.length
})

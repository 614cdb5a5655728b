import { createMizanServer, initMizan, MizanError, type ErrorEvent } from '@mizan/server'
import { createClient, type ClientOptions } from '@mizan/client'
import { z } from 'zod'

export const m = initMizan<{ user: string | null }>()

const DELETED_AT = new Date('2026-02-03T04:05:06.000Z')

/** Procedures that end with declared errors, a wrong declared error, and an undeclared one. */
export const errorsRouter = m.router({
  posts: m.router({
    byId: m.query(
      {
        input: z.object({ id: z.string() }),
        errors: { NOT_FOUND: z.object({ id: z.string() }), GONE: z.object({ deletedAt: z.date() }) },
      },
      ({ input, fail }) => {
        if (input.id === 'gone') return fail('GONE', { deletedAt: DELETED_AT }, 'Deleted')
        if (input.id !== '1') return fail('NOT_FOUND', { id: input.id })
        return { id: '1', title: 'First' }
      },
    ),
    rename: m.mutation(
      { input: z.object({ id: z.string(), title: z.string() }), errors: { CONFLICT: z.object({ current: z.string(), at: z.date() }) } },
      async ({ input, fail }) => {
        if (input.title === 'taken') fail('CONFLICT', { current: 'Taken', at: DELETED_AT })
        return { id: input.id, title: input.title }
      },
    ),
    // At run time a handler (or a cast) may send data its declaration refuses.
    lies: m.query({ errors: { NOT_FOUND: z.object({ id: z.string() }) } }, ({ fail }) => fail('NOT_FOUND', { id: 42, secret: 'hunter2' } as unknown as { id: string })),
    undeclared: m.query({ errors: { NOT_FOUND: z.object({ id: z.string() }) } }, ({ fail }) => (fail as (code: string, data: unknown) => never)('CONFLICT', { secret: 'hunter2' })),
    // A transform in the declared schema: the client gets what the schema outputs.
    trimmed: m.query({ errors: { BAD_REQUEST: z.object({ reason: z.string().trim() }) } }, ({ fail }) => fail('BAD_REQUEST', { reason: '  too short  ' })),
    asyncSchema: m.query(
      { errors: { FORBIDDEN: z.object({ rule: z.string().refine(async (value) => value.length > 0) }) } },
      ({ fail }) => fail('FORBIDDEN', { rule: 'owner-only' }),
    ),
    plain: m.query(() => {
      throw new MizanError('NOT_FOUND', 'Plain', { data: { hint: 'x' } })
    }),
  }),
  form: m.form({
    title: 'Sign up',
    input: z.object({ email: z.string() }),
    errors: { CONFLICT: z.object({ email: z.string(), since: z.date() }) },
    onSubmit: ({ input, fail }) => (input.email === 'taken@x.io' ? fail('CONFLICT', { email: input.email, since: DELETED_AT }) : { ok: true }),
  }),
})

export type ErrorsRouter = typeof errorsRouter
export { DELETED_AT }

/** Starts the router on a free port; `errors` collects what `onError` hears. */
export async function startErrorsApp() {
  const events: ErrorEvent[] = []
  const server = createMizanServer({
    router: errorsRouter,
    createContext: () => ({ user: null }),
    isDev: false,
    onError: (event) => events.push(event),
  })
  const { url } = await server.listen(0, '127.0.0.1')
  const client = (extra: Partial<ClientOptions> = {}) => createClient<ErrorsRouter>({ url, ...extra })
  return { server, url, client, events }
}

import { createClient, isMizanError, type MizanClientError } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import { initMizan } from '@mizan/server'
import { expectError, expectType } from 'tsd'
import { z } from 'zod'

const m = initMizan<{ user: string | null }>()

const router = m.router({
  byId: m.query(
    { input: z.object({ id: z.string() }), errors: { NOT_FOUND: z.object({ id: z.string() }), GONE: z.object({ deletedAt: z.date() }) } },
    ({ input, fail }) => {
      if (input.id === 'x') fail('GONE', { deletedAt: new Date() }, 'Deleted')
      return fail('NOT_FOUND', { id: input.id })
    },
  ),
  rename: m.mutation({ input: z.object({ id: z.string() }), errors: { CONFLICT: z.object({ at: z.date() }) } }, ({ fail }) => fail('CONFLICT', { at: new Date() })),
  plain: m.query(() => 1),
  form: m.form({
    title: 'T',
    input: z.object({ email: z.string() }),
    errors: { CONFLICT: z.object({ email: z.string() }) },
    onSubmit: ({ input, fail }) => fail('CONFLICT', { email: input.email }),
  }),
})

// `errors` keys must be Mizan error codes.
expectError(m.query({ errors: { NOT_FOUD: z.object({}) } }, () => 1))
expectError(m.mutation({ errors: { NOT_FOUND: z.object({}), TEAPOT: z.object({}) } }, () => 1))
expectError(m.form({ title: 'T', input: z.object({ a: z.string() }), errors: { NOPE: z.object({}) }, onSubmit: () => 1 }))
// …and their values schemas.
expectError(m.query({ errors: { NOT_FOUND: 'not a schema' } }, () => 1))

// `fail` is typed by the declaration: undeclared code, wrong data → compile errors.
m.query({ errors: { NOT_FOUND: z.object({ id: z.string() }) } }, ({ fail }) => {
  expectType<never>(fail('NOT_FOUND', { id: 'a' }))
  expectError(fail('CONFLICT', { id: 'a' }))
  expectError(fail('NOT_FOUND', { id: 1 }))
  expectError(fail('NOT_FOUND', {}))
  return 1
})
// Without `errors`, `fail` accepts no code.
m.query({ input: z.object({ a: z.string() }) }, ({ fail }) => {
  expectError(fail('NOT_FOUND', {}))
  return 1
})
m.mutation(({ fail }) => {
  expectError(fail('BAD_REQUEST', {}))
})

// isMizanError narrows by procedure and declared code; data decoded (a Date is a Date).
const client = createClient<typeof router>({ url: 'http://localhost/api' })
declare const e: unknown
if (isMizanError(e, client.byId, 'GONE')) {
  expectType<'GONE'>(e.code)
  expectType<Date>(e.data.deletedAt)
}
if (isMizanError(e, client.byId, 'NOT_FOUND')) expectType<string>(e.data.id)
if (isMizanError(e, client.rename, 'CONFLICT')) expectType<Date>(e.data.at)
if (isMizanError(e, client.form.submit, 'CONFLICT')) expectType<string>(e.data.email)
expectError(isMizanError(e, client.byId, 'CONFLICT'))
expectError(isMizanError(e, client.plain, 'NOT_FOUND'))
// The old forms keep working.
if (isMizanError(e, 'NOT_FOUND')) expectType<Record<string, unknown> | undefined>(e.data)
if (isMizanError(e)) expectType<string>(e.message)

// With the json transformer, data is what JSON makes of it.
const mj = initMizan({ transformer: 'json' })
const jsonRouter = mj.router({ q: mj.query({ errors: { GONE: z.object({ at: z.date() }) } }, ({ fail }) => fail('GONE', { at: new Date() })) })
const jsonClient = createClient<typeof jsonRouter>({ url: 'http://localhost/api' })
if (isMizanError(e, jsonClient.q, 'GONE')) expectType<string>(e.data.at)

// React: the hooks' error is the procedure's MizanClientError<Declared>.
const api = createMizanReact<typeof router>(client)
const query = api.byId.useQuery({ id: '1' })
if (query.error !== null) {
  const error = query.error
  if (error.code === 'GONE') expectType<Date>(error.data.deletedAt)
  if (error.code === 'NOT_FOUND') {
    expectType<string>(error.data.id)
    expectError(error.data.deletedAt)
  }
  // Generic codes stay possible, with the generic data.
  if (error.code === 'UNAUTHORIZED') expectType<Record<string, unknown> | undefined>(error.data)
}
const suspense = api.byId.useSuspenseQuery({ id: '1' })
if (suspense.error !== null && suspense.error.code === 'GONE') expectType<Date>(suspense.error.data.deletedAt)
const mutation = api.rename.useMutation()
if (mutation.error !== null && mutation.error.code === 'CONFLICT') expectType<Date>(mutation.error.data.at)
expectType<MizanClientError | null>(api.plain.useQuery().error)
if (isMizanError(e, api.byId, 'GONE')) expectType<Date>(e.data.deletedAt)

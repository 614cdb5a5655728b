import { isMizanError, MizanClientError } from '@mizan/client'
import { createCaller, isMizanServerError, MizanError } from '@mizan/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DELETED_AT, errorsRouter, startErrorsApp } from './app.js'

let app: Awaited<ReturnType<typeof startErrorsApp>>
beforeAll(async () => {
  app = await startErrorsApp()
})
afterAll(() => app.server.close())

async function caught(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('the call succeeded')
}

const get = (path: string, input?: unknown) => fetch(`${app.url}/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`)

describe('declared errors on the wire', () => {
  it('answers fail() with its code and status, the data, and superjson meta for a Date', async () => {
    const response = await get('posts.byId', { id: 'gone' })
    expect(response.status).toBe(410)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as { error: Record<string, unknown> }
    expect(body.error).toEqual({
      code: 'GONE',
      status: 410,
      message: 'Deleted',
      data: { deletedAt: DELETED_AT.toISOString() },
      meta: { values: { deletedAt: ['Date'] }, v: 1 },
    })
  })

  it('sends no meta when the data is plain JSON, and the default message of the code', async () => {
    const body = (await (await get('posts.byId', { id: '7' })).json()) as { error: Record<string, unknown> }
    expect(body.error).toEqual({ code: 'NOT_FOUND', status: 404, message: 'Not found', data: { id: '7' } })
  })

  it('sends what the schema outputs (a transform applies)', async () => {
    const body = (await (await get('posts.trimmed')).json()) as { error: { data: unknown } }
    expect(body.error.data).toEqual({ reason: 'too short' })
  })

  it('checks data with an async schema too', async () => {
    const body = (await (await get('posts.asyncSchema')).json()) as { error: Record<string, unknown> }
    expect(body.error).toMatchObject({ code: 'FORBIDDEN', status: 403, data: { rule: 'owner-only' } })
  })

  it('lists declared codes in the manifest', async () => {
    const manifest = (await (await get('_manifest')).json()) as { procedures: Record<string, { errors: string[] }> }
    expect(manifest.procedures['posts.byId']!.errors).toEqual(['GONE', 'NOT_FOUND'])
    expect(manifest.procedures['posts.plain']!.errors).toEqual([])
    expect(manifest.procedures['form.submit']!.errors).toEqual(['CONFLICT'])
    expect(manifest.procedures['form.schema']!.errors).toEqual([])
  })
})

describe('data the declaration refuses (hostile or buggy handler)', () => {
  it('answers 500 with the data withheld, and tells onError', async () => {
    app.events.length = 0
    const response = await get('posts.lies')
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('stack')
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', status: 500, message: 'Internal server error' } })
    expect(app.events).toHaveLength(1)
    expect(app.events[0]!.path).toBe('posts.lies')
    expect(isMizanServerError(app.events[0]!.error, 'INTERNAL_SERVER_ERROR')).toBe(true)
    const cause = (app.events[0]!.error as MizanError).cause as { failed: MizanError }
    expect(cause.failed.code).toBe('NOT_FOUND')
  })

  it('treats a code the procedure does not declare the same way', async () => {
    app.events.length = 0
    const response = await get('posts.undeclared')
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('hunter2')
    expect(app.events).toHaveLength(1)
  })

  it('leaves a MizanError thrown by hand as it was: untyped, unchecked', async () => {
    const body = (await (await get('posts.plain')).json()) as { error: Record<string, unknown> }
    expect(body.error).toEqual({ code: 'NOT_FOUND', status: 404, message: 'Plain', data: { hint: 'x' } })
  })
})

describe('the client', () => {
  it('decodes the data (a Date is a Date) and narrows it by procedure and code', async () => {
    const client = app.client()
    const error = await caught(() => client.posts.byId.query({ id: 'gone' }))
    expect(error).toBeInstanceOf(MizanClientError)
    expect(isMizanError(error, client.posts.byId, 'GONE')).toBe(true)
    if (!isMizanError(error, client.posts.byId, 'GONE')) throw error
    expect(error.data.deletedAt).toBeInstanceOf(Date)
    expect(error.data.deletedAt.getTime()).toBe(DELETED_AT.getTime())
    expect(error.status).toBe(410)
    expect(error.message).toBe('Deleted')
    // The code alone, and the old forms, still answer.
    expect(isMizanError(error, client.posts.byId, 'NOT_FOUND')).toBe(false)
    expect(isMizanError(error, 'GONE')).toBe(true)
    expect(isMizanError(error)).toBe(true)
  })

  it('tells an error of another procedure with the same code apart', async () => {
    const client = app.client()
    const error = await caught(() => client.posts.plain.query())
    expect(isMizanError(error, 'NOT_FOUND')).toBe(true)
    expect(isMizanError(error, client.posts.byId, 'NOT_FOUND')).toBe(false)
  })

  it('decodes declared errors of batched calls and mutations', async () => {
    const client = app.client()
    const [gone, missing] = await Promise.all([caught(() => client.posts.byId.query({ id: 'gone' })), caught(() => client.posts.byId.query({ id: '9' }))])
    expect(isMizanError(gone, client.posts.byId, 'GONE') && gone.data.deletedAt instanceof Date).toBe(true)
    expect(isMizanError(missing, client.posts.byId, 'NOT_FOUND') && missing.data.id).toBe('9')
    const conflict = await caught(() => client.posts.rename.mutate({ id: '1', title: 'taken' }))
    if (!isMizanError(conflict, client.posts.rename, 'CONFLICT')) throw conflict
    expect(conflict.data.at).toBeInstanceOf(Date)
    expect(conflict.data.current).toBe('Taken')
  })

  it("types and decodes a form's submit errors", async () => {
    const client = app.client()
    const error = await caught(() => client.form.submit.mutate({ email: 'taken@x.io' }))
    if (!isMizanError(error, client.form.submit, 'CONFLICT')) throw error
    expect(error.data.since).toBeInstanceOf(Date)
    expect(await client.form.submit.mutate({ email: 'new@x.io' })).toEqual({ ok: true })
  })

  it('keeps the raw data when a hostile server sends meta that does not decode', async () => {
    const client = (await import('@mizan/client')).createClient<typeof errorsRouter>({
      url: 'http://mizan.test',
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: 'GONE', status: 410, message: 'x', data: { deletedAt: 'soon' }, meta: { values: { deletedAt: ['nope'] }, v: 999 } } }), {
          status: 410,
          headers: { 'content-type': 'application/json' },
        }),
    })
    const error = await caught(() => client.posts.byId.query({ id: 'gone' }))
    expect(isMizanError(error, 'GONE')).toBe(true)
    expect((error as MizanClientError).data).toBeTypeOf('object')
  })
})

describe('in process', () => {
  it('throws the checked MizanError from the caller', async () => {
    const caller = createCaller(errorsRouter, { user: null })
    const error = await caught(() => caller.posts.byId({ id: 'gone' }))
    expect(isMizanServerError(error, 'GONE')).toBe(true)
    expect((error as MizanError).data).toEqual({ deletedAt: DELETED_AT })
    expect(isMizanServerError(await caught(() => caller.posts.lies()), 'INTERNAL_SERVER_ERROR')).toBe(true)
  })

  it('refuses an errors key that is not a code, or a value that is not a schema, at definition time', async () => {
    const { initMizan } = await import('@mizan/server')
    const m = initMizan()
    expect(() => m.query({ errors: { NOPE: {} } } as never, () => 1)).toThrow(/"NOPE" is not a Mizan error code/)
    expect(() => m.query({ errors: { NOT_FOUND: 'x' } } as never, () => 1)).toThrow(/must be a schema/)
  })
})

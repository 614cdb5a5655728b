import { createCaller, initMizan, isMizanServerError, type FormSchema } from '@mizan/server'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { get, makeRouter, post, startApp, upload, type FormsApp, type Seen } from './app.js'

// A form served over HTTP and called in process: the three procedures, their answers and every
// refusal, with what ran on the server behind each.

const apps: FormsApp[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})
async function start(options?: Parameters<typeof startApp>[0]): Promise<FormsApp> {
  const app = await startApp(options)
  apps.push(app)
  return app
}

const good = { name: 'Ada', email: 'ada@example.com', message: 'Hello there, friend' }

describe('schema', () => {
  it('describes the form: title, labels, widgets, required, options, files, checks, in display order', async () => {
    const app = await start()
    const res = await get(`${app.url}/contact.schema`)
    expect(res.status).toBe(200)
    const schema = res.json.data as FormSchema
    expect(schema).toMatchObject({ title: 'Contact us', description: 'We answer within a day', submitLabel: 'Send' })
    expect(schema.fields.map((field) => field.name)).toEqual(['name', 'email', 'topic', 'address.city', 'address.zip', 'attachment', 'password', 'confirm', 'message'])
    const byName = Object.fromEntries(schema.fields.map((field) => [field.name, field]))
    expect(byName.email).toEqual({ name: 'email', label: 'Email', widget: 'email', required: true, check: true })
    expect(byName.message).toEqual({ name: 'message', label: 'Your message', widget: 'textarea', required: true, check: false })
    expect(byName.topic).toEqual({
      name: 'topic',
      label: 'Topic',
      widget: 'select',
      required: false,
      check: false,
      options: [
        { value: 'sales', label: 'Sales team' },
        { value: 'support', label: 'Support' },
      ],
    })
    expect(byName['address.city']).toMatchObject({ label: 'City', widget: 'text', required: false, check: true })
    expect(byName.attachment).toEqual({ name: 'attachment', label: 'Attachment', widget: 'file', required: false, check: false, accept: 'text/plain', maxSize: 64 * 1024 })
    const json = schema.jsonSchema as { properties: Record<string, Record<string, unknown>>; required: string[] }
    expect(json.required).toEqual(['name', 'email', 'message'])
    expect(json.properties.attachment).toEqual({ type: 'string', format: 'binary', contentMediaType: 'text/plain' })
    expect(json.properties.email).toMatchObject({ type: 'string', format: 'email' })
  })

  it('is the same object on every call (built once)', async () => {
    const caller = createCaller(makeRouter(seen()), { user: null })
    expect(await caller.contact.schema()).toBe(await caller.contact.schema())
  })

  it('answers 404 for a form that does not exist, and for validate of one', async () => {
    const app = await start()
    expect((await get(`${app.url}/nope.schema`)).status).toBe(404)
    expect((await get(`${app.url}/nope.validate`, { values: {} })).status).toBe(404)
    expect((await post(`${app.url}/nope.submit`, good)).status).toBe(404)
  })
})

describe('validate', () => {
  it('answers ok for valid values, runs the checks, and never submits', async () => {
    const app = await start()
    const res = await get(`${app.url}/contact.validate`, { values: { ...good, address: { city: 'Oslo' } } })
    expect(res.status).toBe(200)
    expect(res.json.data).toEqual({ ok: true, issues: [], fieldErrors: {} })
    expect(app.seen.checked.sort()).toEqual(['address.city', 'email', 'name'])
    expect(app.seen.submitted).toEqual([])
  })

  it('says what is wrong without failing: schema issues, refinements and check messages, by full path', async () => {
    const app = await start()
    const res = await post(`${app.url}/contact.validate`, {
      values: { name: 'Ada', email: 'taken@example.com', message: 'short', address: { city: 'Nowhere', zip: 'x' }, password: 'abcd', confirm: 'abce' },
    })
    expect(res.status).toBe(200)
    const data = res.json.data
    expect(data.ok).toBe(false)
    expect(data.fieldErrors).toEqual({
      message: [expect.any(String)],
      'address.zip': [expect.any(String)],
      confirm: ['Passwords differ'],
      email: ['Already registered'],
      'address.city': ['No such city'],
    })
    expect(data.issues).toContainEqual({ path: ['address', 'city'], message: 'No such city' })
    expect(app.seen.submitted).toEqual([])
  })

  it('with field: only that field, and only its check', async () => {
    const app = await start()
    const res = await get(`${app.url}/contact.validate`, { values: { name: 'Ada', email: 'taken@example.com', message: 'short' }, field: 'email' })
    expect(res.json.data).toEqual({ ok: false, issues: [{ path: ['email'], message: 'Already registered' }], fieldErrors: { email: ['Already registered'] } })
    expect(app.seen.checked).toEqual(['email'])
  })

  it('runs a check only once its field passed the schema', async () => {
    const app = await start()
    const res = await get(`${app.url}/contact.validate`, { values: { email: 'not-an-email' }, field: 'email' })
    expect(res.json.data.ok).toBe(false)
    expect(res.json.data.fieldErrors.email).toHaveLength(1)
    expect(app.seen.checked).toEqual([])
    // Nor for a field left out.
    await get(`${app.url}/contact.validate`, { values: {}, field: 'address.city' })
    expect(app.seen.checked).toEqual([])
  })

  it('ignores file fields: files cannot travel in a query', async () => {
    const app = await start()
    const res = await get(`${app.url}/contact.validate`, { values: { ...good, attachment: 'a string, not a file' } })
    expect(res.json.data).toEqual({ ok: true, issues: [], fieldErrors: {} })
  })

  it('refuses a field that is not a field of the form with 400', async () => {
    const app = await start()
    for (const field of ['nope', 'address', '__proto__', 'address.city.x', '']) {
      const res = await get(`${app.url}/contact.validate`, { values: good, field })
      expect(res.status).toBe(400)
      expect(res.json.error.code).toBe('BAD_REQUEST')
    }
    expect((await get(`${app.url}/contact.validate`, { values: good, field: 3 })).status).toBe(400)
    expect((await get(`${app.url}/contact.validate`, [1, 2])).status).toBe(400)
    expect(app.seen.checked).toEqual([])
  })

  it('a check that throws gives the field a generic message, and its error goes to onError', async () => {
    const app = await start()
    const res = await get(`${app.url}/contact.validate`, { values: { ...good, address: { city: 'Atlantis' } }, field: 'address.city' })
    expect(res.status).toBe(200)
    expect(res.json.data.fieldErrors).toEqual({ 'address.city': ['Could not be checked; try again'] })
    expect(res.text).not.toContain('geo service down')
    expect(app.seen.errors.map((event) => [event.path, (event.error as Error).message])).toEqual([['contact.validate', 'geo service down']])
  })

  it('hands checks the call signal: aborting the call aborts the check, and that is no error to report', async () => {
    const seenHere = seen()
    const caller = createCaller(makeRouter(seenHere), { user: null }, { onError: (event) => void seenHere.errors.push(event) })
    const controller = new AbortController()
    const pending = caller.contact.validate({ values: { name: 'slow' }, field: 'name' }, { signal: controller.signal })
    await until(() => seenHere.release !== undefined)
    controller.abort()
    const answer = await pending
    expect(seenHere.signals[0]!.aborted).toBe(true)
    expect(answer.fieldErrors).toEqual({ name: ['Could not be checked; try again'] })
    expect(seenHere.errors).toEqual([])
  })
})

describe('submit', () => {
  it('runs onSubmit with the parsed input, extra fields stripped, and announces what it affects', async () => {
    const app = await start()
    const res = await fetch(`${app.url}/contact.submit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { ...good, isAdmin: true, address: { city: 'Oslo', extra: 1 } } }) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ data: { sent: true, name: 'Ada', city: 'Oslo', file: null } })
    expect(res.headers.get('x-mizan-invalidate')).toContain('messages.list')
    expect(app.seen.submitted).toEqual([{ ...good, topic: 'support', address: { city: 'Oslo' } }])
  })

  it('refuses missing fields and wrong types with 400 and the issues, before any check or onSubmit', async () => {
    const app = await start()
    for (const input of [{}, { name: 'Ada' }, { ...good, email: 42 }, { ...good, message: ['x'] }, { ...good, address: 'Oslo' }, 'text', null, [good]]) {
      const res = await post(`${app.url}/contact.submit`, input)
      expect(res.status).toBe(400)
      expect(res.json.error.data.issues.length).toBeGreaterThan(0)
    }
    expect(app.seen.checked).toEqual([])
    expect(app.seen.submitted).toEqual([])
  })

  it('refuses check messages with 400, full issue paths and fieldErrors by top-level key', async () => {
    const app = await start()
    const res = await post(`${app.url}/contact.submit`, { ...good, email: 'taken@example.com', address: { city: 'Nowhere' } })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'BAD_REQUEST', message: 'Some fields need attention' })
    expect(res.json.error.data.issues).toEqual([
      { path: ['email'], message: 'Already registered' },
      { path: ['address', 'city'], message: 'No such city' },
    ])
    expect(res.json.error.data.fieldErrors).toEqual({ email: ['Already registered'], address: ['No such city'] })
    expect(app.seen.submitted).toEqual([])
  })

  it('a check that throws refuses the submit with the generic message; its error goes to onError', async () => {
    const app = await start()
    const res = await post(`${app.url}/contact.submit`, { ...good, address: { city: 'Atlantis' } })
    expect(res.status).toBe(400)
    expect(res.json.error.data.issues).toEqual([{ path: ['address', 'city'], message: 'Could not be checked; try again' }])
    expect(res.text).not.toContain('geo service down')
    expect(app.seen.errors.some((event) => (event.error as Error).message === 'geo service down')).toBe(true)
    expect(app.seen.submitted).toEqual([])
  })

  it('takes a file through multipart, as any mutation does, within the schema limits', async () => {
    const app = await start()
    const body = new FormData()
    body.set('input', JSON.stringify(good))
    body.set('input.attachment', new File(['hello file'], 'note.txt', { type: 'text/plain' }))
    const res = await upload(`${app.url}/contact.submit`, body)
    expect(res.status).toBe(200)
    expect(res.json.data.file).toBe('hello file')
    const wrongType = new FormData()
    wrongType.set('input', JSON.stringify(good))
    wrongType.set('input.attachment', new File(['x'], 'x.png', { type: 'image/png' }))
    expect((await upload(`${app.url}/contact.submit`, wrongType)).status).toBe(400)
  })

  it('refuses a 1 MB field value with 413 (the body limit), never a 5xx', async () => {
    const app = await start()
    const huge = 'x'.repeat(1024 * 1024)
    const res = await post(`${app.url}/contact.submit`, { ...good, message: huge })
    expect(res.status).toBe(413)
    const validate = await post(`${app.url}/contact.validate`, { values: { ...good, message: huge }, field: 'message' })
    expect(validate.status).toBe(413)
    // In the URL of a GET, it is over the URL limit.
    expect((await get(`${app.url}/contact.validate`, { values: { message: 'x'.repeat(10_000) } })).status).toBe(414)
    expect(app.seen.submitted).toEqual([])
  })
})

describe('auth, manifest and the in-process caller', () => {
  it('auth applies to all three procedures', async () => {
    const app = await start()
    expect((await get(`${app.url}/secret.schema`)).status).toBe(401)
    expect((await get(`${app.url}/secret.validate`, { values: {} })).status).toBe(401)
    expect((await post(`${app.url}/secret.submit`, { code: 'x' })).status).toBe(401)
    const auth = { authorization: 'Bearer ada' }
    expect((await get(`${app.url}/secret.schema`, undefined, auth)).status).toBe(200)
    expect((await post(`${app.url}/secret.submit`, { code: 'x' }, auth)).json).toEqual({ data: 'ada' })
  })

  it('lists forms in the manifest, and their procedures as procedures', async () => {
    const app = await start()
    const manifest = (await get(`${app.url}/_manifest`)).json
    expect(manifest.forms).toEqual({
      contact: { title: 'Contact us', fields: ['name', 'email', 'topic', 'address.city', 'address.zip', 'attachment', 'password', 'confirm', 'message'] },
      secret: { title: 'Secret', fields: ['code'] },
    })
    expect(manifest.procedures['contact.schema']).toMatchObject({ kind: 'query' })
    expect(manifest.procedures['contact.validate']).toMatchObject({ kind: 'query' })
    expect(manifest.procedures['contact.submit']).toMatchObject({ kind: 'mutation', affects: ['messages.list'], files: { maxFileSize: 128 * 1024 } })
    expect(manifest.routers).toContain('contact')
  })

  it('the in-process caller runs the same path: checks, then onSubmit', async () => {
    const seenHere = seen()
    const caller = createCaller(makeRouter(seenHere), { user: null })
    await expect(caller.contact.submit({ ...good, email: 'taken@example.com' })).rejects.toSatisfy((error) => isMizanServerError(error, 'BAD_REQUEST'))
    expect(await caller.contact.submit(good)).toEqual({ sent: true, name: 'Ada', city: null, file: null })
    expect(seenHere.submitted).toHaveLength(1)
  })
})

describe('definition', () => {
  const m = initMizan()
  it('runs the builder middlewares for each procedure', async () => {
    const paths: string[] = []
    const form = m
      .use(async ({ path, next }) => {
        paths.push(path)
        return next()
      })
      .form({ title: 'T', input: z.object({ q: z.string() }), onSubmit: () => 1 })
    const caller = createCaller(m.router({ form }), {})
    await caller.form.schema()
    await caller.form.validate({ values: {} })
    await caller.form.submit({ q: 'x' })
    expect(paths).toEqual(['form.schema', 'form.validate', 'form.submit'])
  })

  it('refuses options it does not know, and a form without title or onSubmit', () => {
    const input = z.object({ q: z.string() })
    expect(() => m.form({ title: 'T', input, onSubmit: () => 1, cache: { ttl: 1 } } as never)).toThrow('Mizan: form "T": unknown option "cache"')
    expect(() => m.form({ input, onSubmit: () => 1 } as never)).toThrow('needs a title')
    expect(() => m.form({ title: 'T', input } as never)).toThrow('form "T": onSubmit must be a function')
    expect(() => m.form({ title: 'T', input, auth: 'staff', onSubmit: () => 1 })).toThrow('auth by role needs initMizan({ roles')
  })
})

function seen(): Seen {
  return { submitted: [], checked: [], signals: [], errors: [] }
}

/** Waits for a condition an asynchronous step makes true, a macrotask at a time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}

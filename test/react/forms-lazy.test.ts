import type { FormSchema } from '@mizan/server'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { FormStore } from '../../packages/react/src/forms/store.js'

// The browser's schema and what validates with it load on demand once the form's schema arrived:
// before that nothing validates, and what the user did meanwhile is validated when it is ready.

const schema: FormSchema = {
  title: 'Contact',
  submitLabel: 'Send',
  jsonSchema: z.toJSONSchema(z.object({ email: z.email(), name: z.string().min(1) }), { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>,
  fields: [
    { name: 'email', label: 'Email', widget: 'email', required: true, check: true, messages: { invalid_format: 'Enter an email address' } },
    { name: 'name', label: 'Name', widget: 'text', required: true, check: false },
  ],
}

function store(mode: 'change' | 'blur' | 'submit' = 'blur') {
  const calls = { validate: [] as unknown[], submit: [] as unknown[] }
  const form = new FormStore({}, { mode, checkDelay: 0 }, {
    validate: async (input) => (calls.validate.push(input), { ok: true, issues: [], fieldErrors: {} }),
    submit: async (values) => (calls.submit.push(values), { sent: true }),
  })
  return { form, calls }
}

describe('forms: the browser schema loads on demand', () => {
  it('validates nothing before it is ready, then the fields touched meanwhile, and asks their checks then', async () => {
    const { form, calls } = store()
    form.setSchema(schema)
    form.setValue('email', 'nope')
    form.blur('email')
    // Synchronously after the schema arrived, its code cannot have loaded yet.
    expect(form.getSnapshot().ready).toBe(false)
    expect(form.getSnapshot().errors).toEqual({})
    expect(form.passes({ email: 'ada@example.com', name: 'Ada' })).toBe(false)
    await vi.waitUntil(() => form.getSnapshot().ready)
    expect(form.getSnapshot().errors).toEqual({ email: 'Enter an email address' })
    // The browser found a problem: no server check is asked.
    expect(calls.validate).toEqual([])
    expect(form.passes({ email: 'ada@example.com', name: 'Ada' })).toBe(true)
  })

  it('a field fixed before it is ready is checked by the server once the browser finds it fine', async () => {
    const { form, calls } = store('change')
    form.setSchema(schema)
    form.setValue('email', 'nope')
    form.setValue('email', 'ada@example.com')
    await vi.waitUntil(() => calls.validate.length > 0)
    expect(form.getSnapshot().errors).toEqual({})
    expect(calls.validate).toEqual([{ values: { email: 'ada@example.com' }, field: 'email' }])
  })

  it('a submit before it is ready waits for it, and sends nothing the browser refuses', async () => {
    const { form, calls } = store()
    form.setSchema(schema)
    const outcome = await form.submit()
    expect(outcome).toEqual({ ok: false, firstInvalid: 'email' })
    expect(form.getSnapshot().errors).toEqual({ email: 'Required', name: 'Required' })
    expect(calls.submit).toEqual([])
    form.setValue('email', 'ada@example.com')
    form.setValue('name', 'Ada')
    expect(await form.submit()).toEqual({ ok: true })
    expect(calls.submit).toEqual([{ email: 'ada@example.com', name: 'Ada' }])
  })
})

// The app the forms tests run against: a contact form (nested fields, a list, a file, server
// checks, one of them slow on purpose) that affects a list of messages, and a plain router that is
// no form.
import { z } from 'zod'
import { deferred, field, formRouter, m, serve } from './forms-support.js'

/** Gates the `email` check opens for `slow@example.com`, so a test can hold it in flight. */
export const gates = { slowEntered: deferred(), slowAborted: deferred(), slowRelease: deferred() }

export function resetGates() {
  gates.slowEntered = deferred()
  gates.slowAborted = deferred()
  gates.slowRelease = deferred()
}

const messages: { name: string; attachment?: string }[] = []

export const contactInput = z.object({
  name: z.string().min(1, 'Name is required'),
  email: z.email('Not an email address'),
  age: z.number().int().min(18).optional(),
  message: z.string().min(10, 'At least 10 characters'),
  address: z.object({ city: z.string().min(2, 'City is too short') }).optional(),
  items: z.array(z.object({ name: z.string().min(1) })).optional(),
  attachment: z.file().max(1000).optional(),
})

export const formsRouter = m.router({
  messages: m.router({ list: m.query(() => messages.map((entry) => entry.name)) }),
  contact: formRouter({
    title: 'Contact us',
    submitLabel: 'Send',
    input: contactInput,
    fields: [
      field('name', { description: 'As on your passport' }),
      field('email', { widget: 'email', check: true }),
      field('age', { widget: 'number', required: false }),
      field('message', { widget: 'textarea' }),
      field('address.city', { required: false, check: true }),
      field('items.0.name', { label: 'First item', required: false, check: true }),
      field('attachment', { widget: 'file', required: false, accept: 'text/plain', maxSize: 1000 }),
    ],
    checks: {
      email: async (email, { signal }) => {
        if (email === 'slow@example.com') {
          signal.addEventListener('abort', () => gates.slowAborted.resolve())
          gates.slowEntered.resolve()
          await gates.slowRelease.promise
          return 'Slow answer'
        }
        return email === 'taken@example.com' ? 'Already registered' : undefined
      },
      'address.city': (city) => (city === 'Atlantis' ? 'We do not deliver there' : undefined),
      'items.0.name': (name) => (name === 'Unobtainium' ? 'Not in stock' : undefined),
    },
    affects: ['messages.list'],
    onSubmit: async (input) => {
      messages.push({ name: input.name, ...(input.attachment ? { attachment: await input.attachment.text() } : {}) })
      return { sent: true as const, count: messages.length, attachment: input.attachment ? await input.attachment.text() : null }
    },
  }),
  posts: m.router({ list: m.query(() => ['a']), create: m.mutation({ input: z.object({ title: z.string() }) }, ({ input }) => input.title) }),
})

export type FormsRouter = typeof formsRouter

/** Starts the app. */
export const startFormsApp = () => serve(formsRouter)

/** The messages the form stored. */
export const storedMessages = () => messages

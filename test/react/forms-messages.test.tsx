// @vitest-environment jsdom
import { MizanForm, useForm } from '@mizan/react/forms'
import type { FormSchema } from '@mizan/server'
import { useQuery } from '@tanstack/react-query'
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import fc from 'fast-check'
import { reactApp } from './forms-render.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { cleanValues } from '../../packages/react/src/forms/clean.js'
import { clientIssues } from '../../packages/react/src/forms/schema.js'
import { m, serve } from './forms-support.js'

// The browser says what the server would: the custom messages of a real `m.form`'s zod schema
// travel in its `FormSchema`, and the browser shows them for its own issues, before any request.

const entries: string[] = []

const feedback = m.form({
  title: 'Feedback',
  submitLabel: 'Send',
  input: z.object({
    email: z.email('Enter an email address'),
    message: z.string().min(10, 'At least 10 characters').max(200, 'At most 200 characters'),
    topic: z.enum(['sales', 'support'], 'Pick a topic'),
    seats: z
      .number('Enter a number')
      .int('Whole numbers only')
      .min(1, 'At least 1')
      .max(10, { error: (issue) => `At most ${(issue as { maximum?: number }).maximum}` }),
    tags: z.array(z.string().min(2, 'A tag has 2 letters or more')).max(3, 'Three tags at most').optional(),
  }),
  fields: { email: { check: (email) => (email === 'taken@example.com' ? 'Already registered' : undefined) } },
  affects: ['feedback.list'],
  onSubmit: ({ input }) => {
    entries.push(input.message)
    return { count: entries.length }
  },
})

const router = m.router({ feedback: m.router({ form: feedback, list: m.query(() => [...entries]) }) })

let app: Awaited<ReturnType<typeof serve<typeof router>>>
let schema: FormSchema
beforeAll(async () => {
  app = await serve(router)
  schema = await app.client().feedback.form.schema.query()
})
afterAll(() => app.close())
afterEach(cleanup)

describe('forms: custom messages', () => {
  it('travel in the schema, keyed by the issue code they answer', () => {
    const messages = Object.fromEntries(schema.fields.map((field) => [field.name, field.messages]))
    expect(messages).toEqual({
      email: { invalid_type: 'Enter an email address', invalid_format: 'Enter an email address' },
      message: { too_small: 'At least 10 characters', too_big: 'At most 200 characters' },
      topic: { invalid_value: 'Pick a topic' },
      seats: { invalid_type: 'Enter a number', 'invalid_type:int': 'Whole numbers only', too_small: 'At least 1', too_big: 'At most 10' },
      tags: { too_big: 'Three tags at most', 'item.too_small': 'A tag has 2 letters or more' },
    })
  })

  /** The first message each side gives about `field` when it holds `value` (undefined: none). */
  async function bothSides(field: string, value: unknown): Promise<[string | undefined, string | undefined]> {
    const values = { [field]: value }
    const under = (path: readonly (string | number)[]) => path[0] === field
    const browser = clientIssues(schema, cleanValues(schema, values)).find((issue) => under(issue.path))?.message
    const answer = await app.client().feedback.form.validate.query({ values, field })
    const server = answer.issues.find((issue) => under(issue.path))?.message
    return [browser, server]
  }

  const cases: [string, fc.Arbitrary<unknown>][] = [
    ['email', fc.oneof(fc.emailAddress(), fc.string({ maxLength: 30 }), fc.constantFrom('', 'a@b', 'ada@example.com'))],
    ['message', fc.oneof(fc.string({ maxLength: 230 }), fc.string({ minLength: 195, maxLength: 205 }))],
    ['topic', fc.oneof(fc.constantFrom('sales', 'support', '', 'Sales'), fc.string({ maxLength: 8 }))],
    ['seats', fc.oneof(fc.integer({ min: -20, max: 30 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }))],
    ['tags', fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 })],
  ]
  for (const [field, values] of cases) {
    it(`the browser shows what the server's validate answers, for any value of ${field}`, async () => {
      await fc.assert(
        fc.asyncProperty(values, async (value) => {
          const [browser, server] = await bothSides(field, value)
          expect(browser).toBe(server)
        }),
        { seed: 20260516, numRuns: 80 },
      )
    })
  }

  it('a required field never filled says the message the server gives for its type', async () => {
    for (const field of ['email', 'topic', 'seats']) {
      const [browser, server] = await bothSides(field, undefined)
      expect(browser).toBe(server)
      expect(browser).not.toMatch(/^Invalid/)
    }
  })
})

describe('useForm against a real m.form', () => {
  function setup() {
    return reactApp<typeof router>(app.client())
  }
  const fill = (label: RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } })
  const requests = () => ({ validate: app.calls('feedback.form.validate'), submit: app.calls('feedback.form.submit') })

  it('MizanForm shows the custom messages before any request', async () => {
    const { api, view } = setup()
    view(<MizanForm form={api.feedback.form} />)
    await screen.findByRole('button', { name: 'Send' })
    const before = requests()
    fill(/^Message/, 'Too short')
    fireEvent.blur(screen.getByLabelText(/^Message/))
    expect(await screen.findByText('At least 10 characters')).toBeTruthy()
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })))
    expect(await screen.findByText('Enter an email address')).toBeTruthy()
    expect(screen.getByText('Pick a topic')).toBeTruthy()
    expect(screen.getByText('Enter a number')).toBeTruthy()
    fill(/^Seats/, '2.5')
    expect(await screen.findByText('Whole numbers only')).toBeTruthy()
    expect(requests()).toEqual(before)
  })

  it('drives the form: a browser error with no request, a server check on the field, a submit that refetches what it affects', async () => {
    const { api, view } = setup()
    const sent: unknown[] = []
    function Page() {
      const list = useQuery(api.feedback.list.queryOptions())
      const form = useForm(api.feedback.form, { defaultValues: { topic: 'support', seats: 2 }, onSuccess: (result) => sent.push(result) })
      if (form.schema === undefined) return <p>loading</p>
      return (
        <form onSubmit={form.submit}>
          <ul aria-label="entries">{list.data?.map((entry) => <li key={entry}>{entry}</li>)}</ul>
          <label htmlFor={form.register('email').id}>Email</label>
          <input {...form.register('email')} />
          <span data-testid="email-error">{form.errors.email ?? ''}</span>
          <label htmlFor={form.register('message').id}>Message</label>
          <textarea {...form.register('message')} />
          <span data-testid="message-error">{form.errors.message ?? ''}</span>
          <button type="submit">Send</button>
        </form>
      )
    }
    view(<Page />)
    await screen.findByRole('button', { name: 'Send' })
    await waitFor(() => expect(app.calls('feedback.list')).toBeGreaterThan(0))
    const errorOf = (name: string) => screen.getByTestId(`${name}-error`).textContent
    const before = requests()
    // The browser's own check, in the server's words, and nothing sent.
    fill(/^Email/, 'nope')
    fireEvent.blur(screen.getByLabelText(/^Email/))
    await waitFor(() => expect(errorOf('email')).toBe('Enter an email address'))
    expect(requests()).toEqual(before)
    // The server's check of the field, asked through validate.
    fill(/^Email/, 'taken@example.com')
    fireEvent.blur(screen.getByLabelText(/^Email/))
    await waitFor(() => expect(errorOf('email')).toBe('Already registered'))
    expect(requests().validate).toBe(before.validate + 1)
    // A value the server takes, then a submit that refetches the list it affects.
    fill(/^Email/, 'ada@example.com')
    fill(/^Message/, 'A message long enough')
    const listed = app.calls('feedback.list')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })))
    expect(await within(screen.getByRole('list', { name: 'entries' })).findByText('A message long enough')).toBeTruthy()
    expect(app.calls('feedback.list')).toBe(listed + 1)
    expect(sent).toEqual([{ count: entries.length }])
    expect(errorOf('email')).toBe('')
  })
})

// @vitest-environment jsdom
import { mizanFormValidators, mizanResolver } from '@mizan/react/forms'
import { useForm as useTanStackForm } from '@tanstack/react-form'
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { useForm as useHookForm } from 'react-hook-form'
import { reactApp } from './forms-render.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFormsApp, type FormsRouter } from './forms-app.js'

// The same server-declared form driven by react-hook-form (mizanResolver) and by TanStack Form
// (mizanFormValidators), real libraries against a real server.

let app: Awaited<ReturnType<typeof startFormsApp>>
beforeAll(async () => {
  app = await startFormsApp()
})
afterAll(() => app.close())
afterEach(cleanup)

function setup() {
  return reactApp<FormsRouter>(app.client())
}

const fill = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } })

describe('react-hook-form with mizanResolver', () => {
  it('checks in the browser first, then asks the server’s checks, then submits what passed', async () => {
    const { api, view } = setup()
    const sent: unknown[] = []
    function Contact() {
      const send = api.contact.submit.useMutation()
      const { register, handleSubmit, formState } = useHookForm({
        resolver: mizanResolver(api.contact),
        defaultValues: { name: '', email: '', message: 'A long enough message', age: '' as unknown as number },
      })
      return (
        <form onSubmit={handleSubmit(async (values) => sent.push(await send.mutateAsync(values)))}>
          <label htmlFor="name">Name</label>
          <input id="name" {...register('name')} />
          <label htmlFor="email">Email</label>
          <input id="email" {...register('email')} />
          <label htmlFor="city">City</label>
          <input id="city" {...register('address.city')} />
          <p data-testid="errors">{['name', 'email'].map((name) => formState.errors[name as 'name']?.message ?? '-').join('|') + '|' + (formState.errors.address?.city?.message ?? '-')}</p>
          <button type="submit">Send</button>
        </form>
      )
    }
    view(<Contact />)
    const errors = () => screen.getByTestId('errors').textContent
    const before = { submit: app.calls('contact.submit'), validate: app.calls('contact.validate') }
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(errors()).toBe('Too small: expected string to have >=1 characters|Invalid email address|-'))
    // The browser saw problems: nothing was asked of the server.
    expect(app.calls('contact.submit')).toBe(before.submit)
    expect(app.calls('contact.validate')).toBe(before.validate)
    fill('Name', 'Ada')
    fill('Email', 'taken@example.com')
    fill('City', 'Atlantis')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    // The server's checks, by full path, through validate.
    await waitFor(() => expect(errors()).toBe('-|Already registered|We do not deliver there'))
    expect(app.calls('contact.submit')).toBe(before.submit)
    fill('Email', 'ada@example.com')
    fill('City', 'Oslo')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(sent).toEqual([expect.objectContaining({ sent: true })]))
    expect(app.calls('contact.submit')).toBe(before.submit + 1)
  })
})

describe('TanStack Form with mizanFormValidators', () => {
  it('validates with the rebuilt schema and the server’s checks, and submits what passed', async () => {
    const { api, view } = setup()
    const sent: unknown[] = []
    function Contact() {
      const send = api.contact.submit.useMutation()
      const form = useTanStackForm({
        defaultValues: { name: '', email: '', message: 'A long enough message' },
        validators: mizanFormValidators(api.contact, { checkDelay: 0 }),
        onSubmit: async ({ value }) => void sent.push(await send.mutateAsync(value)),
      })
      return (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void form.handleSubmit()
          }}
        >
          {(['name', 'email'] as const).map((name) => (
            <form.Field key={name} name={name}>
              {(field) => (
                <div>
                  <label htmlFor={name}>{name === 'name' ? 'Name' : 'Email'}</label>
                  <input id={name} value={field.state.value} onChange={(event) => field.handleChange(event.target.value)} onBlur={field.handleBlur} />
                  <span data-testid={`error:${name}`}>{/* TanStack lists each validator's error: onChange's and onSubmit's may say the same */ field.state.meta.errors[0] ?? ''}</span>
                </div>
              )}
            </form.Field>
          ))}
          <button type="submit">Send</button>
        </form>
      )
    }
    view(<Contact />)
    const errorOf = (name: string) => screen.getByTestId(`error:${name}`).textContent
    const before = app.calls('contact.submit')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(errorOf('email')).toBe('Invalid email address'))
    expect(errorOf('name')).toBe('Too small: expected string to have >=1 characters')
    fill('Name', 'Ada')
    fill('Email', 'taken@example.com')
    await waitFor(() => expect(errorOf('email')).toBe('Already registered'))
    expect(errorOf('name')).toBe('')
    fill('Email', 'ada@example.com')
    await waitFor(() => expect(errorOf('email')).toBe(''))
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(sent).toEqual([expect.objectContaining({ sent: true })]))
    expect(app.calls('contact.submit')).toBe(before + 1)
  })
})

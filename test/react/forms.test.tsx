// @vitest-environment jsdom
import { MizanForm, useForm } from '@mizan/react/forms'
import { useQuery } from '@tanstack/react-query'
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { reactApp } from './forms-render.js'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { gates, resetGates, startFormsApp, storedMessages, type FormsRouter } from './forms-app.js'

// useForm and MizanForm against a real server and client: the contact form of forms-app.ts.

let app: Awaited<ReturnType<typeof startFormsApp>>
beforeAll(async () => {
  app = await startFormsApp()
})
afterAll(() => app.close())
beforeEach(resetGates)
afterEach(cleanup)

function setup() {
  return reactApp<FormsRouter>(app.client())
}

/** The URL inputs of the `validate` requests so far. */
function validateInputs(): unknown[] {
  return app.requests.filter((request) => request.paths.includes('contact.validate')).map((request) => JSON.parse(new URL(request.url).searchParams.get('input')!))
}

// The browser's messages are zod's own: the custom ones of the server's schema travel with its answers.
const TOO_SHORT = 'Too small: expected string to have >=1 characters'
const VALID = { name: 'Ada', email: 'ada@example.com', message: 'Hello there, Mizan!' }

function fill(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } })
}

describe('useForm', () => {
  /** A small hand-made form: name and email inputs with their errors. */
  function ContactFields({ mode, checkDelay }: { mode?: 'change' | 'blur' | 'submit'; checkDelay?: number }) {
    const { api } = current
    const form = useForm(api.contact, { mode, checkDelay, defaultValues: { message: 'A long enough message' } })
    if (form.schema === undefined) return <p>loading</p>
    return (
      <form onSubmit={form.submit}>
        <label htmlFor={form.register('name').id}>Name</label>
        <input {...form.register('name')} />
        <span data-testid="name-error">{form.errors.name ?? ''}</span>
        <label htmlFor={form.register('email').id}>Email</label>
        <input {...form.register('email')} />
        <span data-testid="email-error">{form.errors.email ?? ''}</span>
        <span data-testid="checking">{String(form.isChecking)}</span>
        <span data-testid="result">{form.result ? `sent ${form.result.count}` : ''}</span>
        <button type="submit">Send</button>
      </form>
    )
  }
  let current: ReturnType<typeof setup>
  const errorOf = (name: string) => screen.getByTestId(`${name}-error`).textContent

  it('in blur mode (the default) shows an error when the field loses focus, not while typing', async () => {
    current = setup()
    current.view(<ContactFields />)
    await screen.findByLabelText('Email')
    fill('Email', 'nope')
    expect(errorOf('email')).toBe('')
    fireEvent.blur(screen.getByLabelText('Email'))
    // The browser's schema loads once the form's schema has arrived; a field typed meanwhile is validated then.
    await waitFor(() => expect(errorOf('email')).toBe('Invalid email address'))
    // Once shown, the error follows the typing, so it leaves as soon as the value is fixed.
    fill('Email', 'ada@example.com')
    expect(errorOf('email')).toBe('')
  })

  it('in change mode shows an error as the user types', async () => {
    current = setup()
    current.view(<ContactFields mode="change" />)
    await screen.findByLabelText('Email')
    fill('Email', 'nope')
    await waitFor(() => expect(errorOf('email')).toBe('Invalid email address'))
    fill('Name', 'x')
    fill('Name', '')
    expect(errorOf('name')).toBe(TOO_SHORT)
  })

  it('in submit mode shows nothing before a submit, then follows every change', async () => {
    current = setup()
    current.view(<ContactFields mode="submit" />)
    await screen.findByLabelText('Email')
    fill('Email', 'nope')
    fireEvent.blur(screen.getByLabelText('Email'))
    expect(errorOf('email')).toBe('')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(errorOf('email')).toBe('Invalid email address'))
    expect(errorOf('name')).toBe('Required')
    fill('Name', 'Ada')
    expect(errorOf('name')).toBe('')
  })

  it('refuses to submit while the browser sees a problem: no request leaves, the focus goes to the first invalid field', async () => {
    current = setup()
    current.view(<ContactFields />)
    await screen.findByLabelText('Email')
    const before = { submit: app.calls('contact.submit'), validate: app.calls('contact.validate') }
    fill('Name', 'Ada')
    fill('Email', 'not an email')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    expect(errorOf('email')).toBe('Invalid email address')
    expect(document.activeElement).toBe(screen.getByLabelText('Email'))
    expect(app.calls('contact.submit')).toBe(before.submit)
    expect(app.calls('contact.validate')).toBe(before.validate)
  })

  it('debounces server checks: only the last of fast keystrokes reaches validate', async () => {
    current = setup()
    current.view(<ContactFields mode="change" checkDelay={20} />)
    await screen.findByLabelText('Email')
    const before = validateInputs().length
    act(() => {
      for (const typed of ['t@example.com', 'ta@example.com', 'taken@example.com']) fill('Email', typed)
    })
    expect(screen.getByTestId('checking').textContent).toBe('true')
    await waitFor(() => expect(errorOf('email')).toBe('Already registered'))
    expect(validateInputs().slice(before)).toEqual([{ values: { email: 'taken@example.com', message: 'A long enough message' }, field: 'email' }])
    expect(screen.getByTestId('checking').textContent).toBe('false')
  })

  it('aborts a check the user typed past: its request is cancelled and its late answer ignored', async () => {
    current = setup()
    current.view(<ContactFields mode="change" checkDelay={0} />)
    await screen.findByLabelText('Email')
    fill('Email', 'slow@example.com')
    await act(() => gates.slowEntered.promise)
    fill('Email', 'taken@example.com')
    // The server saw the first request go away, and answered the second.
    await act(() => gates.slowAborted.promise)
    await waitFor(() => expect(errorOf('email')).toBe('Already registered'))
    gates.slowRelease.resolve()
    fill('Email', 'free@example.com')
    await waitFor(() => expect(screen.getByTestId('checking').textContent).toBe('false'))
    expect(errorOf('email')).toBe('')
  })

  it('sends the values and shows the answer once the browser and the server agree', async () => {
    current = setup()
    current.view(<ContactFields />)
    await screen.findByLabelText('Email')
    fill('Name', 'Grace')
    fill('Email', 'grace@example.com')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(screen.getByTestId('result').textContent).toMatch(/^sent \d+$/))
    expect(storedMessages().at(-1)).toEqual({ name: 'Grace' })
  })
})

describe('server issues', () => {
  function Nested() {
    const { api } = current
    const form = useForm(api.contact, { mode: 'submit', defaultValues: VALID })
    if (form.schema === undefined) return <p>loading</p>
    const shown = (name: Parameters<typeof form.register>[0]) => (
      <span key={name} data-testid={`error:${name}`}>
        {form.errors[name] ?? ''}
      </span>
    )
    return (
      <div>
        <input aria-label="City" {...form.register('address.city')} />
        <input aria-label="Item" {...form.register('items.0.name')} />
        <input aria-label="Name" {...form.register('name')} />
        {shown('address.city')}
        {shown('items.0.name')}
        {shown('name')}
        <button onClick={() => void form.submit()}>Send</button>
        <button onClick={() => form.setValue('address.city', 'Oslo')}>Oslo</button>
      </div>
    )
  }
  let current: ReturnType<typeof setup>
  const errorOf = (name: string) => screen.getByTestId(`error:${name}`).textContent

  it('land on nested fields by full path, merge with the browser’s, and leave when their value changes', async () => {
    current = setup()
    current.view(<Nested />)
    await screen.findByLabelText('City')
    fill('City', 'Atlantis')
    fill('Item', 'Unobtainium')
    const before = app.calls('contact.submit')
    await act(async () => fireEvent.click(screen.getByText('Send')))
    await waitFor(() => expect(errorOf('address.city')).toBe('We do not deliver there'))
    expect(errorOf('items.0.name')).toBe('Not in stock')
    expect(app.calls('contact.submit')).toBe(before + 1)
    // A browser issue on another field joins the server's: both show.
    fill('Name', '')
    expect(errorOf('name')).toBe(TOO_SHORT)
    expect(errorOf('address.city')).toBe('We do not deliver there')
    // Changing the city drops the server's word on it; the other server issue stays.
    act(() => screen.getByText('Oslo').click())
    expect(errorOf('address.city')).toBe('')
    expect(errorOf('items.0.name')).toBe('Not in stock')
    expect(errorOf('name')).toBe(TOO_SHORT)
  })
})

describe('MizanForm', () => {
  it('draws every field accessibly: labels, descriptions and errors linked, aria-invalid, class names only', async () => {
    const { api, view } = setup()
    const { container } = view(<MizanForm form={api.contact} className="contact" />)
    await screen.findByRole('heading', { name: 'Contact us' })
    const email = screen.getByLabelText(/^Email/)
    expect(email.getAttribute('type')).toBe('email')
    expect(email.getAttribute('aria-invalid')).toBe('false')
    expect(screen.getByLabelText(/^Message/).tagName).toBe('TEXTAREA')
    expect(screen.getByLabelText(/^Age/).getAttribute('type')).toBe('number')
    expect(screen.getByLabelText(/^Attachment/).getAttribute('accept')).toBe('text/plain')
    const name = screen.getByLabelText(/^Name/)
    expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toBe('As on your passport')
    fireEvent.change(email, { target: { value: 'nope' } })
    fireEvent.blur(email)
    expect(email.getAttribute('aria-invalid')).toBe('true')
    const describedBy = email.getAttribute('aria-describedby')!.split(' ')
    const error = describedBy.map((id) => document.getElementById(id)).find((element) => element?.className === 'mizan-field-error')
    expect(error?.textContent).toBe('Invalid email address')
    expect(container.querySelector('form')?.className).toBe('mizan-form contact')
    expect(container.querySelector('[style]')).toBeNull()
    expect(screen.getByRole('button', { name: 'Send' }).className).toBe('mizan-form-submit')
  })

  it('moves the focus to the first invalid field after a refused submit, without a request', async () => {
    const { api, view } = setup()
    view(<MizanForm form={api.contact} />)
    await screen.findByRole('button', { name: 'Send' })
    const before = app.calls('contact.submit')
    fill(/^Email/, 'ada@example.com')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })))
    expect(document.activeElement).toBe(screen.getByLabelText(/^Name/))
    expect(app.calls('contact.submit')).toBe(before)
  })

  it('after a submit refused by the server, focuses the first field it named', async () => {
    const { api, view } = setup()
    view(<MizanForm form={api.contact} mode="submit" defaultValues={{ ...VALID, address: { city: 'Atlantis' } }} />)
    await act(async () => fireEvent.click(await screen.findByRole('button', { name: 'Send' })))
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText(/^City/)))
    expect(screen.getByLabelText(/^City/).getAttribute('aria-invalid')).toBe('true')
  })

  it('refetches what the form affects after a successful submit, and calls onSuccess', async () => {
    const { api, view } = setup()
    const results: unknown[] = []
    function Page() {
      const list = useQuery(api.messages.list.queryOptions())
      return (
        <div>
          <ul aria-label="messages">{list.data?.map((entry, i) => <li key={i}>{entry}</li>)}</ul>
          <MizanForm form={api.contact} defaultValues={VALID} onSuccess={(result) => results.push(result)} />
        </div>
      )
    }
    view(<Page />)
    await screen.findByRole('button', { name: 'Send' })
    await waitFor(() => expect(app.calls('messages.list')).toBeGreaterThan(0))
    const before = app.calls('messages.list')
    fill(/^Name/, 'Refetched')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })))
    await screen.findByText('Refetched')
    expect(app.calls('messages.list')).toBe(before + 1)
    expect(results).toEqual([{ sent: true, count: storedMessages().length, attachment: null }])
  })

  it('sends a file field: the client uploads it by itself', async () => {
    const { api, view } = setup()
    const results: { attachment: string | null }[] = []
    view(<MizanForm form={api.contact} defaultValues={VALID} onSuccess={(result) => results.push(result)} />)
    const input = (await screen.findByLabelText(/^Attachment/)) as HTMLInputElement
    // Too large for the field's maxSize: refused in the browser, nothing sent.
    const before = app.calls('contact.submit')
    fireEvent.change(input, { target: { files: [new File(['x'.repeat(2000)], 'big.txt', { type: 'text/plain' })] } })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })))
    expect(screen.getByText('The file is larger than 1000 bytes')).toBeTruthy()
    expect(app.calls('contact.submit')).toBe(before)
    fireEvent.change(input, { target: { files: [new File(['hello file'], 'note.txt', { type: 'text/plain' })] } })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send' })))
    await waitFor(() => expect(results).toEqual([expect.objectContaining({ attachment: 'hello file' })]))
    const upload = app.requests.filter((request) => request.paths.includes('contact.submit')).at(-1)!
    expect(upload.body).toBeInstanceOf(FormData)
  })
})

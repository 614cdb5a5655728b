import { createMizanServer, initMizan, type ErrorEvent, type MizanServer } from '@mizan/server'
import { z } from 'zod'

// The app every forms test serves: a contact form whose checks and onSubmit record what ran, so
// a test can prove `validate` never submits and a refused submit never reaches onSubmit.

export type Ctx = { user: { id: string } | null }
const m = initMizan<Ctx>({ transformer: 'json' })

/** What the app saw: onSubmit calls, check calls by field, the signals checks got, errors reported. */
export interface Seen {
  submitted: unknown[]
  checked: string[]
  signals: AbortSignal[]
  errors: ErrorEvent[]
  /** Resolves a check of `slow` that waits for it. */
  release?: () => void
}

export function makeRouter(seen: Seen) {
  const contact = m.form({
    title: 'Contact us',
    description: 'We answer within a day',
    submitLabel: 'Send',
    input: z
      .object({
        name: z.string().min(1),
        email: z.email(),
        message: z.string().min(10),
        topic: z.enum(['sales', 'support']).default('support'),
        address: z.object({ city: z.string().min(2), zip: z.string().regex(/^\d{4}$/).optional() }).optional(),
        attachment: z.file().max(64 * 1024).mime(['text/plain']).optional(),
        password: z.string().min(4).optional(),
        confirm: z.string().optional(),
      })
      .refine((values) => values.password === values.confirm, { message: 'Passwords differ', path: ['confirm'] }),
    files: { maxFileSize: 128 * 1024 },
    affects: ['messages.list'],
    fields: {
      message: { widget: 'textarea', label: 'Your message', order: 10 },
      email: {
        check: async (email, { signal }) => {
          seen.checked.push('email')
          seen.signals.push(signal)
          return email.startsWith('taken@') ? 'Already registered' : undefined
        },
      },
      'address.city': {
        check: (city) => {
          seen.checked.push('address.city')
          if (city === 'Atlantis') throw new Error('geo service down')
          return city === 'Nowhere' ? 'No such city' : undefined
        },
      },
      name: {
        check: (name, { signal }) => {
          seen.checked.push('name')
          seen.signals.push(signal)
          if (name !== 'slow') return undefined
          return new Promise((resolve, reject) => {
            seen.release = () => resolve(undefined)
            // A check that gives up when its caller does (as a fetch given the signal would).
            signal.addEventListener('abort', () => reject(signal.reason))
          })
        },
      },
      topic: { options: { sales: 'Sales team' } },
    },
    onSubmit: async ({ input, invalidate }) => {
      seen.submitted.push(input)
      invalidate('messages.list')
      return { sent: true, name: input.name, city: input.address?.city ?? null, file: input.attachment === undefined ? null : await input.attachment.text() }
    },
  })
  const secret = m.form({ title: 'Secret', auth: true, input: z.object({ code: z.string() }), onSubmit: ({ ctx }) => ctx.user.id })
  return m.router({ contact, secret, messages: m.router({ list: m.query(() => []) }) })
}

export type FormsRouter = ReturnType<typeof makeRouter>

export interface FormsApp {
  readonly url: string
  readonly seen: Seen
  readonly server: MizanServer<FormsRouter>
  close(): Promise<void>
}

export async function startApp(options: { maxBodySize?: number } = {}): Promise<FormsApp> {
  const seen: Seen = { submitted: [], checked: [], signals: [], errors: [] }
  const server = createMizanServer({
    router: makeRouter(seen),
    createContext: ({ req }): Ctx => ({ user: req.headers.get('authorization') === 'Bearer ada' ? { id: 'ada' } : null }),
    limits: options.maxBodySize === undefined ? {} : { maxBodySize: options.maxBodySize },
    onError: (event) => void seen.errors.push(event),
  })
  const { url } = await server.listen(0, '127.0.0.1')
  return { url, seen, server, close: () => server.close() }
}

export interface Answer {
  status: number
  text: string
  json: any
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, text, json }
}

/** GETs a query with its input in the URL. */
export const get = (url: string, input?: unknown, headers: Record<string, string> = {}) =>
  fetch(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers }).then(answer)

/** POSTs a call's input as JSON. */
export const post = (url: string, input: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ input }) }).then(answer)

/** POSTs a multipart body (an upload). */
export const upload = (url: string, body: FormData) => fetch(url, { method: 'POST', body, headers: { 'x-mizan-upload': '1' } }).then(answer)

import { createMizanServer, initMizan, type Form, type FormCheckArgs, type FormField, type FormInput, type FormOutput, type FormSchema, type FormValidation } from '@mizan/server'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import { z } from 'zod'

type User = { id: string; roles: string[] }
type Ctx = { user: User | null; requestId: string }
const m = initMizan<Ctx>({ roles: (user) => user.roles })
type OutputOf<P> = P extends { '~types'?: { output: infer O } } ? O : never
type InputOf<P> = P extends { '~types'?: { input: infer I } } ? I : never

const input = z.object({
  name: z.string().min(1),
  email: z.email(),
  age: z.string().transform((text) => Number(text)),
  topic: z.enum(['sales', 'support']),
  address: z.object({ city: z.string(), zip: z.string().optional() }).optional(),
  tags: z.array(z.string()).max(3),
  attachment: z.file().optional(),
})

const contact = m.form({
  title: 'Contact us',
  auth: true,
  input,
  affects: ['messages.list'],
  fields: {
    email: {
      // A check gets the field's parsed value, the narrowed context and the values that passed.
      check: async (email, { ctx, values, signal }) => {
        expectType<string>(email)
        expectType<User>(ctx.user)
        expectType<AbortSignal>(signal)
        expectType<string | undefined>(values.name)
        expectType<string | undefined>(values.address?.city)
        return email.endsWith('@taken.example') ? 'Already registered' : undefined
      },
    },
    // The output type of a transformed field: what the check sees.
    age: { check: (age) => (expectType<number>(age), age < 18 ? 'Too young' : undefined) },
    'address.city': { label: 'Town', check: (city) => (expectType<string>(city), undefined) },
    topic: { options: { sales: 'Sales', support: 'Support' }, check: (topic) => (expectType<'sales' | 'support'>(topic), undefined) },
    tags: { check: (tags) => (expectType<string[]>(tags), undefined) },
    attachment: { check: (file) => (expectType<File>(file), undefined) },
  },
  onSubmit: async ({ input, ctx }) => {
    expectType<User>(ctx.user)
    expectType<number>(input.age)
    expectType<File | undefined>(input.attachment)
    return { sent: true, by: ctx.user.id }
  },
})

// The form is a router of three procedures, branded with its input and output.
expectType<FormSchema>({} as OutputOf<typeof contact['~mizan']['record']['schema']>)
expectType<FormValidation>({} as OutputOf<typeof contact['~mizan']['record']['validate']>)
expectType<{ values: unknown; field?: string }>({} as InputOf<typeof contact['~mizan']['record']['validate']>)
expectType<z.input<typeof input>>({} as InputOf<typeof contact['~mizan']['record']['submit']>)
expectType<{ sent: boolean; by: string }>({} as OutputOf<typeof contact['~mizan']['record']['submit']>)
expectType<z.input<typeof input>>({} as FormInput<typeof contact>)
expectType<{ sent: boolean; by: string }>({} as FormOutput<typeof contact>)
expectAssignable<Form<z.input<typeof input>, { sent: boolean; by: string }, 'messages.list'>>(contact)

// In a router: its paths are the form's three procedures, and affects are checked as usual.
const app = m.router({ contact, messages: m.router({ list: m.query(() => []) }) })
createMizanServer({ router: app, createContext: () => ({ user: null, requestId: '' }) })
const broken = m.router({ contact })
expectError(createMizanServer({ router: broken, createContext: () => ({ user: null, requestId: '' }) }))

// Without auth, the context is not narrowed.
m.form({
  title: 'Open',
  input: z.object({ q: z.string() }),
  fields: { q: { check: (q, { ctx }) => (expectType<User | null>(ctx.user), undefined) } },
  onSubmit: ({ ctx }) => expectType<User | null>(ctx.user),
})

// A field key that is no dotted path of the input does not compile.
expectError(m.form({ title: 'x', input, fields: { nope: { label: 'x' } }, onSubmit: () => 1 }))
expectError(m.form({ title: 'x', input, fields: { address: { label: 'x' } }, onSubmit: () => 1 }))
expectError(m.form({ title: 'x', input, fields: { 'address.town': { label: 'x' } }, onSubmit: () => 1 }))
// A check that expects another value type does not compile.
expectError(m.form({ title: 'x', input, fields: { email: { check: (email: number) => (email > 1 ? 'x' : undefined) } }, onSubmit: () => 1 }))
// A check returns a message or undefined.
expectError(m.form({ title: 'x', input, fields: { email: { check: () => 42 } }, onSubmit: () => 1 }))
// A widget is one of the known ones; a title and onSubmit are required.
expectError(m.form({ title: 'x', input, fields: { email: { widget: 'slider' } }, onSubmit: () => 1 }))
expectError(m.form({ input, onSubmit: () => 1 }))
expectError(m.form({ title: 'x', input }))

// The wire types.
expectAssignable<FormField>({ name: 'email', label: 'Email', widget: 'email', required: true, check: false })
expectNotAssignable<FormField>({ name: 'email', label: 'Email', widget: 'slider', required: true, check: false })
// A field carries its schema's custom messages by issue code: strings only.
expectAssignable<FormField>({ name: 'email', label: 'Email', widget: 'email', required: true, check: false, messages: { invalid_format: 'Enter an email address' } })
expectNotAssignable<FormField>({ name: 'email', label: 'Email', widget: 'email', required: true, check: false, messages: { invalid_format: 1 } })
expectType<{ ctx: Ctx; values: unknown; signal: AbortSignal }>({} as FormCheckArgs<Ctx>)

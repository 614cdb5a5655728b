import { createClient } from '@mizan/client'
import { createMizanReact } from '@mizan/react'
import { formZodSchema, MizanForm, mizanFormValidators, mizanResolver, useForm, type FieldPath, type FieldValue, type FormInputOf } from '@mizan/react/forms'
import { initMizan, type FormSchema, type FormValidation } from '@mizan/server'
import type { ComponentProps } from 'react'
import { useForm as useHookForm, type Resolver } from 'react-hook-form'
import { expectAssignable, expectError, expectType } from 'tsd'
import { z } from 'zod'

// A form router as the forms protocol shapes it (schema, validate, submit), and a router that is not one.
const m = initMizan()
const contact = z.object({
  name: z.string(),
  age: z.number(),
  address: z.object({ city: z.string() }).optional(),
  items: z.array(z.object({ name: z.string() })),
  tags: z.array(z.string()).optional(),
  attachment: z.file().optional(),
})
const router = m.router({
  contact: m.router({
    schema: m.query((): FormSchema => ({ title: '', submitLabel: '', jsonSchema: {}, fields: [] })),
    validate: m.query({ input: z.object({ values: z.unknown(), field: z.string().optional() }) }, (): FormValidation => ({ ok: true, issues: [], fieldErrors: {} })),
    submit: m.mutation({ input: contact }, () => ({ sent: true as const })),
  }),
  posts: m.router({
    list: m.query(() => ['a']),
    create: m.mutation({ input: z.object({ title: z.string() }) }, () => 1),
  }),
})
const api = createMizanReact<typeof router>(createClient<typeof router>({ url: 'http://localhost/api/mizan' }))

type Contact = FormInputOf<typeof api.contact>

// Typed paths: leaves, objects, list items.
expectAssignable<FieldPath<Contact>>('name')
expectAssignable<FieldPath<Contact>>('address.city')
expectAssignable<FieldPath<Contact>>('items.0.name')
expectAssignable<FieldPath<Contact>>('tags')
expectError<FieldPath<Contact>>('address.town')
expectType<string>({} as FieldValue<Contact, 'address.city'>)
expectType<string>({} as FieldValue<Contact, 'items.3.name'>)

const form = useForm(api.contact, { mode: 'change', checkDelay: 300, defaultValues: { name: 'Ada', address: {} } })
form.register('name')
form.register('items.1.name')
form.setValue('age', 42)
form.setValue('address.city', 'Oslo')
form.setValue('attachment', new File([], 'a.txt'))
expectType<string | undefined>(form.errors['address.city'])
expectType<{ sent: true } | undefined>(form.result)
expectType<Promise<boolean>>(form.validate())

// Misuse does not compile: an unknown field, a value of the wrong type, a node that is no form.
expectError(form.register('nope'))
expectError(form.setValue('age', 'x'))
expectError(form.setValue('nope', 1))
expectError(useForm(api.posts))
expectError(useForm(api.posts.create))
expectError(useForm(api.contact, { defaultValues: { age: 'x' } }))
expectError(useForm(api.contact, { mode: 'typing' }))

// The component takes the same form, and types its onSuccess from the submit's answer.
type Props = ComponentProps<typeof MizanForm<typeof api.contact>>
expectType<((result: { sent: true }, values: Contact) => void) | undefined>({} as Props['onSuccess'])
expectError(MizanForm({ form: api.posts }))

// The resolver fits react-hook-form's Resolver for the form's values.
expectAssignable<Resolver<Contact>>(mizanResolver(api.contact))
mizanFormValidators(api.contact, { checkDelay: 100 })

// react-hook-form infers the form's values from the resolver alone.
const hookForm = useHookForm({ resolver: mizanResolver(api.contact) })
expectType<string>(hookForm.getValues('name'))
expectError(hookForm.register('nope'))
hookForm.handleSubmit((values) => expectType<Contact>(values))

// The browser's zod schema loads on demand: formZodSchema answers a promise.
expectType<Promise<z.ZodType>>(formZodSchema({} as FormSchema))
expectError<z.ZodType>(formZodSchema({} as FormSchema))

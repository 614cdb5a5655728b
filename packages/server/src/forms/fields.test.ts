import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { joinFields } from './field-options.js'
import { fieldsOf } from './fields.js'
import { humanize } from './humanize.js'

const describeForm = (shape: z.ZodRawShape, options?: unknown, files?: Parameters<typeof fieldsOf>[2]) =>
  joinFields('Contact us', fieldsOf('Contact us', z.object(shape), files), options).map((entry) => entry.wire)

describe('fieldsOf: the fields of an input', () => {
  it('chooses widgets by type and format', () => {
    const fields = describeForm({
      name: z.string(),
      email: z.email(),
      email2: z.string().email(),
      site: z.url(),
      born: z.iso.date(),
      at: z.iso.datetime(),
      id: z.uuid(),
      count: z.number().int(),
      agree: z.boolean(),
      terms: z.literal(true),
      topic: z.enum(['sales', 'support']),
      size: z.union([z.literal(1), z.literal(2)]),
      kind: z.literal('contact'),
      tags: z.array(z.string()).min(1),
      picks: z.array(z.enum(['a', 'b'])),
      photo: z.file(),
      photos: z.array(z.file()),
      data: z.unknown(),
      trimmed: z.string().transform((text) => text.trim()),
      padded: z.preprocess((value) => value, z.number()),
    })
    expect(Object.fromEntries(fields.map((field) => [field.name, field.widget]))).toEqual({
      name: 'text',
      email: 'email',
      email2: 'email',
      site: 'url',
      born: 'date',
      at: 'datetime',
      id: 'text',
      count: 'number',
      agree: 'checkbox',
      terms: 'checkbox',
      topic: 'select',
      size: 'select',
      kind: 'hidden',
      tags: 'text',
      picks: 'select',
      photo: 'file',
      photos: 'file',
      data: 'hidden',
      trimmed: 'text',
      padded: 'number',
    })
    const byName = Object.fromEntries(fields.map((field) => [field.name, field]))
    expect(byName.size!.options).toEqual([
      { value: 1, label: '1' },
      { value: 2, label: '2' },
    ])
    expect(byName.tags).toMatchObject({ multiple: true, required: true })
    expect(byName.photos).toMatchObject({ multiple: true, required: false, maxSize: 10 * 1024 * 1024 })
    // A checkbox is required only when it must be ticked.
    expect([byName.agree!.required, byName.terms!.required]).toEqual([false, true])
  })

  it('says which fields are required: not optional, defaulted or under an optional object', () => {
    const fields = describeForm({
      a: z.string(),
      b: z.string().optional(),
      c: z.string().default('x'),
      d: z.string().nullable(),
      e: z.string().optional().nullable(),
      f: z.string().catch('x'),
      address: z.object({ city: z.string(), street: z.string().optional() }).optional(),
      home: z.object({ city: z.string() }),
    })
    expect(Object.fromEntries(fields.map((field) => [field.name, field.required]))).toEqual({
      a: true,
      b: false,
      c: false,
      d: true,
      e: false,
      f: false,
      'address.city': false,
      'address.street': false,
      'home.city': true,
    })
  })

  it('reads file limits from z.file() and the form files option, the smaller size winning', () => {
    const fields = describeForm({ a: z.file().max(500).mime(['image/png', 'image/jpeg']), b: z.file(), c: z.file().max(5000) }, undefined, { maxFileSize: 1000, types: ['image/*'] })
    expect(fields.map(({ accept, maxSize }) => ({ accept, maxSize }))).toEqual([
      { accept: 'image/png,image/jpeg', maxSize: 500 },
      { accept: 'image/*', maxSize: 1000 },
      { accept: 'image/*', maxSize: 1000 },
    ])
  })

  it('takes labels and descriptions from options, then .meta() and .describe(), then the key', () => {
    const fields = describeForm(
      { firstName: z.string().meta({ title: 'Given name' }), bio: z.string().describe('About you').optional(), home_town: z.string(), x: z.string() },
      { x: { label: 'Ex', description: 'The x', placeholder: 'x…' } },
    )
    expect(fields.map(({ label, description, placeholder }) => ({ label, description, placeholder }))).toEqual([
      { label: 'Given name', description: undefined, placeholder: undefined },
      { label: 'Bio', description: 'About you', placeholder: undefined },
      { label: 'Home town', description: undefined, placeholder: undefined },
      { label: 'Ex', description: 'The x', placeholder: 'x…' },
    ])
  })

  it('orders fields by order, then declaration order', () => {
    const fields = describeForm({ a: z.string(), b: z.string(), c: z.string(), d: z.string() }, { d: { order: 0 }, a: { order: 2 } })
    expect(fields.map((field) => field.name)).toEqual(['d', 'b', 'a', 'c'])
  })

  it('refuses what the browser cannot be told about: a TypeError naming the form and the field', () => {
    const cases: [z.ZodType, string][] = [
      [z.date(), 'z.date() cannot be described to the browser; use z.iso.date() or z.iso.datetime()'],
      [z.bigint(), 'z.bigint() cannot be described'],
      [z.map(z.string(), z.string()), 'z.map() cannot be described'],
      [z.set(z.string()), 'z.set() cannot be described'],
      [z.custom<string>(() => true), 'z.custom()'],
      [z.instanceof(URL), 'z.custom()'],
      [z.symbol(), 'z.symbol()'],
      [z.undefined(), 'z.undefined()'],
      [z.nan(), 'z.nan()'],
      [z.promise(z.string()), 'z.promise()'],
      [z.transform((value) => value), 'a transform'],
      [z.lazy(() => z.string()), 'z.lazy()'],
      [z.array(z.object({ a: z.string() })), 'an array of objects'],
      [z.array(z.array(z.string())), 'an array of objects, arrays'],
      [z.tuple([z.string()]), 'a tuple'],
      [z.record(z.string(), z.string()), 'a record'],
      [z.union([z.string(), z.number()]), 'a union'],
      [z.object({ a: z.string() }).and(z.object({ b: z.string() })), 'an intersection'],
      [z.date().optional(), 'z.date()'],
      [z.literal(5n), 'the literal 5'],
    ]
    for (const [schema, message] of cases) {
      expect(() => describeForm({ address: z.object({ when: schema }) })).toThrow(new RegExp(`^Mizan: form "Contact us", field "address\\.when": .*${escape(message)}`))
    }
  })

  it('refuses an input that is not an object, or has no field', () => {
    expect(() => fieldsOf('F', z.string(), undefined)).toThrow('Mizan: form "F": the input must be a zod 4 z.object()')
    expect(() => fieldsOf('F', { '~standard': {} }, undefined)).toThrow('the input must be a zod 4 z.object()')
    expect(() => fieldsOf('F', z.object({}), undefined)).toThrow('the input has no fields')
  })

  it('refuses field options that name no field or do not fit it', () => {
    const shape = { email: z.email(), topic: z.enum(['a', 'b']), photo: z.file() }
    expect(() => describeForm(shape, { mail: { label: 'x' } })).toThrow('Mizan: form "Contact us": fields names "mail", which is no field of the input (fields: email, topic, photo)')
    expect(() => describeForm(shape, { email: { lable: 'x' } })).toThrow('field "email": unknown option "lable"')
    expect(() => describeForm(shape, { email: { check: 'yes' } })).toThrow('field "email": check must be a function')
    expect(() => describeForm(shape, { email: { widget: 'slider' } })).toThrow('field "email": widget must be one of')
    expect(() => describeForm(shape, { email: { widget: 'file' } })).toThrow('widget "file" is for z.file() fields')
    expect(() => describeForm(shape, { photo: { widget: 'text' } })).toThrow('a file field shows as widget "file"')
    expect(() => describeForm(shape, { email: { options: { a: 'A' } } })).toThrow('options label the values of an enum')
    expect(() => describeForm(shape, { topic: { options: { c: 'C' } } })).toThrow('options labels "c", which is not one of its values (a, b)')
    expect(() => describeForm(shape, { email: { order: 'first' } })).toThrow('order must be a finite number')
    expect(() => describeForm(shape, 'email')).toThrow('fields must be an object')
  })
})

describe('humanize', () => {
  it('makes a label of the last key', () => {
    expect(['address.city', 'firstName', 'first_name', 'zip-code', 'USD', 'a', 'userID'].map(humanize)).toEqual(['City', 'First name', 'First name', 'Zip code', 'USD', 'A', 'User ID'])
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

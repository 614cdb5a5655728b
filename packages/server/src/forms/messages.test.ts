import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { messagesOf } from './messages.js'

// A field's custom messages, read from its zod schema as zod would give them.

describe('forms: messagesOf', () => {
  it('is undefined for a schema with no custom message', () => {
    expect(messagesOf(z.string().min(3).email())).toBeUndefined()
    expect(messagesOf(z.number().int().max(3))).toBeUndefined()
  })

  it('keys each check message by the issue code it answers', () => {
    expect(messagesOf(z.string().min(10, 'At least 10 characters').max(2000, { message: 'At most 2,000 characters' }))).toEqual({
      too_small: 'At least 10 characters',
      too_big: 'At most 2,000 characters',
    })
    expect(messagesOf(z.number().multipleOf(5, 'Fives only'))).toEqual({ not_multiple_of: 'Fives only' })
    expect(messagesOf(z.string().length(4, 'Four characters'))).toEqual({ too_small: 'Four characters', too_big: 'Four characters' })
    expect(messagesOf(z.string().regex(/^\d+$/, 'Digits only'))).toEqual({ invalid_format: 'Digits only' })
  })

  it('gives the type message to the type issue and to checks with none of their own, as zod does', () => {
    expect(messagesOf(z.email('Enter an email address').max(50))).toEqual({
      invalid_type: 'Enter an email address',
      invalid_format: 'Enter an email address',
      too_big: 'Enter an email address',
    })
    expect(messagesOf(z.enum(['a', 'b'], 'Pick one'))).toEqual({ invalid_value: 'Pick one' })
    expect(messagesOf(z.literal(true, { error: 'Tick it' }))).toEqual({ invalid_value: 'Tick it' })
    expect(messagesOf(z.union([z.literal('x'), z.literal('y')], 'Choose'))).toEqual({ invalid_union: 'Choose' })
  })

  it('refines a key when one code answers two rules of the field', () => {
    expect(messagesOf(z.number('Enter a number').int('Whole numbers only'))).toEqual({ invalid_type: 'Enter a number', 'invalid_type:int': 'Whole numbers only' })
    expect(messagesOf(z.string().email('Not an email').regex(/@example\.com$/, 'Use your example.com address'))).toEqual({
      invalid_format: 'Not an email',
      'invalid_format:regex': 'Use your example.com address',
    })
  })

  it('calls message functions with a representative issue, and leaves out one that needs more', () => {
    expect(messagesOf(z.string({ error: (issue) => (issue.input === undefined ? 'Name is required' : 'Not text') }))).toEqual({ invalid_type: 'Name is required' })
    expect(messagesOf(z.number().max(10, { error: (issue) => `At most ${(issue as { maximum?: number }).maximum}` }))).toEqual({ too_big: 'At most 10' })
    expect(messagesOf(z.string().min(3, { error: (issue) => `Only ${(issue.input as string).length}` }))).toBeUndefined()
    expect(messagesOf(z.string().min(3, { error: () => ({ message: 'An object message' }) }))).toEqual({ too_small: 'An object message' })
  })

  it('keeps the tighter bound of two, which is the one the JSON Schema carries', () => {
    expect(messagesOf(z.string().min(1, 'Required').min(5, 'Five or more').max(9, 'Nine at most').max(20, 'Twenty at most'))).toEqual({
      too_small: 'Five or more',
      too_big: 'Nine at most',
    })
  })

  it("keys an array's items after item., and reads files' size and type checks", () => {
    expect(messagesOf(z.array(z.string().min(2, 'Two letters')).max(3, 'Three at most'), z.string().min(2, 'Two letters'))).toEqual({
      too_big: 'Three at most',
      'item.too_small': 'Two letters',
    })
    expect(messagesOf(z.file().max(100, 'Too big').mime(['image/png'], 'PNG only'))).toEqual({ too_big: 'Too big', invalid_value: 'PNG only' })
  })

  it('leaves refinements out: they run on the server only', () => {
    expect(messagesOf(z.string().refine((value) => value !== 'x', 'Not x'))).toBeUndefined()
  })
})

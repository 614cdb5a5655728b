import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { issuesOfData } from '../../packages/react/src/forms/answers.js'
import { getAt, setAt } from '../../packages/react/src/forms/paths.js'
import { cleanValues } from '../../packages/react/src/forms/clean.js'
import { clientIssues, formZodSchema } from '../../packages/react/src/forms/schema.js'
import { FormStore } from '../../packages/react/src/forms/store.js'
import type { FormSchema } from '@mizan/server'

// What the browser reads from the network (a form's schema, validation answers, error data) may be
// anything: reading it never throws and never writes through a prototype.

const json = fc.jsonValue({ maxDepth: 4 })

describe('forms: hostile answers', () => {
  it('issuesOfData takes any value without throwing, and yields only string messages', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.record({ issues: json, fieldErrors: json })), (data) => {
        const issues = issuesOfData(data)
        for (const messages of issues?.values() ?? []) for (const message of messages) expect(typeof message).toBe('string')
      }),
      { seed: 20260515, numRuns: 500 },
    )
  })

  it('a schema of any shape rebuilds without throwing, and checks any values without throwing', () => {
    const schemas = fc.record({
      title: fc.string(),
      submitLabel: fc.string(),
      jsonSchema: fc.oneof(fc.dictionary(fc.constantFrom('type', 'properties', 'required', 'anyOf', '$ref', 'items', 'minLength', 'enum'), json), fc.constant({ type: 'object', properties: { a: { $ref: '#/nope' } } })),
      fields: fc.array(
        fc.record({
          name: fc.constantFrom('a', 'a.b', 'file', ''),
          label: fc.string(),
          widget: fc.constantFrom('text', 'file', 'number'),
          required: fc.boolean(),
          check: fc.boolean(),
          // Messages of any shape: keys that reach a prototype, values that are no strings.
          messages: fc.oneof(json, fc.dictionary(fc.constantFrom('invalid_type', 'too_small', 'item.too_small', '__proto__', 'constructor', 'toString'), json)),
        }),
        { maxLength: 4 },
      ),
    })
    fc.assert(
      fc.property(schemas, json, (schema, values) => {
        const form = schema as unknown as FormSchema
        formZodSchema(form)
        for (const issue of clientIssues(form, cleanValues(form, values))) expect(typeof issue.message).toBe('string')
      }),
      { seed: 20260515, numRuns: 300 },
    )
  })

  it('never writes through __proto__, whether a path comes from a field or from an issue', () => {
    expect(() => setAt({}, '__proto__.polluted', 1)).toThrow(TypeError)
    expect(() => setAt({}, 'a.constructor.prototype', 1)).toThrow(TypeError)
    expect(getAt({}, '__proto__.polluted')).toBeUndefined()
    const store = new FormStore({}, { mode: 'blur', checkDelay: 0 }, { validate: async () => ({}), submit: async () => ({}) })
    store.setSchema({ title: 't', submitLabel: 's', jsonSchema: { type: 'object' }, fields: [] })
    const rejected = Object.assign(new Error('x'), { code: 'BAD_REQUEST', data: { issues: [{ path: ['__proto__'], message: 'boom' }] } })
    store.callers.submit = async () => Promise.reject(rejected)
    return store.submit().then(() => {
      expect(store.getSnapshot().errors['__proto__']).toBe('boom')
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  })
})

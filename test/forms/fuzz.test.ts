import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, post, startApp, type FormsApp } from './app.js'

// Hostile values to `validate`: whatever JSON arrives, the answer is a 200 or a 4xx, never a 5xx
// or a stack trace, and onSubmit never runs.

let app: FormsApp
beforeAll(async () => {
  app = await startApp()
})
afterAll(() => app.close())

const field = fc.oneof(fc.constantFrom('name', 'email', 'address.city', 'address.zip', 'attachment', 'confirm', 'topic'), fc.string({ maxLength: 20 }))
const values = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ name: fc.jsonValue({ maxDepth: 2 }), email: fc.oneof(fc.emailAddress(), fc.jsonValue({ maxDepth: 1 })), address: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }),
)

describe('validate against arbitrary JSON', () => {
  it('never answers 5xx nor a stack trace, and never submits', async () => {
    await fc.assert(
      fc.asyncProperty(values, fc.option(field, { nil: undefined }), fc.boolean(), async (sent, name, viaGet) => {
        const input = name === undefined ? { values: sent } : { values: sent, field: name }
        const res = viaGet ? await get(`${app.url}/contact.validate`, input) : await post(`${app.url}/contact.validate`, input)
        expect(res.status).toBeLessThan(500)
        expect(res.text).not.toMatch(/\bat .+:\d+:\d+/)
        expect(res.text).not.toContain('stack')
        if (res.status === 200) expect(typeof res.json.data.ok).toBe('boolean')
      }),
      { seed: 20240611, numRuns: 150 },
    )
    // Raw inputs that are not { values, field? } at all.
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (raw) => {
        const res = await post(`${app.url}/contact.validate`, raw)
        expect(res.status).toBeLessThan(500)
      }),
      { seed: 7, numRuns: 100 },
    )
    expect(app.seen.submitted).toEqual([])
    expect(app.seen.errors.filter((event) => !(event.error instanceof Error && event.error.name === 'MizanError'))).toEqual([])
  })
})

// The browser's schema, loaded on demand. Rebuilding it needs zod and its JSON Schema reader, the
// bulk of what forms cost a page; the schema comes from the network anyway, so that code is
// fetched with a dynamic import once the schema has arrived, and nothing validates before.
import type { ValidationIssue } from '@mizan/server'
import type { z } from 'zod'
import type { FormSchema } from './wire.js'

/** Checks values (as sent: blank optional fields left out) with a form's rebuilt schema. */
export type ClientCheck = (values: unknown) => ValidationIssue[]

const loaded = new WeakMap<FormSchema, Promise<ClientCheck>>()

/**
 * The check of a schema, once its code is loaded and the zod schema rebuilt (once per schema
 * object). A failed load (a chunk the network lost) is tried again on the next call.
 */
export function loadClientCheck(schema: FormSchema): Promise<ClientCheck> {
  let pending = loaded.get(schema)
  if (pending === undefined) {
    pending = import('./schema.js').then(({ clientIssues, formZodSchema }) => {
      formZodSchema(schema)
      return (values: unknown) => clientIssues(schema, values)
    })
    pending.catch(() => loaded.delete(schema))
    loaded.set(schema, pending)
  }
  return pending
}

/**
 * The zod schema of a form's input, as the browser checks it: everything the JSON Schema says
 * (types, lengths, patterns, enums, required keys), file fields as `z.file()` with `maxSize` and
 * `accept`. Refinements and transforms live on the server only. Built once per schema object;
 * asynchronous because the code that rebuilds it (and zod's JSON Schema reader) loads on demand.
 *
 * ```ts
 * const zod = await formZodSchema(schema)
 * ```
 */
export async function formZodSchema(schema: FormSchema): Promise<z.ZodType> {
  return (await import('./schema.js')).formZodSchema(schema)
}

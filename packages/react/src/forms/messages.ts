// The words the browser shows for an issue of its schema: the field's own message for the issue's
// code when the server sent one (`FormField.messages`, read from the server's zod schema), so the
// browser says what the server would; else zod's text.
import { fieldOfPath } from './issues.js'
import type { FormField } from './wire.js'

/** A field's message under `key`, when the server sent a string there (nothing inherited). */
export function ownMessage(messages: FormField['messages'] | undefined, key: string): string | undefined {
  if (typeof messages !== 'object' || messages === null || !Object.hasOwn(messages, key)) return undefined
  const message = (messages as Record<string, unknown>)[key]
  return typeof message === 'string' ? message : undefined
}

/** What an issue of the browser's schema tells, as far as its message depends on it. */
export interface ClientIssue {
  code: string
  message: string
  expected?: unknown
  format?: unknown
}

/** Widgets whose empty box the server answers with the field's minimum-length message. */
const TEXT = new Set(['text', 'email', 'url', 'password', 'textarea', 'date', 'datetime'])

/**
 * The message for an issue at `path` (a dotted path): the field's message for the issue's code,
 * refined first (`invalid_type:int`, `invalid_format:email`), `item.` before it when the issue is
 * about an item of a list. A value never given says the type's message, else (a text box) the
 * minimum's, else "Required"; anything else falls back to zod's text.
 */
export function messageOf(fields: readonly FormField[], path: string, issue: ClientIssue, missing: boolean): string {
  const name = fieldOfPath(
    fields.map((field) => field.name),
    path,
  )
  const field = name === undefined ? undefined : fields.find((candidate) => candidate.name === name)
  const messages = field?.messages
  const prefix = name !== undefined && name !== path ? 'item.' : ''
  const own = (key: string) => ownMessage(messages, prefix + key)
  if (missing) return own('invalid_type') ?? (TEXT.has(field?.widget ?? '') ? own('too_small') : undefined) ?? 'Required'
  const detail = issue.code === 'invalid_type' ? issue.expected : issue.code === 'invalid_format' ? issue.format : undefined
  return (typeof detail === 'string' ? own(`${issue.code}:${detail}`) : undefined) ?? own(issue.code) ?? issue.message
}

// One validation pass outside React, shared by the react-hook-form resolver and the TanStack Form
// validators: the browser's schema first, then, only when it passes, the server's checks.
import { withoutFiles } from './files.js'
import { issueMap, issuesOfData } from './answers.js'
import { loadSchema, validateCaller, type FormNode } from './node.js'
import { isUnder } from './paths.js'
import { cleanValues } from './clean.js'
import { loadClientCheck } from './client-check.js'

/** The outcome of a pass: the values as they are sent, and the issues by full path. */
export interface CheckOutcome {
  values: unknown
  issues: Map<string, string[]>
}

/**
 * Validates `values` for a form. With `names`, only those fields' issues count and only their
 * server checks run (one `validate` call per checked field); without, everything does (one call).
 * A check that fails or is aborted adds nothing: the submit checks again on the server.
 */
export async function checkForm(form: FormNode, values: unknown, names: readonly string[] | undefined, signal?: AbortSignal): Promise<CheckOutcome> {
  const schema = await loadSchema(form)
  const clientCheck = await loadClientCheck(schema)
  const clean = cleanValues(schema, values)
  const all = issueMap(clientCheck(clean))
  const concerns = (path: string) => names === undefined || names.some((name) => isUnder(path, name) || isUnder(name, path))
  const issues = new Map([...all].filter(([path]) => concerns(path)))
  const checked = schema.fields.filter((field) => field.check && (names === undefined || names.includes(field.name)))
  if (issues.size > 0 || checked.length === 0) return { values: clean, issues }
  const validate = validateCaller(form)
  const sent = withoutFiles(clean)
  const calls = names === undefined ? [validate({ values: sent }, signal)] : checked.map((field) => validate({ values: sent, field: field.name }, signal))
  for (const answer of await Promise.allSettled(calls)) {
    const found = answer.status === 'fulfilled' ? issuesOfData(answer.value) : undefined
    for (const [path, messages] of found ?? []) if (concerns(path)) issues.set(path, messages)
  }
  return { values: clean, issues }
}

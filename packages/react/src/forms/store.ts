// The state of one form, outside React: values, touched fields, and three sets of issues merged
// into one error per path. The browser's schema speaks first (no request while it finds a
// problem); a server check's answer (`validate`) and a failed submit's issues come next. Changing a
// value clears the server's word on it: it was about the old value.
import { cleanValues, clientIssues } from './schema.js'
import { withoutFiles } from './files.js'
import { fieldOfPath, issueMap, issuesOfData, issuesOfError, NO_ISSUES, replaceUnder, touchedBy, withoutPaths, type IssueMap } from './issues.js'
import { isUnder, setAt } from './paths.js'
import type { FormField, FormSchema, FormValidateInput } from './wire.js'

/**
 * When a field is checked as the user works: on every `change`, when it loses focus (`blur`, the
 * default), or only on `submit`. After a first submit, `submit` mode checks on every change; in
 * `blur` mode a field showing an error is checked again as it changes, so the error leaves as soon
 * as it is fixed.
 */
export type FormMode = 'change' | 'blur' | 'submit'

/** How a store reaches the server: the form's `validate` query and its `submit` mutation. */
export interface FormCallers {
  validate(input: FormValidateInput, signal: AbortSignal): Promise<unknown>
  submit(values: unknown): Promise<unknown>
}

/** One immutable state of a form; a new object after every change. */
export interface FormSnapshot {
  schema: FormSchema | undefined
  values: unknown
  touched: ReadonlySet<string>
  /** Issues the browser's schema found in the fields it checked. */
  client: IssueMap
  /** Issues of the last failed submit, until their value changes. */
  server: IssueMap
  /** Issues of the server checks (`validate`), until their value changes. */
  checks: IssueMap
  /** Fields whose server check is waiting or running. */
  checking: ReadonlySet<string>
  /** A submit was attempted. */
  submitted: boolean
  isSubmitting: boolean
  result: unknown
  /** The failure of the last submit when it was not about fields (network, auth, rate limit...). */
  submitError: unknown
  /** The first message per path: the browser's, else the submit's, else the check's. */
  errors: Readonly<Record<string, string>>
  /** The message each field shows (its own path, a path under it, or an object holding it). */
  fieldErrors: Readonly<Record<string, string>>
  /** An issue about the whole input. */
  formError: string | undefined
}

/** The outcome of a submit. */
export interface SubmitOutcome {
  ok: boolean
  /** The first field (in display order) showing an error, to move the focus to. */
  firstInvalid?: string | undefined
}

export interface StoreOptions {
  mode: FormMode
  /** Milliseconds a server check waits for the typing to stop. */
  checkDelay: number
}

export class FormStore {
  #state: FormSnapshot
  #listeners = new Set<() => void>()
  #timers = new Map<string, ReturnType<typeof setTimeout>>()
  #controllers = new Map<string, AbortController>()

  constructor(
    private defaults: unknown,
    public options: StoreOptions,
    public callers: FormCallers,
  ) {
    this.#state = derive({
      schema: undefined,
      values: defaults,
      touched: new Set(),
      client: NO_ISSUES,
      server: NO_ISSUES,
      checks: NO_ISSUES,
      checking: new Set(),
      submitted: false,
      isSubmitting: false,
      result: undefined,
      submitError: undefined,
    })
  }

  getSnapshot = (): FormSnapshot => this.#state

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #commit(next: Partial<FormSnapshot>): void {
    this.#state = derive({ ...this.#state, ...next })
    for (const listener of this.#listeners) listener()
  }

  get #fields(): readonly FormField[] {
    return this.#state.schema?.fields ?? []
  }

  #fieldOf(path: string): string {
    return fieldOfPath(this.#fields.map((field) => field.name), path) ?? path
  }

  setSchema(schema: FormSchema | undefined): void {
    if (schema !== this.#state.schema) this.#commit({ schema })
  }

  /** Sets a value; clears the server's issues about it; validates and checks it as the mode says. */
  setValue(path: string, value: unknown): void {
    const { mode } = this.options
    const field = this.#fieldOf(path)
    this.#cancelCheck(field)
    const stale = (issue: string) => touchedBy(issue, path)
    this.#commit({ values: setAt(this.#state.values, path, value), server: withoutPaths(this.#state.server, stale), checks: withoutPaths(this.#state.checks, stale) })
    const eager = mode === 'change' || (mode === 'submit' && this.#state.submitted)
    if (eager || this.#showsClientIssue(field)) this.#validateField(field)
    if (eager) this.#scheduleCheck(field, this.options.checkDelay)
  }

  /** Marks a field touched; in `blur` mode, validates it and asks the server's check at once. */
  blur(path: string): void {
    const field = this.#fieldOf(path)
    if (!this.#state.touched.has(field)) this.#commit({ touched: new Set(this.#state.touched).add(field) })
    if (this.options.mode !== 'blur') return
    this.#validateField(field)
    this.#scheduleCheck(field, 0)
  }

  #showsClientIssue(field: string): boolean {
    for (const path of this.#state.client.keys()) if (isUnder(path, field)) return true
    return false
  }

  /** The values as they are sent (blank optional fields removed). */
  #sent(): unknown {
    const { schema, values } = this.#state
    return schema === undefined ? values : cleanValues(schema, values)
  }

  #allIssues(): Map<string, string[]> {
    const { schema, values } = this.#state
    return schema === undefined ? new Map() : issueMap(clientIssues(schema, cleanValues(schema, values)))
  }

  /** Runs the browser's schema and keeps the issues under `field` (and of objects holding it). */
  #validateField(field: string): void {
    const all = this.#allIssues()
    const mine = new Map([...all].filter(([path]) => touchedBy(path, field)))
    const client = new Map(withoutPaths(this.#state.client, (path) => touchedBy(path, field)))
    for (const [path, messages] of mine) client.set(path, messages)
    this.#commit({ client })
  }

  #cancelCheck(field: string): void {
    clearTimeout(this.#timers.get(field))
    this.#timers.delete(field)
    // A check of an older value is superseded: its answer would be about something no longer typed.
    this.#controllers.get(field)?.abort()
    this.#controllers.delete(field)
    if (this.#state.checking.has(field)) {
      const checking = new Set(this.#state.checking)
      checking.delete(field)
      this.#commit({ checking })
    }
  }

  /** Asks the server's check of `field` after `delay` ms, unless the browser already found a problem. */
  #scheduleCheck(field: string, delay: number): void {
    this.#cancelCheck(field)
    if (this.#fields.find((f) => f.name === field)?.check !== true || this.#showsClientIssue(field)) return
    this.#commit({ checking: new Set(this.#state.checking).add(field) })
    this.#timers.set(
      field,
      setTimeout(() => void this.#runCheck(field), delay),
    )
  }

  async #runCheck(field: string): Promise<void> {
    this.#timers.delete(field)
    const controller = new AbortController()
    this.#controllers.set(field, controller)
    let issues: Map<string, string[]> | undefined
    try {
      const answer = await this.callers.validate({ values: withoutFiles(this.#sent()), field }, controller.signal)
      issues = issuesOfData(answer)
    } catch {
      // A check that failed (network, rate limit) shows nothing: the submit checks again anyway.
    }
    if (controller.signal.aborted) return
    this.#controllers.delete(field)
    const checking = new Set(this.#state.checking)
    checking.delete(field)
    this.#commit({ checking, checks: issues === undefined ? this.#state.checks : replaceUnder(this.#state.checks, field, issues) })
  }

  #cancelAll(): void {
    for (const field of new Set([...this.#timers.keys(), ...this.#controllers.keys()])) this.#cancelCheck(field)
  }

  /** Every field touched and validated in the browser, then, when that passes, every server check. */
  async validate(): Promise<boolean> {
    this.#cancelAll()
    const client = this.#allIssues()
    this.#commit({ client, touched: new Set(this.#fields.map((f) => f.name)) })
    if (client.size > 0) return false
    if (!this.#fields.some((field) => field.check)) return this.#state.server.size === 0
    const controller = new AbortController()
    const answer = await this.callers.validate({ values: withoutFiles(this.#sent()) }, controller.signal)
    const checks = issuesOfData(answer) ?? NO_ISSUES
    this.#commit({ checks })
    return checks.size === 0 && this.#state.server.size === 0
  }

  /** Validates everything in the browser; sends nothing while a problem remains; else submits. */
  async submit(): Promise<SubmitOutcome> {
    if (this.#state.isSubmitting) return { ok: false }
    this.#cancelAll()
    const client = this.#allIssues()
    this.#commit({ submitted: true, client, touched: new Set(this.#fields.map((f) => f.name)), submitError: undefined })
    if (client.size > 0) return { ok: false, firstInvalid: this.#firstInvalid() }
    this.#commit({ isSubmitting: true })
    try {
      const result = await this.callers.submit(this.#sent())
      this.#commit({ isSubmitting: false, result, server: NO_ISSUES, checks: NO_ISSUES })
      return { ok: true }
    } catch (error) {
      const server = issuesOfError(error)
      this.#commit({ isSubmitting: false, server: server ?? this.#state.server, submitError: server === undefined ? error : undefined })
      return { ok: false, firstInvalid: this.#firstInvalid() }
    }
  }

  #firstInvalid(): string | undefined {
    return this.#fields.find((field) => this.#state.fieldErrors[field.name] !== undefined)?.name
  }

  /** Back to `values` (else the defaults): no issues, nothing touched, no result, checks cancelled. */
  reset(values: unknown = this.defaults): void {
    this.#cancelAll()
    this.defaults = values
    this.#commit({ values, touched: new Set(), client: NO_ISSUES, server: NO_ISSUES, checks: NO_ISSUES, submitted: false, result: undefined, submitError: undefined })
  }

  /** Stops every pending check: the form is gone. */
  dispose(): void {
    this.#cancelAll()
  }
}

type Base = Omit<FormSnapshot, 'errors' | 'fieldErrors' | 'formError'>

/** Adds the merged messages to a state. */
function derive(base: Base): FormSnapshot {
  // No prototype: paths come from the server, and `__proto__` must stay a plain key.
  const errors: Record<string, string> = Object.create(null)
  // Later sources never overwrite earlier ones: the browser's word first, then the submit's, then the check's.
  for (const source of [base.client, base.server, base.checks]) {
    for (const [path, messages] of source) if (errors[path] === undefined && messages[0] !== undefined) errors[path] = messages[0]
  }
  const fields = base.schema?.fields ?? []
  const fieldErrors: Record<string, string> = Object.create(null)
  const names = fields.map((field) => field.name)
  for (const [path, message] of Object.entries(errors)) {
    if (path === '') continue
    const owner = fieldOfPath(names, path) ?? names.find((name) => isUnder(name, path))
    if (owner !== undefined && fieldErrors[owner] === undefined) fieldErrors[owner] = message
  }
  // A field's own message goes before one about a path under it.
  for (const name of names) if (errors[name] !== undefined) fieldErrors[name] = errors[name]
  return { ...base, errors, fieldErrors, formError: errors[''] }
}

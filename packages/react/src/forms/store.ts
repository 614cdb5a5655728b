// The state of one form, outside React: values, touched fields, and three sets of issues merged
// into one error per path. The browser's schema speaks first (no request while it finds a
// problem); a server check's answer (`validate`) and a failed submit's issues come next. Changing a
// value clears the server's word on it: it was about the old value.
//
// What validates (the browser's schema rebuilt with zod, the server checks, the submit) is the
// engine (engine.ts), loaded with a dynamic import once the form's schema has arrived: the page
// pays for it only then. What asks for validation before it is ready waits for it.
import type { FormEngine } from './engine.js'
import { fieldOfPath, hasUnder, NO_ISSUES, touchedBy, withoutPaths, type IssueMap } from './issues.js'
import { isUnder, setAt } from './paths.js'
import type { FormSchema, FormValidateInput } from './wire.js'

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
  /** The browser's schema is loaded: fields are validated as the user works. */
  ready: boolean
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

/** The state of a form and its changes: what every part of a form, the engine included, works on. */
export class FormStore {
  #state: FormSnapshot
  #listeners = new Set<() => void>()
  #engine: FormEngine | undefined
  #loading: Promise<FormEngine> | undefined
  /** Fields asked about before the engine was ready, with the delay of their server check if one was asked. */
  #waiting = new Map<string, number | undefined>()
  /** A submit is under way, from its first step (it may wait for the engine). */
  #submitting = false

  constructor(
    public defaults: unknown,
    public options: StoreOptions,
    public callers: FormCallers,
  ) {
    this.#state = derive({
      schema: undefined,
      ready: false,
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

  /** A new state from `next`, told to every listener. */
  commit(next: Partial<FormSnapshot>): void {
    this.#state = derive({ ...this.#state, ...next })
    for (const listener of this.#listeners) listener()
  }

  /** The field a path belongs to (itself when none does). */
  fieldOf(path: string): string {
    return fieldOfPath((this.#state.schema?.fields ?? []).map((field) => field.name), path) ?? path
  }

  /** Takes the form's schema and loads the engine; fields typed meanwhile are validated then. */
  setSchema(schema: FormSchema | undefined): void {
    if (schema === this.#state.schema) return
    this.commit({ schema, ready: false })
    if (schema === undefined) return
    this.#load().then(
      () => this.#flush(),
      // The code could not be fetched: the browser checks nothing; a submit tries again.
      () => {},
    )
  }

  /** The engine, loaded once; a failed load is tried again on the next call. */
  #load(): Promise<FormEngine> {
    this.#loading ??= import('./engine.js').then(
      ({ FormEngine }) => (this.#engine = new FormEngine(this)),
      (error: unknown) => {
        this.#loading = undefined
        throw error
      },
    )
    return this.#loading
  }

  /** The engine when it can validate: loaded, with a schema to validate by. */
  #live(): FormEngine | undefined {
    return this.#state.schema === undefined ? undefined : this.#engine
  }

  /** Validates what waited for the engine, now that it is here. */
  #flush(): void {
    const engine = this.#live()
    if (engine === undefined) return
    engine.prepare()
    if (!this.#state.ready) this.commit({ ready: true })
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    for (const [field, delay] of waiting) this.#ask(field, delay)
  }

  /** Validates a field in the browser and, with a delay, asks its server check; or waits for the engine. */
  #ask(field: string, delay?: number): void {
    const engine = this.#live()
    if (engine === undefined) {
      this.#waiting.set(field, delay ?? this.#waiting.get(field))
      return
    }
    engine.validateField(field)
    if (delay !== undefined) engine.scheduleCheck(field, delay)
  }

  /** Whether `values` pass the browser's schema; false until it is ready. */
  passes(values: unknown): boolean {
    return this.#state.ready && this.#live()?.passes(values) === true
  }

  /** Sets a value; clears the server's issues about it; validates and checks it as the mode says. */
  setValue(path: string, value: unknown): void {
    const { mode } = this.options
    const field = this.fieldOf(path)
    this.#engine?.cancelCheck(field)
    const stale = (issue: string) => touchedBy(issue, path)
    this.commit({ values: setAt(this.#state.values, path, value), server: withoutPaths(this.#state.server, stale), checks: withoutPaths(this.#state.checks, stale) })
    if (mode === 'change' || (mode === 'submit' && this.#state.submitted)) this.#ask(field, this.options.checkDelay)
    else if (hasUnder(this.#state.client, field)) this.#ask(field)
  }

  /** Marks a field touched; in `blur` mode, validates it and asks the server's check at once. */
  blur(path: string): void {
    const field = this.fieldOf(path)
    if (!this.#state.touched.has(field)) this.commit({ touched: new Set(this.#state.touched).add(field) })
    if (this.options.mode === 'blur') this.#ask(field, 0)
  }

  /** Every field touched and validated in the browser, then, when that passes, every server check. */
  async validate(): Promise<boolean> {
    const engine = await this.#load().catch(() => undefined)
    this.#waiting.clear()
    return engine === undefined ? false : engine.validate()
  }

  /** Validates everything in the browser (nothing is sent before it had its say), then submits. */
  async submit(): Promise<SubmitOutcome> {
    if (this.#submitting) return { ok: false }
    this.#submitting = true
    try {
      const engine = await this.#load()
      this.#waiting.clear()
      return await engine.submit()
    } catch (error) {
      this.commit({ submitted: true, submitError: error })
      return { ok: false }
    } finally {
      this.#submitting = false
    }
  }

  /** Back to `values` (else the defaults): no issues, nothing touched, no result, checks cancelled. */
  reset(values: unknown = this.defaults): void {
    this.#engine?.cancelAll()
    this.#waiting.clear()
    this.defaults = values
    this.commit({ values, touched: new Set(), client: NO_ISSUES, server: NO_ISSUES, checks: NO_ISSUES, submitted: false, result: undefined, submitError: undefined })
  }

  /** Stops every pending check: the form is gone. */
  dispose(): void {
    this.#waiting.clear()
    this.#engine?.cancelAll()
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

// What validates a form: the browser's schema (rebuilt with zod from the form's JSON Schema), the
// server checks (`validate`, debounced, the latest only) and the submit. Loaded with a dynamic
// import by the store once the form's schema has arrived, with zod and its JSON Schema reader.
import { cleanValues } from './clean.js'
import { withoutFiles } from './files.js'
import { issueMap, issuesOfData, issuesOfError, replaceUnder } from './answers.js'
import { hasUnder, NO_ISSUES, touchedBy, withoutPaths } from './issues.js'
import { clientIssues, formZodSchema } from './schema.js'
import type { FormStore, SubmitOutcome } from './store.js'
import type { FormField } from './wire.js'

/** The validating half of a {@link FormStore}: it reads and commits the store's state. */
export class FormEngine {
  #timers = new Map<string, ReturnType<typeof setTimeout>>()
  #controllers = new Map<string, AbortController>()

  constructor(private store: FormStore) {}

  get #fields(): readonly FormField[] {
    return this.store.getSnapshot().schema?.fields ?? []
  }

  /** Rebuilds the browser's schema now, so the first keystroke does not wait for it. */
  prepare(): void {
    const { schema } = this.store.getSnapshot()
    if (schema !== undefined) formZodSchema(schema)
  }

  /** The browser's issues with `values`, by full path. */
  #issues(values: unknown): Map<string, string[]> {
    const { schema } = this.store.getSnapshot()
    return schema === undefined ? new Map() : issueMap(clientIssues(schema, cleanValues(schema, values)))
  }

  passes(values: unknown): boolean {
    return this.#issues(values).size === 0
  }

  /** The values as they are sent (blank optional fields removed). */
  #sent(): unknown {
    const { schema, values } = this.store.getSnapshot()
    return schema === undefined ? values : cleanValues(schema, values)
  }

  /** Runs the browser's schema and keeps the issues under `field` (and of objects holding it). */
  validateField(field: string): void {
    const state = this.store.getSnapshot()
    const mine = [...this.#issues(state.values)].filter(([path]) => touchedBy(path, field))
    const client = new Map(withoutPaths(state.client, (path) => touchedBy(path, field)))
    for (const [path, messages] of mine) client.set(path, messages)
    this.store.commit({ client })
  }

  cancelCheck(field: string): void {
    clearTimeout(this.#timers.get(field))
    this.#timers.delete(field)
    // A check of an older value is superseded: its answer would be about something no longer typed.
    this.#controllers.get(field)?.abort()
    this.#controllers.delete(field)
    const { checking } = this.store.getSnapshot()
    if (checking.has(field)) {
      const next = new Set(checking)
      next.delete(field)
      this.store.commit({ checking: next })
    }
  }

  /** Asks the server's check of `field` after `delay` ms, unless the browser already found a problem. */
  scheduleCheck(field: string, delay: number): void {
    this.cancelCheck(field)
    const state = this.store.getSnapshot()
    if (this.#fields.find((f) => f.name === field)?.check !== true || hasUnder(state.client, field)) return
    this.store.commit({ checking: new Set(state.checking).add(field) })
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
      const answer = await this.store.callers.validate({ values: withoutFiles(this.#sent()), field }, controller.signal)
      issues = issuesOfData(answer)
    } catch {
      // A check that failed (network, rate limit) shows nothing: the submit checks again anyway.
    }
    if (controller.signal.aborted) return
    this.#controllers.delete(field)
    const state = this.store.getSnapshot()
    const checking = new Set(state.checking)
    checking.delete(field)
    this.store.commit({ checking, checks: issues === undefined ? state.checks : replaceUnder(state.checks, field, issues) })
  }

  cancelAll(): void {
    for (const field of new Set([...this.#timers.keys(), ...this.#controllers.keys()])) this.cancelCheck(field)
  }

  /** Every field touched and validated in the browser, then, when that passes, every server check. */
  async validate(): Promise<boolean> {
    this.cancelAll()
    const client = this.#issues(this.store.getSnapshot().values)
    this.store.commit({ client, touched: new Set(this.#fields.map((f) => f.name)) })
    if (client.size > 0) return false
    if (!this.#fields.some((field) => field.check)) return this.store.getSnapshot().server.size === 0
    const controller = new AbortController()
    const answer = await this.store.callers.validate({ values: withoutFiles(this.#sent()) }, controller.signal)
    const checks = issuesOfData(answer) ?? NO_ISSUES
    this.store.commit({ checks })
    return checks.size === 0 && this.store.getSnapshot().server.size === 0
  }

  /** Validates everything in the browser; sends nothing while a problem remains; else submits. */
  async submit(): Promise<SubmitOutcome> {
    this.cancelAll()
    const client = this.#issues(this.store.getSnapshot().values)
    this.store.commit({ submitted: true, client, touched: new Set(this.#fields.map((f) => f.name)), submitError: undefined })
    if (client.size > 0) return { ok: false, firstInvalid: this.#firstInvalid() }
    this.store.commit({ isSubmitting: true })
    try {
      const result = await this.store.callers.submit(this.#sent())
      this.store.commit({ isSubmitting: false, result, server: NO_ISSUES, checks: NO_ISSUES })
      return { ok: true }
    } catch (error) {
      const server = issuesOfError(error)
      this.store.commit({ isSubmitting: false, server: server ?? this.store.getSnapshot().server, submitError: server === undefined ? error : undefined })
      return { ok: false, firstInvalid: this.#firstInvalid() }
    }
  }

  #firstInvalid(): string | undefined {
    const { fieldErrors } = this.store.getSnapshot()
    return this.#fields.find((field) => fieldErrors[field.name] !== undefined)?.name
  }
}

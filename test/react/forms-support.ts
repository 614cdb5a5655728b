// A form router built by hand with the forms protocol's three procedures (`schema`, `validate`,
// `submit`) and its answers, so the React side runs end to end against a real server and client.
import { createClient } from '@mizan/client'
import type { FormField, FormSchema, FormValidation } from '@mizan/server'
import { createMizanServer, initMizan, MizanError, type ValidationIssue } from '@mizan/server'
import { z } from 'zod'

export const m = initMizan<{ who: string }>()

type Check<Values> = (value: unknown, args: { values: Values; signal: AbortSignal }) => string | undefined | Promise<string | undefined>

interface FormDef<S extends z.ZodObject> {
  title: string
  submitLabel?: string
  input: S
  fields: FormField[]
  checks?: Record<string, Check<z.input<S>>>
  affects?: string[]
  onSubmit: (input: z.output<S>) => unknown
}

function at(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), values)
}

function answerOf(issues: ValidationIssue[]): FormValidation {
  const fieldErrors: Record<string, string[]> = {}
  for (const issue of issues) (fieldErrors[issue.path.join('.')] ??= []).push(issue.message)
  return { ok: issues.length === 0, issues, fieldErrors }
}

async function runChecks<S extends z.ZodObject>(def: FormDef<S>, values: unknown, only: string | undefined, signal: AbortSignal): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = []
  for (const [name, check] of Object.entries(def.checks ?? {})) {
    if (only !== undefined && only !== name) continue
    const message = await check(at(values, name), { values: values as z.input<S>, signal })
    if (message !== undefined) issues.push({ path: name.split('.'), message })
  }
  return issues
}

/** The three procedures of a form, answering what the forms protocol says. */
export function formRouter<S extends z.ZodObject, Output>(def: FormDef<S> & { onSubmit: (input: z.output<S>) => Output }) {
  const jsonSchema = z.toJSONSchema(def.input, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'file') Object.assign(ctx.jsonSchema, { type: 'string', format: 'binary' })
    },
  }) as Record<string, unknown>
  const schema: FormSchema = { title: def.title, submitLabel: def.submitLabel ?? 'Submit', jsonSchema, fields: def.fields }
  const files = def.fields.filter((field) => field.widget === 'file').map((field) => field.name)
  return m.router({
    schema: m.query((): FormSchema => schema),
    validate: m.query({ input: z.object({ values: z.unknown(), field: z.string().optional() }) }, async ({ input, signal }): Promise<FormValidation> => {
      if (input.field !== undefined && !def.fields.some((field) => field.name === input.field)) throw new MizanError('BAD_REQUEST', `No field ${input.field}`)
      const parsed = def.input.safeParse(input.values)
      const under = (path: string) => input.field === undefined || path === input.field || path.startsWith(`${input.field}.`)
      const issues: ValidationIssue[] = (parsed.success ? [] : parsed.error.issues)
        .map((issue) => ({ path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))), message: issue.message }))
        // Files cannot travel in a query: their issues are the submit's.
        .filter((issue) => !files.includes(issue.path.join('.')) && under(issue.path.join('.')))
      if (issues.length === 0) issues.push(...(await runChecks(def, input.values, input.field, signal)))
      return answerOf(issues)
    }),
    submit: m.mutation({ input: def.input, affects: def.affects as never }, async ({ input, signal }) => {
      const issues = await runChecks(def, input, undefined, signal)
      if (issues.length > 0) throw new MizanError('BAD_REQUEST', 'Some fields need attention', { data: { ...answerOf(issues) } })
      return def.onSubmit(input as z.output<S>)
    }),
  })
}

/** A field as the server would describe it, with defaults. */
export function field(name: string, extra: Partial<FormField> = {}): FormField {
  const last = name.split('.').pop()!
  return { name, label: last[0]!.toUpperCase() + last.slice(1), widget: 'text', required: true, check: false, ...extra }
}

/** A gate a test opens: lets a handler wait without sleeping. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** Starts `router` on a free port; counts requests per procedure path. */
export async function serve<R extends Parameters<typeof createMizanServer>[0]['router']>(router: R) {
  const server = createMizanServer({ router, createContext: () => ({ who: 'test' }), onError: () => {} })
  const { url } = await server.listen(0, '127.0.0.1')
  const requests: { method: string; url: string; paths: string[]; body: unknown }[] = []
  const countingFetch: typeof fetch = async (input, init) => {
    const paths = new URL(String(input)).pathname.split('/').pop()!.split(',')
    requests.push({ method: init?.method ?? 'GET', url: String(input), paths, body: init?.body })
    if (typeof FormData !== 'undefined' && init?.body instanceof FormData) {
      const { body, contentType } = await multipart(init.body)
      const headers = new Headers(init.headers)
      headers.set('content-type', contentType)
      return fetch(input, { ...init, body, headers })
    }
    return fetch(input, init)
  }
  return {
    server,
    client: () => createClient<R>({ url, fetch: countingFetch }),
    /** How many requests called `path`. */
    calls: (path: string) => requests.filter((request) => request.paths.includes(path)).length,
    requests,
    close: () => server.close(),
  }
}

/**
 * Writes a page's FormData as the multipart body a browser sends. Under jsdom the page's FormData
 * and File are jsdom's, which Node's fetch cannot send; the bytes are the same.
 */
async function multipart(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const boundary = `----mizan-test-${Math.random().toString(16).slice(2)}`
  const text = (value: string) => new TextEncoder().encode(value)
  const chunks: Uint8Array[] = []
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      chunks.push(text(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
    } else {
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.name}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`
      chunks.push(text(head), new Uint8Array(await value.arrayBuffer()), text('\r\n'))
    }
  }
  chunks.push(text(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

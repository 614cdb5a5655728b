import type { FileLimits } from '../files/limits.js'
import type { AuthedCtx, AuthRule, ErrorsOption, HandlerArgs, Procedure } from '../procedure.js'
import type { RateLimitRule } from '../rate-limit/rule.js'
import type { Router } from '../router.js'
import type { AnySchema, InferSchemaInput, InferSchemaOutput } from '../schema.js'
import type { FormFieldOptions } from './field-options.js'
import type { FormFieldPath, FormValueAt, FormValues } from './paths.js'
import type { FormSchema, FormValidateInput, FormValidation } from './wire.js'

/**
 * The `fields` option of a form: by dotted field name of the input, how each field shows and what
 * the server checks of it. A check receives the field's parsed value.
 */
export type FormFieldsOf<Ctx, S extends AnySchema> = {
  [P in FormFieldPath<InferSchemaInput<S>>]?: FormFieldOptions<FormValueAt<InferSchemaOutput<S>, P>, Ctx, FormValues<InferSchemaOutput<S>>>
}

/**
 * Options of `m.form`. `Ctx` is the builder's context, `S` the input schema (a zod 4 `z.object`),
 * `A` the `auth` rule (it narrows the context checks and `onSubmit` see), `R` what `onSubmit` returns.
 */
export interface FormOptions<Ctx, S extends AnySchema = AnySchema, A = AuthRule<Ctx> | undefined, R = unknown, E extends ErrorsOption = {}> {
  /** The form's heading; also names the form in definition-time errors. */
  title: string
  description?: string
  /** The submit button's text. Default `'Submit'`. */
  submitLabel?: string
  /**
   * What the form sends: a zod 4 `z.object()`. Its fields are described to the browser as JSON
   * Schema, so each must be a type JSON Schema carries (a TypeError at definition time otherwise);
   * refinements and transforms run on the server only.
   */
  input: S
  /** How fields show and their server checks, by dotted name (`'address.city'`); all optional. */
  fields?: FormFieldsOf<AuthedCtx<Ctx, { auth: A }>, S>
  /** Who may read, validate and submit the form (all three procedures); see {@link AuthRule}. */
  auth?: A
  /** The rate limit of `submit` (`schema` and `validate` have the builder's default). */
  rateLimit?: RateLimitRule<AuthedCtx<Ctx, { auth: A }>, InferSchemaOutput<S>> | false
  /** Limits of the files `submit` takes, when the input holds `z.file()`. */
  files?: FileLimits
  /** Router paths a submission changes, as a mutation's `affects`. */
  affects?: readonly string[]
  /** Also serve the three procedures over the WebSocket connection. */
  websocket?: boolean
  /** Free-form metadata of `submit`, listed in the manifest. */
  meta?: Record<string, unknown>
  /** Errors `onSubmit` may end with through `fail(code, data)`, as a mutation's `errors`. */
  errors?: E
  /** Runs once the input passed its schema and every check: what a mutation's handler is. */
  onSubmit: (args: HandlerArgs<AuthedCtx<Ctx, { auth: A }>, InferSchemaOutput<S>, E>) => R
}

/** The procedures of a form: `schema` and `validate` (queries) and `submit` (a mutation). */
export type FormRecord<Input, Output, Affects extends string, Errors = {}> = {
  schema: Procedure<'query', void, FormSchema>
  validate: Procedure<'query', FormValidateInput, FormValidation>
  submit: Procedure<'mutation', Input, Output, Affects, undefined, Errors>
}

/**
 * A form, as `m.form` makes it: a router of three procedures (`schema`, `validate`, `submit`),
 * served, called and proxied like any router, branded with its `Input` (what `submit` takes, as
 * the client sends it) and `Output` (what it answers) on the phantom `'~form'` slot.
 */
export type Form<Input, Output, Affects extends string = never, Ctx = any, T extends string = string, Errors = {}> = Router<
  FormRecord<Input, Output, Affects, Errors>,
  Ctx,
  T,
  'schema' | 'validate' | 'submit',
  Affects
> & { readonly '~form'?: { readonly input: Input; readonly output: Output } }

/** Any form. */
export type AnyForm = Form<any, any, any, any, any, any>

/** What a form's `submit` takes, as the client sends it. */
export type FormInput<F extends AnyForm> = NonNullable<F['~form']>['input']

/** What a form's `submit` answers. */
export type FormOutput<F extends AnyForm> = NonNullable<F['~form']>['output']

// The shapes the server's three form procedures answer (`schema`, `validate`), as declared by
// `@mizan/server`: one definition for both sides of the wire.
export type { FormField, FormSchema, FormValidateInput, FormValidation, FormWidget } from '@mizan/server'

// `@mizan/react/forms`: server-declared forms in React. A subpath of its own, so apps without forms
// load none of it (nor zod in the browser).
export { useForm, type DeepPartial, type FormFieldState, type UseFormOptions, type UseFormResult } from './use-form.js'
export { MizanForm, type MizanFormProps } from './mizan-form.js'
export { mizanResolver, type MizanResolver } from './resolver.js'
export { mizanFormValidators, type MizanFormValidators, type TanStackFormErrors } from './tanstack.js'
export { formZodSchema } from './client-check.js'
export type { FieldProps } from './field-props.js'
export type { FieldPath, FieldValue } from './paths.js'
export type { FormInputOf, FormNode, FormOutputOf } from './node.js'
export type { FormMode } from './store.js'

// The values as a form sends them: blank boxes of optional fields left out. Needs no zod, so it is
// ready before the browser's schema is (that one loads on demand).
import { getAt, setAt } from './paths.js'
import type { FormSchema } from './wire.js'

type Json = Record<string, unknown>

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Whether the JSON Schema requires the key at `path` in its parent (unknown paths count as required). */
function isRequired(root: Json, path: string): boolean {
  const keys = path.split('.')
  let node: Json = root
  for (let i = 0; i < keys.length - 1; i++) {
    const properties = node.properties
    if (!isJson(properties) || !isJson(properties[keys[i]!])) return true
    node = properties[keys[i]!] as Json
  }
  return !(isJson(node.properties) && Array.isArray(node.required) && !node.required.includes(keys[keys.length - 1]))
}

function isEmptyObject(value: unknown): boolean {
  return isJson(value) && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0
}

/**
 * The values as they are sent: an empty text (`''`) or a number input left blank (`NaN`) in a field
 * that is not required becomes absent, and so does an optional group left all blank (`address: {}`
 * when `address` is optional), so an optional `z.email()` accepts an empty box.
 */
export function cleanValues<T>(schema: Pick<FormSchema, 'fields' | 'jsonSchema'>, values: T): T {
  let clean = values
  const root = isJson(schema.jsonSchema) ? schema.jsonSchema : {}
  for (const field of schema.fields) {
    if (field.required) continue
    const value = getAt(clean, field.name)
    if (value !== '' && !(typeof value === 'number' && Number.isNaN(value))) continue
    clean = setAt(clean, field.name, undefined)
    let parent = field.name.split('.').slice(0, -1).join('.')
    while (parent !== '' && isEmptyObject(getAt(clean, parent)) && !isRequired(root, parent)) {
      clean = setAt(clean, parent, undefined)
      parent = parent.split('.').slice(0, -1).join('.')
    }
  }
  return clean
}

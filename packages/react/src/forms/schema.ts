// The browser's copy of a form's input schema: rebuilt once per `FormSchema` from its JSON Schema
// with zod's `z.fromJSONSchema`, file fields as `z.file()` with their size and types. It is a
// courtesy to the user (errors before any request); the server validates everything again.
import type { ValidationIssue } from '@mizan/server'
import { z } from 'zod'
import { fileSchema } from './files.js'
import { getAt, isUnder, setAt } from './paths.js'
import type { FormSchema } from './wire.js'

type Json = Record<string, unknown>

const built = new WeakMap<FormSchema, z.ZodType>()

/**
 * The zod schema of a form's input, as the browser checks it: everything the JSON Schema says
 * (types, lengths, patterns, enums, required keys), and file fields as `z.file()` with `maxSize`
 * and `accept`. Refinements and transforms live on the server only. Built once per schema object.
 */
export function formZodSchema(schema: FormSchema): z.ZodType {
  let zod = built.get(schema)
  if (zod === undefined) built.set(schema, (zod = rebuild(schema)))
  return zod
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function rebuild(schema: FormSchema): z.ZodType {
  const root = isJson(schema.jsonSchema) ? schema.jsonSchema : {}
  const files = new Map(schema.fields.filter((field) => field.widget === 'file').map((field) => [field.name, field]))
  // Sub-schemas are handed to zod with the root's definitions, so their `$ref`s still resolve.
  const defs = Object.fromEntries(['$defs', 'definitions'].filter((key) => key in root).map((key) => [key, root[key]]))
  const fromJson = (json: Json): z.ZodType => {
    try {
      return z.fromJSONSchema({ ...defs, ...json } as never)
    } catch {
      // A schema this zod cannot read checks nothing in the browser; the server still checks it all.
      return z.unknown()
    }
  }
  const holdsFile = (path: string) => [...files.keys()].some((name) => name !== path && isUnder(name, path))
  const node = (json: Json, path: string): z.ZodType => {
    const file = files.get(path)
    if (file !== undefined) {
      const nullable = Array.isArray(json.anyOf) && json.anyOf.some((member) => isJson(member) && member.type === 'null')
      return nullable ? fileSchema(file).nullable() : fileSchema(file)
    }
    if (!holdsFile(path)) return fromJson(json)
    // An object holding a file field is rebuilt key by key: zod's reader knows no files.
    if (json.type === 'object' && isJson(json.properties)) {
      const required = new Set(Array.isArray(json.required) ? json.required : [])
      const shape: Record<string, z.ZodType> = {}
      for (const [key, sub] of Object.entries(json.properties)) {
        const child = node(isJson(sub) ? sub : {}, path === '' ? key : `${path}.${key}`)
        shape[key] = required.has(key) ? child : child.optional()
      }
      return json.additionalProperties === false ? z.strictObject(shape) : z.object(shape)
    }
    if (Array.isArray(json.anyOf)) {
      const members = json.anyOf.filter(isJson).map((member) => node(member, path))
      if (members.length >= 2) return z.union(members as [z.ZodType, z.ZodType, ...z.ZodType[]])
      if (members.length === 1) return members[0]!
    }
    return fromJson(json)
  }
  return node(root, '')
}

/** Checks values with the browser's schema: the issues, with full paths (`['address', 'city']`). */
export function clientIssues(schema: FormSchema, values: unknown): ValidationIssue[] {
  const result = formZodSchema(schema).safeParse(values)
  if (result.success) return []
  return result.error.issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)))
    // zod's words for a value never given ("expected string, received undefined") say less than this.
    const missing = issue.code === 'invalid_type' && path.length > 0 && getAt(values, path.join('.')) === undefined
    return { path, message: missing ? 'Required' : issue.message }
  })
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

// The browser's copy of a form's input schema: rebuilt once per `FormSchema` from its JSON Schema
// with zod's `z.fromJSONSchema`, file fields as `z.file()` with their size and types. It is a
// courtesy to the user (errors before any request); the server validates everything again.
import type { ValidationIssue } from '@mizan/server'
import { z } from 'zod'
import { fileSchema } from './file-schema.js'
import { messageOf } from './messages.js'
import { getAt, isUnder } from './paths.js'
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

/**
 * Checks values with the browser's schema: the issues, with full paths (`['address', 'city']`),
 * each with the field's own message for its code when the server sent one.
 */
export function clientIssues(schema: FormSchema, values: unknown): ValidationIssue[] {
  const result = formZodSchema(schema).safeParse(values)
  if (result.success) return []
  const fields = Array.isArray(schema.fields) ? schema.fields : []
  return result.error.issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)))
    const dotted = path.join('.')
    // A value never given: zod's words ("expected string, received undefined") say less than the field's.
    const missing = issue.code === 'invalid_type' && path.length > 0 && getAt(values, dotted) === undefined
    return { path, message: messageOf(fields, dotted, issue, missing) }
  })
}

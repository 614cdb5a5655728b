import { MizanError } from '../errors.js'

/**
 * Where an input schema lets files stand: a tree that follows the schema only along the paths that
 * lead to a `z.file()`. It is what a multipart part's name is checked against, so a client can
 * place a file nowhere the schema does not expect one.
 */
export interface FileSlot {
  /** A file may stand here. */
  file: boolean
  /** Object keys under which a file may stand. */
  keys?: Map<string, FileSlot>
  /** Any key of a record. */
  values?: FileSlot
  /** Any index of an array (below `maxFiles`). */
  items?: FileSlot
  /** Given indexes of a tuple. */
  at?: Map<number, FileSlot>
}

/** One step of a part's path into the input: a key of an object, or an index of an array. */
export type SlotStep = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number }

/** Nesting a schema walk follows at most: deeper files are not found (and so cannot be sent). */
const MAX_WALK_DEPTH = 32

/**
 * The file slots of a zod 4 schema, or `undefined` when it holds no `z.file()` (or is not zod: other
 * schema libraries do not describe themselves the same way, so their procedures take no files).
 * Followed: objects, arrays, tuples, records, unions, intersections, wrappers (optional, nullable,
 * default, catch, readonly, ...) and a pipe's input side. Not followed: `z.lazy` (recursive schemas
 * would never end) and a schema already being walked.
 */
export function fileSlotsOf(schema: unknown): FileSlot | undefined {
  return walk(schema, new Set(), 0)
}

interface ZodDef {
  type?: string
  shape?: Record<string, unknown>
  element?: unknown
  valueType?: unknown
  items?: unknown[]
  rest?: unknown
  options?: unknown[]
  left?: unknown
  right?: unknown
  in?: unknown
  innerType?: unknown
}

function defOf(schema: unknown): ZodDef | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined
  const zod = (schema as { _zod?: { def?: unknown } })._zod
  return typeof zod?.def === 'object' && zod.def !== null ? (zod.def as ZodDef) : undefined
}

function walk(schema: unknown, active: Set<unknown>, depth: number): FileSlot | undefined {
  const def = defOf(schema)
  if (def === undefined || depth > MAX_WALK_DEPTH || active.has(schema)) return undefined
  active.add(schema)
  try {
    return slotOf(def, (inner) => walk(inner, active, depth + 1))
  } finally {
    active.delete(schema)
  }
}

function slotOf(def: ZodDef, inner: (schema: unknown) => FileSlot | undefined): FileSlot | undefined {
  switch (def.type) {
    case 'file':
      return { file: true }
    case 'object': {
      const keys = new Map<string, FileSlot>()
      for (const [key, value] of Object.entries(def.shape ?? {})) {
        const slot = inner(value)
        if (slot !== undefined) keys.set(key, slot)
      }
      return keys.size === 0 ? undefined : { file: false, keys }
    }
    case 'array': {
      const items = inner(def.element)
      return items === undefined ? undefined : { file: false, items }
    }
    case 'record': {
      const values = inner(def.valueType)
      return values === undefined ? undefined : { file: false, values }
    }
    case 'tuple': {
      const at = new Map<number, FileSlot>()
      ;(def.items ?? []).forEach((item, index) => {
        const slot = inner(item)
        if (slot !== undefined) at.set(index, slot)
      })
      const items = def.rest == null ? undefined : inner(def.rest)
      if (at.size === 0 && items === undefined) return undefined
      return { file: false, ...(at.size > 0 ? { at } : {}), ...(items !== undefined ? { items } : {}) }
    }
    case 'union':
      return mergeAll((def.options ?? []).map(inner))
    case 'intersection':
      return mergeAll([inner(def.left), inner(def.right)])
    case 'pipe':
      // What the client sends is what the pipe's first schema reads.
      return inner(def.in)
    case 'lazy':
      return undefined
    default:
      // optional, nullable, default, prefault, catch, readonly, nonoptional, success, ...
      return def.innerType === undefined ? undefined : inner(def.innerType)
  }
}

function mergeAll(slots: (FileSlot | undefined)[]): FileSlot | undefined {
  let merged: FileSlot | undefined
  for (const slot of slots) if (slot !== undefined) merged = merged === undefined ? slot : merge(merged, slot)
  return merged
}

/** Where either slot lets a file stand (the members of a union, the sides of an intersection). */
function merge(a: FileSlot, b: FileSlot): FileSlot {
  const slot: FileSlot = { file: a.file || b.file }
  const keys = mergeMaps(a.keys, b.keys)
  if (keys !== undefined) slot.keys = keys
  const values = a.values === undefined ? b.values : b.values === undefined ? a.values : merge(a.values, b.values)
  if (values !== undefined) slot.values = values
  const items = a.items === undefined ? b.items : b.items === undefined ? a.items : merge(a.items, b.items)
  if (items !== undefined) slot.items = items
  const at = mergeMaps(a.at, b.at)
  if (at !== undefined) slot.at = at
  return slot
}

function mergeMaps<K>(a: Map<K, FileSlot> | undefined, b: Map<K, FileSlot> | undefined): Map<K, FileSlot> | undefined {
  if (a === undefined || b === undefined) return a ?? b
  const merged = new Map(a)
  for (const [key, slot] of b) {
    const existing = merged.get(key)
    merged.set(key, existing === undefined ? slot : merge(existing, slot))
  }
  return merged
}

/** Keys that would reach an object's prototype: never a step of a part's path, whatever the schema says. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])
/** An array index as the Mizan client writes it: no sign, no leading zero, no exponent. */
const CANONICAL_INDEX = /^(0|[1-9][0-9]{0,8})$/

/**
 * The path a file part's name (`input`, `input.image`, `input.attachments.0`) names in the input,
 * checked against the procedure's slots: 400 when the schema has no file there.
 */
export function slotPath(name: string, root: FileSlot, maxFiles: number): SlotStep[] {
  const refuse = (why: string): never => {
    throw new MizanError('BAD_REQUEST', `No file may be sent as ${JSON.stringify(name.slice(0, 200))}: ${why}`)
  }
  if (name !== 'input' && !name.startsWith('input.')) refuse('a file part is named input or input.<path>')
  const steps: SlotStep[] = []
  let slot = root
  for (const segment of name === 'input' ? [] : name.slice(6).split('.')) {
    if (segment === '') refuse('a path has no empty step')
    if (FORBIDDEN.has(segment)) refuse(`"${segment}" is not allowed in a path`)
    const index = CANONICAL_INDEX.test(segment) ? Number(segment) : undefined
    let next: FileSlot | undefined
    if (index !== undefined && (slot.at?.has(index) === true || slot.items !== undefined)) {
      next = slot.at?.get(index) ?? slot.items
      if (slot.at?.has(index) !== true && index >= maxFiles) refuse(`an index is below ${maxFiles}`)
      steps.push({ kind: 'index', index })
    } else {
      next = slot.keys?.get(segment) ?? slot.values
      steps.push({ kind: 'key', key: segment })
    }
    if (next === undefined) refuse('the input has no file there')
    slot = next!
  }
  if (!slot.file) refuse('the input has no file there')
  return steps
}

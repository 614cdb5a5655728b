import { MizanError } from '../errors.js'
import type { SlotStep } from './slots.js'

/** A received file and where its part's name puts it. */
export interface PlacedFile {
  readonly steps: readonly SlotStep[]
  readonly file: File
}

/**
 * Puts the files into the input decoded from the `input` field: missing objects and arrays on the
 * way are created (as the slot says), and the place itself must be empty (`undefined` or `null`:
 * the Mizan client leaves the key out of objects and puts `null` in arrays). Anything else there,
 * or a container of the wrong kind on the way, is a 400: a file never overwrites a value.
 * The paths were checked against the schema's slots, so no step reaches a prototype.
 */
export function placeFiles(input: unknown, files: readonly PlacedFile[]): unknown {
  let root = input
  for (const { steps, file } of files) {
    if (steps.length === 0) {
      if (root !== undefined && root !== null) throw occupied('input')
      root = file
      continue
    }
    root ??= containerFor(steps[0]!)
    let parent = root
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!
      const holder = asContainer(parent, step, i, steps)
      const key = step.kind === 'key' ? step.key : step.index
      const current = Object.hasOwn(holder, key) ? (holder as Record<string | number, unknown>)[key] : undefined
      if (i === steps.length - 1) {
        if (current !== undefined && current !== null) throw occupied(where(steps))
        define(holder, key, file)
      } else if (current === undefined || current === null) {
        const created = containerFor(steps[i + 1]!)
        define(holder, key, created)
        parent = created
      } else {
        parent = current
      }
    }
  }
  return root
}

function containerFor(step: SlotStep): object {
  return step.kind === 'index' ? [] : {}
}

/** `parent` as the container `step` needs: an array for an index, a plain object for a key. */
function asContainer(parent: unknown, step: SlotStep, i: number, steps: readonly SlotStep[]): object {
  const fits = step.kind === 'index' ? Array.isArray(parent) : isPlainObject(parent)
  if (!fits) throw new MizanError('BAD_REQUEST', `The file part ${where(steps)} does not fit the input: ${where(steps.slice(0, i))} is not ${step.kind === 'index' ? 'an array' : 'an object'}`)
  return parent as object
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** An own, plain data property: never a setter on the way, whatever the key. */
function define(holder: object, key: string | number, value: unknown): void {
  Object.defineProperty(holder, key, { value, writable: true, enumerable: true, configurable: true })
}

function where(steps: readonly SlotStep[]): string {
  return ['input', ...steps.map((step) => (step.kind === 'key' ? step.key : String(step.index)))].join('.')
}

function occupied(path: string): MizanError {
  return new MizanError('BAD_REQUEST', `The input already holds a value at ${path}, where a file part goes`)
}

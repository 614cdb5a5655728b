import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fileSlotsOf, slotPath } from './slots.js'

const paths = (schema: unknown, name: string, maxFiles = 10) => slotPath(name, fileSlotsOf(schema)!, maxFiles)

describe('fileSlotsOf', () => {
  it('finds no slot in a schema without z.file(), nor in one that is not zod', () => {
    expect(fileSlotsOf(z.object({ a: z.string(), b: z.array(z.number()) }))).toBeUndefined()
    expect(fileSlotsOf({ '~standard': { version: 1, vendor: 'x', validate: () => ({ value: 1 }) } })).toBeUndefined()
    expect(fileSlotsOf(undefined)).toBeUndefined()
  })

  it('follows objects, arrays, records, tuples, wrappers, unions, intersections and a pipe input side', () => {
    const schema = z.object({
      top: z.file().optional(),
      list: z.array(z.file()).nullable(),
      byName: z.record(z.string(), z.file()),
      pair: z.tuple([z.string(), z.file()]),
      either: z.union([z.string(), z.object({ inner: z.file() })]),
      both: z.intersection(z.object({ a: z.file() }), z.object({ b: z.file() })),
      piped: z.file().transform((file) => file.name),
      defaulted: z.file().default(new File([], 'x')).catch(new File([], 'y')).readonly(),
    })
    expect(paths(schema, 'input.top')).toEqual([{ kind: 'key', key: 'top' }])
    expect(paths(schema, 'input.list.3')).toEqual([{ kind: 'key', key: 'list' }, { kind: 'index', index: 3 }])
    expect(paths(schema, 'input.byName.any-key')).toEqual([{ kind: 'key', key: 'byName' }, { kind: 'key', key: 'any-key' }])
    expect(paths(schema, 'input.pair.1')).toEqual([{ kind: 'key', key: 'pair' }, { kind: 'index', index: 1 }])
    expect(() => paths(schema, 'input.pair.0')).toThrow(/no file there/)
    expect(paths(schema, 'input.either.inner')).toHaveLength(2)
    expect(paths(schema, 'input.both.a')).toHaveLength(2)
    expect(paths(schema, 'input.both.b')).toHaveLength(2)
    expect(paths(schema, 'input.piped')).toHaveLength(1)
    expect(paths(schema, 'input.defaulted')).toHaveLength(1)
  })

  it('stops at z.lazy and at a schema that contains itself', () => {
    expect(fileSlotsOf(z.object({ later: z.lazy(() => z.file()) }))).toBeUndefined()
    const Node: z.ZodType = z.object({
      get children() {
        return z.array(Node)
      },
      icon: z.file(),
    })
    expect(paths(Node, 'input.icon')).toHaveLength(1)
  })

  it('a top-level file is the part named input', () => {
    expect(paths(z.file(), 'input')).toEqual([])
    expect(() => paths(z.file(), 'input.x')).toThrow(/no file there/)
  })
})

describe('slotPath refuses', () => {
  const schema = z.object({ title: z.string(), files: z.array(z.file()), map: z.record(z.string(), z.file()) })
  it.each([
    ['file', /named input/],
    ['inputx', /named input/],
    ['input.title', /no file there/],
    ['input.files', /no file there/],
    ['input.files.01', /no file there/],
    ['input.files.-1', /no file there/],
    ['input.files.1e3', /no file there/],
    ['input.files.10', /below 10/],
    ['input.map.__proto__', /not allowed/],
    ['input.map.constructor', /not allowed/],
    ['input.map.prototype', /not allowed/],
    ['input..files', /empty step/],
    ['input.', /empty step/],
  ])('%s', (name, message) => {
    expect(() => paths(schema, name)).toThrow(message)
  })
})

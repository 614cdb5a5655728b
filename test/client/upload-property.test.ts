import { createClient } from '@mizan/client'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fakeFetch, type FilesRouter } from './files-support.js'

// The multipart body the client builds, read back with the placement rule of the protocol (each
// file part put back at its path: `input.a.0` → input.a[0]), gives back the input it was built from.

/** A file of the generated input: its identity lives in its bytes, which survive the trip. */
type Leaf = { file: string; type: string; name: string | undefined }

const KEY = fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'a b', 'ä', '')).filter(
  // Dots would make a path ambiguous and digits-only keys look like array indexes; the server's
  // schema tells those apart, this test has no schema.
  (key) => !key.includes('.') && !/^\d+$/.test(key),
)

let serial = 0
const file = fc.record({ type: fc.constantFrom('', 'image/png', 'text/plain'), name: fc.option(fc.constantFrom('a.png', 'résumé.pdf', 'x'), { nil: undefined }) }).map(
  ({ type, name }): Leaf => ({ file: `bytes-${serial++}`, type, name }),
)

/** JSON-ish values with files at any depth, in objects and arrays. */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.jsonValue({ maxDepth: 0 }), file, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(KEY, tie('value'), { maxKeys: 4 }),
}))

const isLeaf = (v: unknown): v is Leaf => typeof v === 'object' && v !== null && typeof (v as Leaf).file === 'string' && 'type' in v && 'name' in v

/** The input as the client gets it: each leaf a real Blob or File. */
function materialize(v: unknown): unknown {
  if (isLeaf(v)) return v.name === undefined ? new Blob([v.file], { type: v.type }) : new File([v.file], v.name, { type: v.type })
  if (Array.isArray(v)) return v.map(materialize)
  if (typeof v === 'object' && v !== null) return assign({}, Object.entries(v).map(([k, item]) => [k, materialize(item)]))
  return v
}

/** What the server hands the handler, in this test's terms: each file as its bytes, type and name. */
function expected(v: unknown): unknown {
  if (isLeaf(v)) return { file: v.file, type: v.type || 'application/octet-stream', name: v.name ?? 'blob' }
  if (Array.isArray(v)) return v.map(expected)
  if (typeof v === 'object' && v !== null) return assign({}, Object.entries(v).map(([k, item]) => [k, expected(item)]))
  return v
}

function assign(target: Record<string, unknown>, entries: [string, unknown][]): Record<string, unknown> {
  for (const [key, item] of entries) Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true })
  return target
}

/** The placement rule: decode `input`, then put each file part at its path. */
async function place(form: FormData): Promise<unknown> {
  const text = form.get('input')
  const root: { input: unknown } = { input: typeof text === 'string' ? JSON.parse(text) : undefined }
  for (const [name, part] of form) {
    if (typeof part === 'string') continue
    const path = name.split('.')
    expect(path[0]).toBe('input')
    let container: Record<string, unknown> = root
    // Own properties only: `__proto__` is a key like any other here.
    const own = (key: string) => (Object.hasOwn(container, key) ? container[key] : undefined)
    for (const segment of path.slice(0, -1)) {
      container = own(segment) as Record<string, unknown>
      expect(typeof container).toBe('object') // every container of a file is in the JSON
    }
    const slot = path[path.length - 1]!
    expect(own(slot) ?? null).toBe(null) // an object's key is absent, an array's slot null
    assign(container, [[slot, { file: await part.text(), type: part.type, name: part.name }]])
  }
  return root.input
}

describe('the multipart body of an upload', () => {
  it('gives back the input, each file put back at its path', async () => {
    await fc.assert(
      fc.asyncProperty(
        value.filter((v) => JSON.stringify(v).includes('"file":"bytes-')),
        async (generated) => {
          const { fetch, seen } = fakeFetch()
          const client = createClient<FilesRouter>({ url: 'http://files.test/api', fetch, transformer: 'json' })
          await client.anything.mutate(materialize(generated))
          expect(seen).toHaveLength(1)
          // Serialized and parsed as a server would, not only inspected in memory.
          const form = await new Response(seen[0]!.body as FormData).formData()
          expect(await place(form)).toEqual(expected(generated))
        },
      ),
      { seed: 7_2026, numRuns: 300 },
    )
  })
})

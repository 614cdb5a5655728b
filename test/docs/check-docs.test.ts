// The docs checker (scripts/check-docs.mjs, run by `npm test`) on a document written for the test:
// each convention it documents, and errors reported at the Markdown line a reader would fix.
import { describe, expect, it } from 'vitest'
import { checkDocs } from '../../scripts/check-docs.mjs'

const doc = [
  '# A page',
  '',
  '<!-- docs-check: prelude',
  "import { initMizan } from '@mizan/server'",
  'const m = initMizan<{ user: null }>()',
  '-->',
  '',
  '```ts',
  '// server.ts',
  "import { z } from 'zod'",
  'export const appRouter = m.router({ hello: m.query({ input: z.string() }, ({ input }) => input) })',
  'export type AppRouter = typeof appRouter',
  'const shownOnly = 1',
  '```',
  '',
  '```ts',
  "import { createClient, isMizanError } from '@mizan/client'",
  "import type { AppRouter } from './server'",
  "const client = createClient<AppRouter>({ url: '/api/mizan' })",
  "const greeting: string = await client.hello.query('you')",
  '```',
  '',
  'Later prose.',
  '',
  '<!-- docs-check: continue -->',
  '```ts',
  'await client.goodbye.query()',
  '```',
  '',
  '<!-- docs-check: skip — pseudo-code, not TypeScript -->',
  '```ts',
  'for each post: refetch',
  '```',
  '',
  '- in a list:',
  '',
  '  ```ts',
  "  const count: number = 'three'",
  '  ```',
  '',
  '```tsx',
  'export function Empty() {',
  '  const unusedInside = 1',
  '  return <p />',
  '}',
  '```',
  '',
  '```ts',
  'interface CacheOptions {',
  '  ttl: number',
  "  scope: 'public' | 'user'",
  '}',
  'interface Unrelated { a: number }',
  '```',
  '',
  '<!-- docs-check: skip -->',
  '```ts',
  'whatever',
  '```',
  '',
  '```console',
  '$ not TypeScript, not checked',
  '```',
].join('\n')

const lineOf = (text: string) => doc.split('\n').findIndex((line) => line.includes(text)) + 1

describe('the docs checker', () => {
  const result = checkDocs({ documents: ['fixture.md'], texts: { 'fixture.md': doc } })
  const found = result.problems.map((p: { line: number; column: number; message: string }) => `${p.line}:${p.column} ${p.message.slice(0, 6)}`)

  it('reports exactly the broken blocks, at their Markdown lines', () => {
    expect(found).toEqual([
      `${lineOf('isMizanError')}:24 TS6133`, // an unused import fails
      `${lineOf('client.goodbye')}:14 TS2339`, // a continued block sees the names before it, and a wrong path fails
      `${lineOf("'three'")}:9 TS2322`, // a block indented in a list: the column is the Markdown's
      `${lineOf('unusedInside')}:9 TS6133`, // an unused name inside a function fails
      `${lineOf('interface CacheOptions')}:1 docs-c`, // a documented export missing members (swr, rev)
      `${lineOf('<!-- docs-check: skip -->')}:1 docs-c`, // a skip without a reason
    ])
  })

  it('counts blocks and modules, and leaves skipped and non-TypeScript blocks out', () => {
    expect(result).toMatchObject({ blocks: 6, modules: 5, skipped: 2, documents: 1 })
  })

  it('explains a skip without a reason, and a documented type that is not the exported one', () => {
    const messages = result.problems.map((p: { message: string }) => p.message).filter((m: string) => m.startsWith('docs-check'))
    expect(messages).toEqual(['docs-check: CacheOptions as written here is not the CacheOptions that @mizan/server exports', expect.stringContaining('skip needs a reason')])
  })
})

describe('the docs checker, with blocks named by paths', () => {
  it('places a block named `// lib/router.ts` at that path, so `app/[id]/page.tsx` imports it relatively', () => {
    const paths = [
      '```ts',
      '// lib/router.ts',
      "import { initMizan } from '@mizan/server'",
      'export const router = initMizan().router({ hi: initMizan().query(() => 1) })',
      '```',
      '',
      '```tsx',
      '// app/[id]/page.tsx',
      "import { router } from '../../lib/router'",
      'export default function Page() {',
      '  return <p>{Object.keys(router).length}</p>',
      '}',
      '```',
    ].join('\n')
    expect(checkDocs({ documents: ['paths.md'], texts: { 'paths.md': paths } }).problems).toEqual([])
  })
})

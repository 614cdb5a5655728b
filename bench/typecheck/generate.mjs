// Generates the same router as a TypeScript project for Mizan, tRPC and oRPC: N procedures in N/6
// router files, each with 6 procedures over 3 levels, zod inputs, and one consumer file per router
// that calls every procedure through the library's typed client and annotates every result.
// Usage (by hand): node bench/typecheck/generate.mjs <mizan|trpc|orpc> <procedures> <out dir>
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const rootDir = path.resolve(benchDir, '..')

export const LIBRARIES = ['mizan', 'trpc', 'orpc', 'plain']
export const PROCEDURES_PER_ROUTER = 6

/**
 * The fixed layout of one router file `r{i}`, 3 levels deep (`r{i}` → `a`/`b` → `c`), half queries,
 * half mutations. Each procedure has its own input shape (one key carries the router's number, so
 * no two routers share an input type), a handler returning a small object, the type a consumer
 * annotates the result with, and the input a consumer sends.
 */
export const PROCEDURES = [
  {
    path: ['a', 'list'],
    kind: 'query',
    input: (i) => `z.object({ page: z.number().int().min(1), tag${i}: z.string().optional() })`,
    body: (i) => `({ page: input.page, items: [{ id: 'p${i}', title: input.tag${i} ?? 'untitled' }] })`,
    result: '{ page: number; items: { id: string; title: string }[] }',
    call: () => '{ page: 1 }',
  },
  {
    path: ['a', 'create'],
    kind: 'mutation',
    input: (i) => `z.object({ title: z.string().min(1), body${i}: z.string().max(1000) })`,
    body: (i) => `({ id: 'n${i}', title: input.title, length: input.body${i}.length })`,
    result: '{ id: string; title: string; length: number }',
    call: (i) => `{ title: 'hello', body${i}: 'text' }`,
  },
  {
    path: ['b', 'get'],
    kind: 'query',
    input: (i) => `z.object({ id: z.string(), expand${i}: z.boolean().optional() })`,
    body: () => '({ id: input.id, views: 1, tags: [\'a\'] })',
    result: '{ id: string; views: number; tags: string[] }',
    call: () => "{ id: 'x' }",
  },
  {
    path: ['b', 'update'],
    kind: 'mutation',
    input: (i) => `z.object({ id: z.string(), patch${i}: z.object({ title: z.string().optional(), done: z.boolean().optional() }) })`,
    body: (i) => `({ id: input.id, updated: input.patch${i}.done ?? false })`,
    result: '{ id: string; updated: boolean }',
    call: (i) => `{ id: 'x', patch${i}: { done: true } }`,
  },
  {
    path: ['b', 'c', 'search'],
    kind: 'query',
    input: (i) => `z.object({ q: z.string(), limit: z.number().max(100).optional(), in${i}: z.enum(['title', 'body']).optional() })`,
    body: () => '({ q: input.q, hits: [input.q], total: input.limit ?? 10 })',
    result: '{ q: string; hits: string[]; total: number }',
    call: () => "{ q: 'find', limit: 5 }",
  },
  {
    path: ['b', 'c', 'remove'],
    kind: 'mutation',
    input: (i) => `z.object({ ids${i}: z.array(z.string()).min(1) })`,
    body: (i) => `({ removed: input.ids${i}.length })`,
    result: '{ removed: number }',
    call: (i) => `{ ids${i}: ['x'] }`,
  },
]

/** What differs between the libraries: how a procedure, a router and a call are written. */
const DIALECTS = {
  mizan: {
    init: `import { initMizan } from '@mizan/server'\n\nexport const m = initMizan()\n`,
    routerImports: `import { m } from '../init'`,
    procedure: (p, i) => `m.${p.kind}({ input: ${p.input(i)} }, ({ input }) => ${p.body(i)})`,
    router: (body) => `m.router(${body})`,
    client: `import { createClient } from '@mizan/client'
import type { AppRouter } from './router'

export const client = createClient<AppRouter>({ url: 'http://localhost:3000/api/mizan' })
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}.${p.kind === 'query' ? 'query' : 'mutate'}(${p.call(i)})`,
  },
  trpc: {
    init: `import { initTRPC } from '@trpc/server'\n\nexport const t = initTRPC.create()\n`,
    routerImports: `import { t } from '../init'`,
    procedure: (p, i) => `t.procedure.input(${p.input(i)}).${p.kind}(({ input }) => ${p.body(i)})`,
    router: (body) => `t.router(${body})`,
    client: `import { createTRPCClient, httpBatchLink } from '@trpc/client'
import type { AppRouter } from './router'

export const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: 'http://localhost:3000/trpc' })] })
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}.${p.kind === 'query' ? 'query' : 'mutate'}(${p.call(i)})`,
  },
  orpc: {
    // oRPC has no query/mutation distinction in its types: every procedure is `os.input().handler()`.
    init: `import { os } from '@orpc/server'\n\nexport const o = os\n`,
    routerImports: `import { o } from '../init'`,
    procedure: (p, i) => `o.input(${p.input(i)}).handler(({ input }) => ${p.body(i)})`,
    router: (body) => body,
    client: `import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import type { AppRouter } from './router'

export const client: RouterClient<AppRouter> = createORPCClient(new RPCLink({ url: 'http://localhost:3000/rpc' }))
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}(${p.call(i)})`,
  },
  // The floor: the same zod schemas, handlers and annotated calls with no RPC library, each
  // procedure a typed async function (`(input: z.input<S>) => Promise<Output>`) called directly.
  plain: {
    init: `import type { z } from 'zod'

export function procedure<S extends z.ZodType, R>(schema: S, handler: (args: { input: z.output<S> }) => R | Promise<R>): (input: z.input<S>) => Promise<R> {
  return async (input) => await handler({ input: schema.parse(input) })
}
`,
    routerImports: `import { procedure } from '../init'`,
    procedure: (p, i) => `procedure(${p.input(i)}, ({ input }) => ${p.body(i)})`,
    router: (body) => body,
    client: `import { appRouter } from './router'

export const client = appRouter
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}(${p.call(i)})`,
  },
}

/** Nests the procedures of one router by their paths: `{ a: { list, create }, b: { get, update, c: { ... } } }`. */
function routerBody(dialect, i) {
  const tree = {}
  for (const p of PROCEDURES) {
    let node = tree
    for (const key of p.path.slice(0, -1)) node = node[key] ??= {}
    node[p.path.at(-1)] = dialect.procedure(p, i)
  }
  const print = (node, indent) =>
    `{\n${Object.entries(node)
      .map(([key, value]) => `${indent}  ${key}: ${typeof value === 'string' ? value : print(value, indent + '  ')},`)
      .join('\n')}\n${indent}}`
  return print(tree, '')
}

/** The tsconfig every project gets; Mizan's packages resolve to this repo's build (packages/<name>/dist). */
export function tsconfig(lib) {
  const compilerOptions = {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  }
  if (lib === 'mizan') {
    compilerOptions.paths = Object.fromEntries(
      ['server', 'client', 'wire'].map((name) => [`@mizan/${name}`, [path.join(rootDir, 'packages', name, 'dist/index.d.ts')]]),
    )
  }
  return { compilerOptions, include: ['src'] }
}

/** Writes the project of `lib` with `procedures` procedures into `dir` (emptied first); returns its file count. */
export function generate(lib, procedures, dir) {
  const dialect = DIALECTS[lib]
  if (!dialect) throw new Error(`unknown library "${lib}" (one of ${LIBRARIES.join(', ')})`)
  const routers = Math.ceil(procedures / PROCEDURES_PER_ROUTER)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(path.join(dir, 'src/routers'), { recursive: true })
  mkdirSync(path.join(dir, 'src/use'), { recursive: true })
  const write = (file, text) => writeFileSync(path.join(dir, file), text)

  write('package.json', JSON.stringify({ name: `typecheck-${lib}-${procedures}`, private: true, type: 'module' }, null, 2) + '\n')
  write('tsconfig.json', JSON.stringify(tsconfig(lib), null, 2) + '\n')
  write('src/init.ts', dialect.init)
  for (let i = 0; i < routers; i++) {
    write(`src/routers/r${i}.ts`, `import { z } from 'zod'\n${dialect.routerImports}\n\nexport const r${i} = ${dialect.router(routerBody(dialect, i))}\n`)
  }
  const names = Array.from({ length: routers }, (_, i) => `r${i}`)
  write(
    'src/router.ts',
    `${names.map((name) => `import { ${name} } from './routers/${name}'`).join('\n')}
${lib === 'mizan' ? "import { m } from './init'\n" : lib === 'trpc' ? "import { t } from './init'\n" : ''}
export const appRouter = ${dialect.router(`{\n${names.map((name) => `  ${name},`).join('\n')}\n}`)}
export type AppRouter = typeof appRouter
`,
  )
  write('src/client.ts', dialect.client)
  for (let i = 0; i < routers; i++) {
    const lines = PROCEDURES.map((p, k) => `  const v${k}: ${p.result} = await ${dialect.call(p, i)}`)
    write(
      `src/use/u${i}.ts`,
      `import { client } from '../client'

export async function use${i}(): Promise<number> {
${lines.join('\n')}
  return [${PROCEDURES.map((_, k) => `v${k}`).join(', ')}].length
}
`,
    )
  }
  return 2 * routers + 3
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [lib, procedures, dir] = process.argv.slice(2)
  if (!lib || !procedures || !dir) {
    console.error('usage: node bench/typecheck/generate.mjs <mizan|trpc|orpc> <procedures> <out dir>')
    process.exit(2)
  }
  const files = generate(lib, Number(procedures), path.resolve(dir))
  console.log(`${lib}: ${procedures} procedures, ${files} source files in ${dir}`)
}

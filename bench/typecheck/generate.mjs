// Generates the same router as a TypeScript project for Mizan, tRPC and oRPC: N procedures in N/6
// router files, each with 6 procedures over 3 levels, zod inputs, and one consumer file per router
// that calls every procedure through the library's typed client and annotates every result.
// Usage (by hand): node bench/typecheck/generate.mjs <mizan|trpc|orpc|plain|mizan-affects> <procedures> <out dir>
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const rootDir = path.resolve(benchDir, '..')

export const LIBRARIES = ['mizan', 'trpc', 'orpc', 'plain', 'mizan-affects']
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
    affects: (i) => [`r${i}.a.list`],
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
    affects: (i) => [`r${i}.b.get`, `r${i}.b.c.search`],
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
    affects: (i) => [`r${i}.b`],
  },
]

/** What differs between the libraries: how a procedure, a router and a call are written. */
const DIALECTS = {
  mizan: {
    init: `import { initMizan } from '@mizan/server'\n\nexport const m = initMizan()\n`,
    builder: 'm',
    procedure: (p, i) => `m.${p.kind}({ input: ${p.input(i)} }, ({ input }) => ${p.body(i)})`,
    router: (body) => `m.router(${body})`,
    client: (from) => `import { createClient } from '@mizan/client'
import type { AppRouter } from '${from}'

export const client = createClient<AppRouter>({ url: 'http://localhost:3000/api/mizan' })
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}.${p.kind === 'query' ? 'query' : 'mutate'}(${p.call(i)})`,
  },
  trpc: {
    init: `import { initTRPC } from '@trpc/server'\n\nexport const t = initTRPC.create()\n`,
    builder: 't',
    procedure: (p, i) => `t.procedure.input(${p.input(i)}).${p.kind}(({ input }) => ${p.body(i)})`,
    router: (body) => `t.router(${body})`,
    client: (from) => `import { createTRPCClient, httpBatchLink } from '@trpc/client'
import type { AppRouter } from '${from}'

export const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: 'http://localhost:3000/trpc' })] })
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}.${p.kind === 'query' ? 'query' : 'mutate'}(${p.call(i)})`,
  },
  orpc: {
    // oRPC has no query/mutation distinction in its types: every procedure is `os.input().handler()`,
    // and routers are plain objects.
    init: `import { os } from '@orpc/server'\n\nexport const o = os\n`,
    builder: 'o',
    procedure: (p, i) => `o.input(${p.input(i)}).handler(({ input }) => ${p.body(i)})`,
    router: (body) => body,
    client: (from) => `import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import type { RouterClient } from '@orpc/server'
import type { AppRouter } from '${from}'

export const client: RouterClient<AppRouter> = createORPCClient(new RPCLink({ url: 'http://localhost:3000/rpc' }))
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}(${p.call(i)})`,
  },
  // The reference: the same zod schemas, handlers and annotated calls with no RPC library, each
  // procedure a typed async function (`(input: z.input<S>) => Promise<Output>`) called directly.
  plain: {
    init: `import type { z } from 'zod'

export function procedure<S extends z.ZodType, R>(schema: S, handler: (args: { input: z.output<S> }) => R | Promise<R>): (input: z.input<S>) => Promise<R> {
  return async (input) => await handler({ input: schema.parse(input) })
}
`,
    builder: 'procedure',
    procedure: (p, i) => `procedure(${p.input(i)}, ({ input }) => ${p.body(i)})`,
    router: (body) => body,
    client: (from) => `import { appRouter } from '${from}'

export const client = appRouter
`,
    call: (p, i) => `client.r${i}.${p.path.join('.')}(${p.call(i)})`,
  },
}
// Mizan as its guide writes mutations: each names what it changes (`affects`), which the types check
// against the router's paths. tRPC and oRPC have no counterpart; this row shows what the check costs.
DIALECTS['mizan-affects'] = {
  ...DIALECTS.mizan,
  procedure: (p, i) =>
    `m.${p.kind}({ input: ${p.input(i)}${p.affects ? `, affects: [${p.affects(i).map((a) => `'${a}'`).join(', ')}]` : ''} }, ({ input }) => ${p.body(i)})`,
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
  if (lib.startsWith('mizan')) {
    compilerOptions.paths = Object.fromEntries(
      ['server', 'client', 'wire'].map((name) => [`@mizan/${name}`, [path.join(rootDir, 'packages', name, 'dist/index.d.ts')]]),
    )
  }
  return { compilerOptions, include: ['src'] }
}

/**
 * Writes the whole app of `lib` with `procedures` procedures into `dir` (emptied first): the router
 * files, the root router, the client and the consumers. Returns its number of source files.
 */
export function generate(lib, procedures, dir) {
  const dialect = dialectOf(lib)
  const routers = routerCount(procedures)
  const write = startProject(lib, procedures, dir)
  write('src/init.ts', dialect.init)
  mkdirSync(path.join(dir, 'src/routers'))
  for (let i = 0; i < routers; i++) {
    write(`src/routers/r${i}.ts`, `import { z } from 'zod'\nimport { ${dialect.builder} } from '../init'\n\nexport const r${i} = ${dialect.router(routerBody(dialect, i))}\n`)
  }
  const names = Array.from({ length: routers }, (_, i) => `r${i}`)
  const usesBuilder = dialect.router('') !== ''
  write(
    'src/router.ts',
    `${names.map((name) => `import { ${name} } from './routers/${name}'`).join('\n')}
${usesBuilder ? `import { ${dialect.builder} } from './init'\n` : ''}
export const appRouter = ${dialect.router(`{\n${names.map((name) => `  ${name},`).join('\n')}\n}`)}
export type AppRouter = typeof appRouter
`,
  )
  write('src/client.ts', dialect.client('./router'))
  writeConsumers(dialect, routers, write)
  return 2 * routers + 3
}

/**
 * Writes the client side alone into `dir`: the client and the consumers, with the router's type
 * taken from the declarations (`.d.ts`) the whole app's project emits, as a front end in a monorepo
 * gets it from the server package's build. `emit(sourceDir, outDir)` writes those declarations, or
 * returns why it cannot (then this returns that reason, a string, and the project is not usable).
 * Otherwise returns the number of source files.
 */
export function generateDeclared(lib, procedures, dir, sourceDir, emit) {
  const dialect = dialectOf(lib)
  const write = startProject(lib, procedures, dir)
  // Outside src/: only what the client imports is loaded, as from a package's dist.
  const failure = emit(sourceDir, path.join(dir, 'server'))
  if (typeof failure === 'string') return failure
  rmSync(path.join(dir, 'server/use'), { recursive: true, force: true })
  rmSync(path.join(dir, 'server/client.d.ts'), { force: true })
  write('src/client.ts', dialect.client('../server/router'))
  writeConsumers(dialect, routerCount(procedures), write)
  return routerCount(procedures) + 1
}

function dialectOf(lib) {
  const dialect = DIALECTS[lib]
  if (!dialect) throw new Error(`unknown library "${lib}" (one of ${LIBRARIES.join(', ')})`)
  return dialect
}

function routerCount(procedures) {
  return Math.ceil(procedures / PROCEDURES_PER_ROUTER)
}

/** Empties `dir`, writes its package.json and tsconfig, and returns a writer of files inside it. */
function startProject(lib, procedures, dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(path.join(dir, 'src/use'), { recursive: true })
  const write = (file, text) => writeFileSync(path.join(dir, file), text)
  write('package.json', JSON.stringify({ name: `typecheck-${lib}-${procedures}`, private: true, type: 'module' }, null, 2) + '\n')
  write('tsconfig.json', JSON.stringify(tsconfig(lib), null, 2) + '\n')
  return write
}

/** One consumer per router: every procedure called through the client, every result annotated. */
function writeConsumers(dialect, routers, write) {
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [lib, procedures, dir] = process.argv.slice(2)
  if (!lib || !procedures || !dir) {
    console.error(`usage: node bench/typecheck/generate.mjs <${LIBRARIES.join('|')}> <procedures> <out dir>`)
    process.exit(2)
  }
  const files = generate(lib, Number(procedures), path.resolve(dir))
  console.log(`${lib}: ${procedures} procedures, ${files} source files in ${dir}`)
}

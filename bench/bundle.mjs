// Bundle cost: what a browser downloads for each library's client and React layer, built the same
// way (esbuild, minified, ESM, code splitting on, gzip -9), with react and @tanstack/react-query
// external since every app pays for those anyway.
// Usage: node bench/bundle.mjs   (after `npm run build` at the root and `npm install --prefix bench`)
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const rootDir = path.resolve(benchDir, '..')

// Each entry is what a typical app imports. Mizan's packages resolve from the root workspace
// (their built dist, through their package exports), the others from bench/node_modules.
const ENTRIES = {
  'mizan-client': `export { createClient, isMizanError } from '@mizan/client'`,
  'mizan-react': `export { createClient, isMizanError } from '@mizan/client'
export { createMizanReact, MizanProvider, useMizanContext } from '@mizan/react'`,
  // Forms (`@mizan/react/forms`) on top of the React layer: the hook alone, and the hook with the
  // component that draws a whole form. zod is measured both ways: an app with forms usually ships it
  // already for its own schemas; when not, the browser also downloads zod for the rebuilt schema.
  'mizan-forms-hook': `export { createClient, isMizanError } from '@mizan/client'
export { createMizanReact, MizanProvider, useMizanContext } from '@mizan/react'
export { useForm } from '@mizan/react/forms'`,
  'mizan-forms-component': `export { createClient, isMizanError } from '@mizan/client'
export { createMizanReact, MizanProvider, useMizanContext } from '@mizan/react'
export { useForm, MizanForm } from '@mizan/react/forms'`,
  'trpc-client': `export { createTRPCClient, httpBatchLink, isTRPCClientError } from '@trpc/client'`,
  'trpc-react': `export { createTRPCClient, httpBatchLink, isTRPCClientError } from '@trpc/client'
export { createTRPCContext, createTRPCOptionsProxy } from '@trpc/tanstack-react-query'`,
  'orpc-client': `export { createORPCClient } from '@orpc/client'
export { RPCLink } from '@orpc/client/fetch'`,
  'orpc-react': `export { createORPCClient } from '@orpc/client'
export { RPCLink } from '@orpc/client/fetch'
export { createTanstackQueryUtils } from '@orpc/tanstack-query'`,
}

const EXTERNAL = ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/react-query', '@tanstack/query-core']
/** The forms entries, built once with zod external and once with zod in the bundle. */
const FORMS = ['mizan-forms-hook', 'mizan-forms-component']

const workDir = path.join(benchDir, '.work', 'bundle')
mkdirSync(workDir, { recursive: true })

/** Builds one entry; returns the gzip size of what loads up front and of lazily loaded chunks. */
async function measure(name, source, external = EXTERNAL) {
  const entry = path.join(workDir, `${name}.js`)
  writeFileSync(entry, source + '\n')
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    outdir: path.join(workDir, 'out', name),
    write: false,
    metafile: true,
    external,
    nodePaths: [path.join(benchDir, 'node_modules'), path.join(rootDir, 'node_modules')],
    logLevel: 'silent',
    absWorkingDir: rootDir,
  })
  const gzipOf = new Map(result.outputFiles.map((file) => [file.path, gzipSync(file.contents, { level: 9 }).length]))
  // The entry chunk and the chunks it imports statically load first; chunks reached only by a
  // dynamic import (esbuild names those by the module they start from) load on need.
  const outputs = result.metafile.outputs
  const entryKey = Object.keys(outputs).find((key) => outputs[key].entryPoint === path.relative(rootDir, entry))
  const upFront = new Set([entryKey])
  for (const key of upFront) for (const i of outputs[key].imports) if (i.kind === 'import-statement' && i.path in outputs) upFront.add(i.path)
  let initial = 0
  let lazy = 0
  for (const key of Object.keys(outputs)) {
    const gz = gzipOf.get(path.resolve(rootDir, key)) ?? 0
    if (upFront.has(key)) initial += gz
    else lazy += gz
  }
  return { initial, lazy }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`
const sizes = {}
for (const [name, source] of Object.entries(ENTRIES)) {
  if (FORMS.includes(name)) {
    sizes[name] = await measure(name, source, [...EXTERNAL, 'zod'])
    sizes[`${name}+zod`] = await measure(`${name}-zod`, source)
  } else sizes[name] = await measure(name, source)
}

const rows = [
  ['client (with batching)', 'mizan-client', 'trpc-client', 'orpc-client'],
  ['client + React layer', 'mizan-react', 'trpc-react', 'orpc-react'],
]
console.log(`machine: ${os.availableParallelism()} cores, Node ${process.version}; esbuild minified ESM, gzip -9, react and @tanstack/react-query external\n`)
console.log('bundle (gzip)              Mizan                    tRPC      oRPC      Mizan/tRPC')
for (const [label, mizan, trpc, orpc] of rows) {
  const m = sizes[mizan]
  const lazyNote = m.lazy ? ` (+${kb(m.lazy)} lazy)` : ''
  console.log(
    `${label.padEnd(26)} ${(kb(m.initial) + lazyNote).padEnd(24)} ${kb(sizes[trpc].initial).padEnd(9)} ${kb(sizes[orpc].initial).padEnd(9)} ${(m.initial / sizes[trpc].initial).toFixed(2)}×`,
  )
}
const reactLayer = (lib) => sizes[`${lib}-react`].initial - sizes[`${lib}-client`].initial
console.log(`${'React layer alone'.padEnd(26)} ${('+' + kb(reactLayer('mizan'))).padEnd(24)} ${('+' + kb(reactLayer('trpc'))).padEnd(9)} ${('+' + kb(reactLayer('orpc'))).padEnd(9)}`)
const over = (name) => sizes[name].initial - sizes['mizan-react'].initial
console.log('\nforms (@mizan/react/forms), over client + React layer zod external              zod included')
// What loads on demand (the browser's schema and validation, once a form's schema arrived, and zod
// with it when bundled) beyond the React layer's own lazy chunks.
const lazyOver = (name) => sizes[name].lazy - sizes['mizan-react'].lazy
const cell = (name) => `+${kb(over(name))} (+${kb(lazyOver(name))} lazy)`
for (const [label, name] of [['useForm', 'mizan-forms-hook'], ['useForm + MizanForm', 'mizan-forms-component']]) {
  console.log(`${label.padEnd(42)} ${cell(name).padEnd(26)} ${cell(`${name}+zod`)}`)
}
console.log('\n"lazy": superjson, fetched only the first time a value needs it (a Date, Map, Set, BigInt); for forms,')
console.log('the browser\'s schema and validation (with zod when bundled), fetched once a form\'s schema has arrived.')

mkdirSync(path.join(benchDir, 'results'), { recursive: true })
writeFileSync(
  path.join(benchDir, 'results', 'bundle.json'),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, command: 'node bench/bundle.mjs', sizes }, null, 2) + '\n',
)

// Bundles the JavaScript tsc emitted for the server packages into one file per entry point, which is
// what their package.json `exports` load. Node loads every module of an import graph separately:
// @mizan/server as ~60 small files took ~30 ms longer to import than as one, most of its cold
// start's difference from tRPC's (see bench/coldstart.mjs). tsc's output (dist/*.js, dist/*.d.ts)
// stays: the declarations are what TypeScript reads, and the repository's benchmarks import single
// modules of it.
// Run by `npm run build` after `tsc -b`. Usage: node scripts/bundle-packages.mjs
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The packages whose JavaScript ships bundled; the client and React packages are bundled by the app's bundler. */
export const BUNDLED = ['wire', 'server']

/** Where an export's bundle is (`./dist/bundle/<name>.js`) and the tsc output it is made from (`dist/<name>.js`). */
function entryPoints(pkgDir) {
  const { exports } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  const entries = {}
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target === 'string') continue // ./package.json
    const match = /^\.\/dist\/bundle\/(.+)\.js$/.exec(target.import)
    if (match === null) throw new Error(`${pkgDir}: export "${subpath}" must load ./dist/bundle/<name>.js (got ${target.import})`)
    entries[match[1]] = path.join(pkgDir, 'dist', `${match[1]}.js`)
  }
  return entries
}

/**
 * Every bare import stays an import but `@mizan/wire`'s, whose few pure functions and constants are
 * bundled in: one module less to resolve (through a package.json and a symlink in a workspace) and
 * to link saved the server ~1 ms of its cold start. It holds no state and no class, so a copy in
 * the client's bundle and one in the server's cannot disagree; its types still come from the
 * package, which stays a dependency.
 */
const inlineWire = {
  name: 'inline-wire',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path === '@mizan/wire' ? undefined : { path: args.path, external: true }))
  },
}

for (const name of BUNDLED) {
  const pkgDir = path.join(rootDir, 'packages', name)
  // Chunk names carry a hash of their content: without a clean start, every build would leave its
  // chunks behind, to be packed and published with the new ones.
  rmSync(path.join(pkgDir, 'dist/bundle'), { recursive: true, force: true })
  await build({
    entryPoints: entryPoints(pkgDir),
    outdir: path.join(pkgDir, 'dist/bundle'),
    bundle: true,
    // Several entry points share their modules (and the state in them) through common chunks;
    // dynamic imports stay dynamic.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    // Dependencies and peers stay imports: only this package's own modules are bundled, and the
    // wire protocol's (see inlineWire).
    plugins: [inlineWire],
    // Follows tsc's source maps, so stack traces and debuggers point at src/*.ts.
    sourcemap: true,
    // Minified whole, names included: V8 scans every byte of the bundle when it is imported, and
    // shorter names took it from 207 kB to 155 kB, ~2.5 ms less to import (1 % of a cold start, the
    // margin that keeps it under tRPC's; bench/coldstart.mjs). The bundle was one line already, so a
    // stack trace read by itself lost only the function names: run Node with
    // `--enable-source-maps` and each frame points at its file and line of src/*.ts through the
    // shipped source map. No code reads a function's name (errors set `name` themselves). No
    // keepNames: its call per function at load time cost what the short names saved.
    minify: true,
    logLevel: 'warning',
  })
}

// Where the benchmarks are and what they measure: this repository's build of Mizan and bench/'s
// own dependencies (bench/package.json, not a workspace). Resolved from this file, not from the
// working directory, so every script runs the same from the root (`node bench/x.mjs`) and from
// bench/ (`node x.mjs`).
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const rootDir = path.resolve(benchDir, '..')

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The installed version of one of bench/'s dependencies: the results say what was measured. */
export function versionOf(name) {
  return readJson(path.join(benchDir, 'node_modules', name, 'package.json')).version
}

/** Mizan's version as this repository builds it (the benchmarks load packages/*\/dist, not a release). */
export function mizanVersion() {
  return readJson(path.join(rootDir, 'packages/server/package.json')).version
}

/**
 * Fails early, with the command that fixes it, when bench/'s dependencies are not installed:
 * better than a module-not-found from a server child halfway through a run.
 */
export function requireDependencies(names) {
  for (const name of names) {
    if (!existsSync(path.join(benchDir, 'node_modules', name))) {
      console.error('The benchmark dependencies are not installed: run `npm install --prefix bench` from the repo root.')
      process.exit(1)
    }
  }
}

/** The same for Mizan's build: `packages` are the workspace folders whose dist/ the run loads. */
export function requireBuild(packages) {
  for (const pkg of packages) {
    if (!existsSync(path.join(rootDir, `packages/${pkg}/dist/index.js`))) {
      console.error(`Mizan is not built (packages/${pkg}/dist is missing): run \`npm run build\` at the repo root first.`)
      process.exit(1)
    }
  }
}

// The packages as a user gets them: each packed with `npm pack` (from the build `npm test` makes
// first), installed into a fresh app outside the repository with its real dependencies and the peers
// an app installs (zod, react, @tanstack/react-query), but none of the optional ones (no ioredis, no
// @types/ws). The app (test/package/fresh-app) is type-checked with `skipLibCheck: false` under
// TypeScript 5.9 and 7, then run.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const rootDir = fileURLToPath(new URL('../..', import.meta.url))
const PACKAGES = ['wire', 'server', 'client', 'react'] as const
const MINUTE = 60_000

// Children get a clean npm environment: `npm test` exports npm_config_* (workspace, prefix...)
// that would make the app's npm act on this repository instead.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')))

function run(command: string, args: string[], cwd: string, timeout: number): SpawnSyncReturns<string> {
  // SIGKILL on timeout: a hung child must not outlive the test.
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 64 << 20 })
}

function succeed(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`.slice(0, 8000))
  return result.stdout
}

// Without the npm registry no app can be installed. On a developer's machine offline that skips
// this file, loudly; under CI it fails like any other test.
const registry = run('npm', ['ping'], rootDir, MINUTE).status === 0
if (!registry && process.env.CI === undefined) {
  console.warn('\n!! test/package/tarballs.test.ts SKIPPED: the npm registry is unreachable (`npm ping` failed); the packed packages were NOT checked.\n')
}

describe.skipIf(!registry && process.env.CI === undefined)('the packed packages, installed in a fresh app', () => {
  let work: string
  let app: string
  const packed = new Map<string, { filename: string; files: string[] }>()

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'mizan-packages-'))
    app = path.join(work, 'app')
    for (const name of PACKAGES) {
      const out = succeed(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], path.join(rootDir, 'packages', name), MINUTE), `npm pack packages/${name}`)
      const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[]
      packed.set(name, { filename: path.join(work, info!.filename), files: info!.files.map((file) => file.path) })
    }
    cpSync(path.join(rootDir, 'test/package/fresh-app'), app, { recursive: true })
    const tarball = (name: string) => `file:${packed.get(name)!.filename}`
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'mizan-fresh-app',
        private: true,
        type: 'module',
        // What a user installs: the three packages and the peers every sample needs.
        dependencies: {
          '@mizan/server': tarball('server'),
          '@mizan/client': tarball('client'),
          '@mizan/react': tarball('react'),
          zod: '^4.0.0',
          react: '^19.0.0',
          'react-dom': '^19.0.0',
          '@tanstack/react-query': '^5.80.0',
        },
        devDependencies: {
          '@types/node': '^20.0.0',
          '@types/react': '^19.0.0',
          '@types/react-dom': '^19.0.0',
          typescript: '5.9',
          typescript7: 'npm:typescript@^7.0.2',
        },
        // @mizan/wire is not listed: it comes as the other packages' dependency, from its tarball
        // here as it would from the registry.
        overrides: { '@mizan/wire': tarball('wire') },
      }),
    )
    succeed(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app, 4 * MINUTE), 'npm install in the fresh app')
  }, 6 * MINUTE)

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  it('ship built code, declarations and sources only: no test files', () => {
    for (const [name, { files }] of packed) {
      expect(files.filter((file) => /\.test\.|(^|\/)(test|tests|__tests__)\//.test(file)), `packages/${name}`).toEqual([])
      expect(files.filter((file) => !/^(package\.json|README\.md|LICENSE(\.md)?|dist\/.+|src\/.+)$/.test(file)), `packages/${name}`).toEqual([])
    }
  })

  it('ship every file their exports name', () => {
    for (const name of PACKAGES) {
      const { exports } = JSON.parse(readFileSync(path.join(rootDir, 'packages', name, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> }
      const targets = Object.values(exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))
      for (const target of targets) expect(packed.get(name)!.files, `packages/${name} exports ${target}`).toContain(target.replace(/^\.\//, ''))
    }
  })

  it('install without the optional peers and with one copy of React and TanStack Query', () => {
    for (const optional of ['ioredis', '@types/ws']) expect(existsSync(path.join(app, 'node_modules', optional)), optional).toBe(false)
    for (const shared of ['react', '@tanstack/react-query']) {
      // Every path npm installed it at: one, the app's own, which @mizan/react shares.
      const copies = succeed(run('npm', ['ls', '--all', '--parseable', shared], app, MINUTE), `npm ls ${shared}`).trim().split('\n')
      expect(copies, shared).toEqual([path.join(app, 'node_modules', shared)])
    }
  })

  it('type-check strictly, with skipLibCheck false, under TypeScript 5.9', () => {
    const tsc = path.join(app, 'node_modules/typescript/bin/tsc')
    expect(succeed(run('node', [tsc, '--version'], app, MINUTE), 'tsc --version')).toMatch(/^Version 5\.9\./)
    succeed(run('node', [tsc, '-p', '.', '--strict', '--skipLibCheck', 'false', '--noEmit'], app, 3 * MINUTE), 'tsc 5.9')
  }, 4 * MINUTE)

  // TypeScript 7 checks again and emits the JavaScript the next test runs.
  it('type-check strictly, with skipLibCheck false, under TypeScript 7', () => {
    const tsc = path.join(app, 'node_modules/typescript7/bin/tsc')
    expect(succeed(run(tsc, ['--version'], app, MINUTE), 'tsc 7 --version')).toMatch(/^Version 7\./)
    succeed(run(tsc, ['-p', '.', '--strict', '--skipLibCheck', 'false'], app, 3 * MINUTE), 'tsc 7')
  }, 4 * MINUTE)

  it('run: the server answers the client, the mutation invalidates what it affects, React renders', () => {
    const out = succeed(run('node', ['dist/main.js'], app, MINUTE), 'node dist/main.js')
    expect(JSON.parse(out)).toEqual({
      added: { id: 1, text: 'first', at: '1970-01-01T00:00:00.000Z' },
      listed: ['first'],
      dateSurvived: true,
      invalidated: ['notes.list'],
      refused: 'UNAUTHORIZED',
      rendered: true,
    })
  }, 2 * MINUTE)
})

// `@mizan/react` in React Server Components (Next.js's App Router). A Server Component prefetches
// through `createMizanReact` and `@mizan/react/ssr`, so every module they load must load under
// React's server build, which has no state, effects or context. Next refuses, at build time, any
// module of a Server Component's graph that imports one of those by name, unless the module is
// marked 'use client' (its exports then arrive as client references). This checks the same rule
// over the package's sources, so a regression fails here and not only in a Next build.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dir = fileURLToPath(new URL('../../packages/react/src/', import.meta.url))
const sources = readdirSync(dir).filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
const text = (name: string) => readFileSync(dir + name, 'utf8')

// What React's server build lacks (and Next checks for) among the exports of 'react'.
const CLIENT_ONLY = new Set([
  'Component',
  'PureComponent',
  'createContext',
  'useContext',
  'useState',
  'useReducer',
  'useEffect',
  'useLayoutEffect',
  'useInsertionEffect',
  'useRef',
  'useSyncExternalStore',
  'useTransition',
  'useDeferredValue',
  'useImperativeHandle',
  'useOptimistic',
  'useActionState',
])

/** The client-only names a module imports from 'react' by name (type-only imports aside). */
function clientOnlyImports(source: string): string[] {
  const names: string[] = []
  for (const [, clause] of source.matchAll(/import\s+(?!type\s)\{([^}]*)\}\s*from\s*'react'/g)) {
    for (const specifier of clause!.split(',')) {
      const name = specifier.trim()
      if (name !== '' && !name.startsWith('type ') && CLIENT_ONLY.has(name.split(/\s+as\s+/)[0]!)) names.push(name)
    }
  }
  return names
}

const isClientModule = (source: string) => /^(?:\s*\/\/[^\n]*\n)*\s*['"]use client['"]/.test(source)

/** The package-local modules `entry` loads, itself included, following relative imports. */
function graphOf(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (name: string) => {
    if (seen.has(name)) return
    seen.add(name)
    for (const [, target] of text(name).matchAll(/^import\s+(?!type\s)[^'"]*'\.\/([\w-]+)\.js'/gm)) {
      visit(sources.find((file) => file.replace(/\.tsx?$/, '') === target)!)
    }
  }
  visit(entry)
  return seen
}

describe('@mizan/react in React Server Components', () => {
  it('marks every module that imports client-only React APIs by name as a client module', () => {
    const offenders = sources.filter((name) => clientOnlyImports(text(name)).length > 0 && !isClientModule(text(name)))
    expect(offenders).toEqual([])
  })

  it('keeps createMizanReact and the SSR helpers out of client modules, so a Server Component can call them', () => {
    for (const entry of ['proxy.ts', 'ssr.ts']) {
      const clientModules = [...graphOf(entry)].filter((name) => isClientModule(text(name)))
      expect(clientModules, entry).toEqual([])
    }
    expect(graphOf('ssr.ts')).toContain('handle.tsx') // the graph was followed, not empty
  })
})

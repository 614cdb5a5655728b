#!/usr/bin/env node
// Type-checks every ```ts and ```tsx code block of README.md and docs/*.md against the built
// packages (`npm run build` first: the workspace's @mizan/* resolve to packages/*/dist), so the
// docs cannot drift from the API. All blocks go into one TypeScript program, held in memory.
//
// Conventions (written in the Markdown source, invisible once rendered):
//
// - Every ts/tsx block is a module of its own. Other languages (console, sh, json) are not checked.
// - A block whose first line is a file name comment (`// server.ts`, `// lib/client.tsx — ...`) is that
//   file, so a later block of the same document may import it (`import type { AppRouter } from './server'`).
// - `<!-- docs-check: prelude` ... `-->` holds hidden code for the names the prose has defined
//   earlier (a router, a context type, `declare const db: Db`). Every later block of the document
//   sees its top-level names, except those the block declares itself, until the next prelude
//   (an empty `<!-- docs-check: prelude -->` ends it).
// - `<!-- docs-check: continue -->` right before a block makes it part of the previous block's module.
// - `<!-- docs-check: skip — <reason> -->` right before a block leaves it unchecked; the reason is
//   required.
// - A block that declares a non-generic interface or type alias under the name of a package export
//   (`interface Manifest`, `interface CacheOptions`) must declare that export's exact shape:
//   assignable both ways, with the same keys. The reference pages cannot drift from the packages.
//
// Options: strict, noUnusedLocals (an unused import fails), skipLibCheck (the packages' own
// declarations are checked by their build and by the type tests). A name a block declares at its
// top level may go unused, since a fragment often only shows a definition; imports and names
// inside functions may not. Errors are reported at the Markdown file and line. Express, Bun and
// Deno, which the docs show but the repository does not install, get minimal types from
// scripts/check-docs.shims.d.ts.
//
// Usage: node scripts/check-docs.mjs (exits 1 on any error). Tests import checkDocs and extractBlocks.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CHECKED = new Set(['ts', 'tsx', 'typescript'])
const FILE_NAME = /^\/\/\s*([\w.\-/[\]]+\.tsx?)(?:\s|$)/
const PACKAGES = ['@mizan/server', '@mizan/client', '@mizan/wire', '@mizan/react']
const UNUSED = new Set([6133, 6192, 6196, 6198, 6199, 6205])
/** Third-party APIs the docs use that this repository does not install (Express, Bun, Deno). */
export const SHIMS = join(REPO, 'scripts', 'check-docs.shims.d.ts')

/** The compiler options every block is checked with. */
export const COMPILER_OPTIONS = {
  strict: true,
  noUnusedLocals: true,
  skipLibCheck: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node'],
  jsx: ts.JsxEmit.ReactJSX,
  esModuleInterop: true,
}

/** README.md and docs/*.md, relative to the repository. */
export function defaultDocuments(root = REPO) {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort()
  return ['README.md', ...docs.map((f) => `docs/${f}`)]
}

/**
 * Splits one Markdown document into the modules to check.
 * @param {string} markdown the document's text
 * @param {string} doc its path relative to the repository, used in messages
 * @returns {{ units: Unit[], preludes: Prelude[], skipped: number, errors: Problem[] }}
 */
export function extractBlocks(markdown, doc) {
  const lines = markdown.split(/\r?\n/)
  const units = []
  const preludes = []
  const errors = []
  let skipped = 0
  let prelude = null
  let pending = null // a skip or continue directive waiting for its block
  const problem = (line, message) => errors.push({ file: doc, line, column: 1, message })

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const comment = /^\s*<!--\s*docs-check:\s*([\s\S]*)$/.exec(line)
    if (comment) {
      // Collect the directive up to its closing `-->`, possibly many lines below.
      const start = i
      const body = [comment[1]]
      while (!body[body.length - 1].includes('-->') && i + 1 < lines.length) body.push(lines[++i])
      const last = body[body.length - 1]
      if (!last.includes('-->')) {
        problem(start + 1, 'docs-check: directive is never closed with -->')
        break
      }
      body[body.length - 1] = last.slice(0, last.indexOf('-->'))
      const head = body[0].trim()
      const kind = /^[a-z]+/.exec(head)?.[0]
      if (kind === 'prelude') {
        const code = body.slice(1)
        const inline = head.slice('prelude'.length).trim()
        if (inline) problem(start + 1, 'docs-check: prelude code starts on the line after `<!-- docs-check: prelude`')
        prelude = code.some((l) => l.trim()) ? { id: preludes.length, line: start + 2, code } : null
        if (prelude) preludes.push(prelude)
      } else if (kind === 'continue') {
        pending = { kind, line: start + 1 }
      } else if (kind === 'skip') {
        const reason = head.slice('skip'.length).replace(/^[\s:—–-]+/, '').trim()
        if (!reason) problem(start + 1, 'docs-check: skip needs a reason (`<!-- docs-check: skip — why -->`)')
        pending = { kind, line: start + 1 }
      } else {
        problem(start + 1, `docs-check: unknown directive "${head}" (prelude, continue or skip)`)
      }
      continue
    }

    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(line)
    if (!fence) {
      if (pending && line.trim()) {
        problem(pending.line, `docs-check: ${pending.kind} must come right before a code block`)
        pending = null
      }
      continue
    }
    const [, indent, marker, lang] = fence
    const body = []
    const first = i + 2 // the 1-based line of the block's first code line
    for (i++; i < lines.length; i++) {
      const closing = lines[i].trim()
      if (closing.startsWith(marker) && closing.replace(new RegExp(`^${marker[0]}+`), '') === '') break
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i].trimStart())
    }
    const directive = pending
    pending = null
    if (!CHECKED.has(lang.toLowerCase())) {
      if (directive) problem(directive.line, `docs-check: ${directive.kind} applies only to ts and tsx blocks`)
      continue
    }
    if (directive?.kind === 'skip') {
      skipped++
      continue
    }
    const tsx = lang.toLowerCase() === 'tsx'
    const part = { line: first, indent: indent.length, code: body }
    if (directive?.kind === 'continue') {
      const previous = units[units.length - 1]
      if (!previous) problem(directive.line, 'docs-check: continue has no earlier checked block to continue')
      else {
        previous.parts.push(part)
        previous.tsx ||= tsx
        continue
      }
    }
    const named = FILE_NAME.exec(body[0] ?? '')?.[1]
    const base = named ? named.replace(/\.tsx?$/, '') : `block-${first}`
    if (named && units.some((u) => u.base === base)) problem(first, `docs-check: a second block names itself ${named}`)
    units.push({ doc, base, tsx: tsx || Boolean(named?.endsWith('.tsx')), prelude, parts: [part] })
  }
  if (pending) problem(pending.line, `docs-check: ${pending.kind} is not followed by a code block`)
  return { units, preludes, skipped, errors }
}

/** Top-level names a module declares (imports included), split into values and types. */
function declaredNames(code, tsx = false) {
  const source = ts.createSourceFile(tsx ? 'names.tsx' : 'names.ts', code, ts.ScriptTarget.ES2022, true, tsx ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const values = new Set()
  const types = new Set()
  const shapes = new Map() // non-generic interfaces and type aliases -> their 0-based line
  const bind = (name) => {
    if (ts.isIdentifier(name)) values.add(name.text)
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name)
  }
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause
      const into = clause.isTypeOnly ? types : values
      if (clause.name) into.add(clause.name.text)
      const bindings = clause.namedBindings
      if (bindings && ts.isNamespaceImport(bindings)) into.add(bindings.name.text)
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) (clause.isTypeOnly || element.isTypeOnly ? types : values).add(element.name.text)
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name)
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      types.add(statement.name.text)
      if (!statement.typeParameters) shapes.set(statement.name.text, source.getLineAndCharacterOfPosition(statement.name.getStart(source)).line)
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) && statement.name && ts.isIdentifier(statement.name)) {
      values.add(statement.name.text)
    }
  }
  return { values, types, shapes }
}

/** Whether an unused-name diagnostic points at a name declared at the top level (not an import). */
function isTopLevelDeclaration(source, start) {
  let node = findNode(source, start)
  while (node && !ts.isSourceFile(node.parent)) {
    // Below the top-level statement: a name inside a function or block body must be used.
    if (ts.isFunctionLike(node) || ts.isBlock(node)) return false
    node = node.parent
  }
  return Boolean(node) && !ts.isImportDeclaration(node)
}

function findNode(source, position) {
  let found
  const visit = (node) => {
    if (node.getStart(source) <= position && position < node.getEnd()) {
      found = node
      ts.forEachChild(node, visit)
    }
  }
  ts.forEachChild(source, visit)
  return found
}

/**
 * Type-checks the ts/tsx blocks of the given documents.
 * @param {{ root?: string, documents?: string[], texts?: Record<string, string> }} [options]
 *   `texts` supplies a document's text instead of reading it from disk (for tests).
 * @returns {{ problems: Problem[], blocks: number, modules: number, skipped: number, documents: number }}
 */
export function checkDocs({ root = REPO, documents = defaultDocuments(root), texts = {} } = {}) {
  const problems = []
  const files = new Map() // virtual path -> { text, lines: ({ file, line } | null)[], unit? }
  let blocks = 0
  let skipped = 0
  const virtualRoot = join(root, '.docs-check')

  for (const doc of documents) {
    const markdown = texts[doc] ?? readFileSync(join(root, doc), 'utf8')
    const extracted = extractBlocks(markdown, doc)
    problems.push(...extracted.errors)
    skipped += extracted.skipped
    const dir = join(virtualRoot, doc.replace(/\.md$/, ''))

    const preludeNames = new Map()
    for (const prelude of extracted.preludes) {
      const code = prelude.code.join('\n')
      const { values, types } = declaredNames(code)
      preludeNames.set(prelude, { values, types })
      const exports = []
      if (values.size) exports.push(`export { ${[...values].join(', ')} }`)
      if (types.size) exports.push(`export type { ${[...types].join(', ')} }`)
      const lines = prelude.code.map((_, i) => ({ file: doc, line: prelude.line + i }))
      files.set(join(dir, `__prelude-${prelude.id}.ts`), { text: [...prelude.code, ...exports].join('\n'), lines, unit: null })
    }

    for (const unit of extracted.units) {
      blocks += unit.parts.length
      const text = []
      const lines = []
      const own = declaredNames(unit.parts.map((p) => p.code.join('\n')).join('\n'), unit.tsx)
      if (unit.prelude) {
        const { values, types } = preludeNames.get(unit.prelude)
        const wanted = [...values, ...types].filter((name) => !own.values.has(name) && !own.types.has(name))
        if (wanted.length) {
          text.push(`import { ${wanted.join(', ')} } from './__prelude-${unit.prelude.id}'`)
          lines.push({ file: doc, line: unit.prelude.line - 1, injected: true })
        }
      }
      for (const part of unit.parts) {
        part.code.forEach((code, i) => {
          text.push(code)
          lines.push({ file: doc, line: part.line + i, indent: part.indent })
        })
      }
      // A type the block declares under the name of a package export must be that export's shape:
      // the reference pages redeclare interfaces, and they must not drift from the real ones.
      if (own.shapes.size) {
        const first = text.length - unit.parts.reduce((n, p) => n + p.code.length, 0)
        PACKAGES.forEach((pkg, i) => {
          text.push(`import type * as __mizan${i} from '${pkg}'`)
          lines.push({ file: doc, line: unit.parts[0].line, injected: true })
        })
        // Assignable both ways, with the same keys (so an optional member left out counts too).
        text.push('type __MizanSame<A, B> = [A, keyof A] extends [B, keyof B] ? ([B, keyof B] extends [A, keyof A] ? true : false) : false')
        lines.push({ file: doc, line: unit.parts[0].line, injected: true })
        for (const [name, line] of own.shapes) {
          PACKAGES.forEach((pkg, i) => {
            text.push(`const __mizan_${name}_${i}: __MizanSame<${name}, __mizan${i}.${name}> = true`)
            lines.push({ ...lines[first + line], injected: true, shape: { name, pkg } })
          })
        }
      }
      text.push('export {}') // every block is a module, whatever it holds
      lines.push({ file: doc, line: unit.parts[unit.parts.length - 1].line, injected: true })
      files.set(join(dir, `${unit.base}.${unit.tsx ? 'tsx' : 'ts'}`), { text: text.join('\n'), lines, unit })
    }
  }

  const host = ts.createCompilerHost(COMPILER_OPTIONS, true)
  const { fileExists, readFile, getSourceFile, directoryExists } = host
  const dirs = new Set([...files.keys()].map((path) => dirname(path)))
  host.directoryExists = (path) => dirs.has(resolve(path)) || (directoryExists ? directoryExists.call(host, path) : ts.sys.directoryExists(path))
  host.fileExists = (path) => files.has(resolve(path)) || fileExists.call(host, path)
  host.readFile = (path) => files.get(resolve(path))?.text ?? readFile.call(host, path)
  host.getSourceFile = (path, language, onError, fresh) => {
    const file = files.get(resolve(path))
    if (file) return ts.createSourceFile(path, file.text, language, true)
    return getSourceFile.call(host, path, language, onError, fresh)
  }
  const program = ts.createProgram({ rootNames: [...files.keys(), SHIMS], options: COMPILER_OPTIONS, host })

  const diagnostics = ts.getPreEmitDiagnostics(program)
  // Shape checks against a package that does not export the name fail to resolve it (TS2694, TS2724): not a mismatch.
  const unexported = new Set(diagnostics.filter((d) => (d.code === 2694 || d.code === 2724) && d.file).map((d) => `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line}`))
  for (const diagnostic of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const source = diagnostic.file
    const file = source && files.get(resolve(source.fileName))
    if (!source || !file) {
      const where = source ? source.getLineAndCharacterOfPosition(diagnostic.start ?? 0) : null
      problems.push({ file: source ? relative(root, source.fileName) : '(program)', line: where ? where.line + 1 : 0, column: where ? where.character + 1 : 0, message: `TS${diagnostic.code}: ${message}` })
      continue
    }
    const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    const at = file.lines[line] ?? file.lines[file.lines.length - 1]
    if (at.shape) {
      if (diagnostic.code === 2322 && !unexported.has(`${source.fileName}:${line}`)) problems.push({ file: at.file, line: at.line, column: 1, message: `docs-check: ${at.shape.name} as written here is not the ${at.shape.name} that ${at.shape.pkg} exports` })
      continue
    }
    if (UNUSED.has(diagnostic.code)) {
      if (at.injected) continue // a prelude name this block does not need
      if (file.unit && isTopLevelDeclaration(source, diagnostic.start ?? 0)) continue
    }
    problems.push({ file: at.file, line: at.line, column: at.injected ? 1 : character + 1 + (at.indent ?? 0), message: `TS${diagnostic.code}: ${message}` })
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
  return { problems, blocks, modules: [...files.values()].filter((f) => f.unit).length, skipped, documents: documents.length }
}

function main() {
  const started = performance.now()
  const result = checkDocs()
  for (const p of result.problems) console.error(`${p.file}:${p.line}:${p.column} - ${p.message}`)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const summary = `docs-check: ${result.blocks} ts/tsx blocks (${result.modules} modules) in ${result.documents} documents, ${result.skipped} skipped, ${seconds} s`
  if (result.problems.length) {
    console.error(`\n${summary}: ${result.problems.length} error${result.problems.length === 1 ? '' : 's'}`)
    process.exit(1)
  }
  console.log(`${summary}: all compile`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()

/**
 * @typedef {{ file: string, line: number, column: number, message: string }} Problem
 * @typedef {{ id: number, line: number, code: string[] }} Prelude
 * @typedef {{ doc: string, base: string, tsx: boolean, prelude: Prelude | null, parts: { line: number, code: string[] }[] }} Unit
 */

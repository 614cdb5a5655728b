// Editor completion latency after `client.r123.`, measured the way an editor asks for it:
// - TypeScript 5.9: tsserver (the server VS Code runs), over its stdin/stdout protocol;
// - TypeScript 7: its language server (`tsc --lsp --stdio`), over LSP.
// The consumer file of router r<k> is opened with two extra lines at its end, a comment to edit and
// `client.r<k>.`, and completion is asked at the end of the last line.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { processCpuSeconds } from '../lib/cpu.mjs'

/**
 * Measures:
 * - `loadMs`: opening the file until the project is loaded (tsserver: `open` + `projectInfo`;
 *   LSP: `didOpen` + a first `hover` elsewhere in the file, which needs the program but no router type);
 * - `firstMs`: the first completion in the fresh project (checker cold);
 * - `editedMs`: median of `iterations` completions, each right after an edit of the comment line (a
 *   keystroke): every edit makes a new program, so the checker recomputes the client's type as it
 *   does while one types; `warmup` such rounds run first and are not counted;
 * - `repeatMs`: median of `iterations` completions with no edit in between (cached checker).
 * Every answer must list exactly the router's two children, `a` and `b`.
 */
export async function measureCompletion({ server, projectDir, router, iterations = 10, warmup = 3, timeoutMs = 120_000 }) {
  const file = path.join(projectDir, 'src/use', `u${router}.ts`)
  const base = readFileSync(file, 'utf8')
  const probe = `client.r${router}.`
  const text = (edit) => `${base}// edit ${edit}\n${probe}`
  const lines = text(0).split('\n')
  const line = lines.length // 1-based: the last line
  const offset = probe.length + 1 // 1-based column after the dot
  const session = server.kind === 'lsp' ? await startLsp(server, projectDir, timeoutMs) : startTsserver(server, timeoutMs)
  try {
    const doc = session.open(file, text(0))
    let started = performance.now()
    await session.load(doc)
    const loadMs = performance.now() - started

    const complete = async () => {
      const t0 = performance.now()
      const names = await session.complete(doc, line, offset)
      const ms = performance.now() - t0
      const sorted = [...names].sort().join(',')
      if (sorted !== 'a,b') throw new Error(`completion after ${probe} in ${path.relative(process.cwd(), file)} listed [${sorted.slice(0, 200)}], expected [a,b]`)
      return ms
    }
    const firstMs = await complete()
    const edited = []
    for (let i = 1; i <= warmup + iterations; i++) {
      session.change(doc, text(i % 10), i)
      const ms = await complete()
      if (i > warmup) edited.push(ms)
    }
    const repeated = []
    for (let i = 0; i < iterations; i++) repeated.push(await complete())
    // CPU seconds the server used in all (its own threads included), for the caller's "other CPU".
    const serverCpuS = processCpuSeconds(session.pid)
    return { loadMs, firstMs, editedMs: median(edited), repeatMs: median(repeated), edited, repeated, serverCpuS: Number.isNaN(serverCpuS) ? null : serverCpuS }
  } finally {
    await session.close()
  }
}

/** tsserver: one JSON request a line on stdin, `Content-Length`-framed JSON answers and events on stdout. */
function startTsserver(server, timeoutMs) {
  const child = spawn(process.execPath, [server.path, '--disableAutomaticTypingAcquisition', '--suppressDiagnosticEvents', '--locale', 'en'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const pending = new Map()
  let seq = 0
  readFramed(child.stdout, (message) => {
    if (message.type !== 'response') return
    const waiter = pending.get(message.request_seq)
    if (!waiter) return
    pending.delete(message.request_seq)
    if (message.success) waiter.resolve(message.body)
    else waiter.reject(new Error(`tsserver ${message.command}: ${message.message}`))
  })
  const exited = onExit(child, pending, 'tsserver')
  const send = (command, args) => child.stdin.write(JSON.stringify({ seq: ++seq, type: 'request', command, arguments: args }) + '\n')
  const request = (command, args) =>
    new Promise((resolve, reject) => {
      send(command, args)
      const timer = setTimeout(() => reject(new Error(`tsserver ${command}: no answer within ${timeoutMs} ms`)), timeoutMs)
      pending.set(seq, { resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) })
    })
  send('configure', { preferences: { includeCompletionsForModuleExports: true, includeCompletionsWithInsertText: true } })
  return {
    pid: child.pid,
    open(file, fileContent) {
      send('open', { file, fileContent, scriptKindName: 'TS' })
      return { file, text: fileContent }
    },
    load: (doc) => request('projectInfo', { file: doc.file, needFileNameList: false }),
    async complete(doc, line, offset) {
      const body = await request('completionInfo', { file: doc.file, line, offset, triggerCharacter: '.', triggerKind: 2, includeExternalModuleExports: true, includeInsertTextCompletions: true })
      return (body?.entries ?? []).map((entry) => entry.name)
    },
    change(doc, text) {
      // Replaces the whole file, as a keystroke's edit reaches the server (a range and its new text).
      const old = doc.text.split('\n')
      send('change', { file: doc.file, line: 1, offset: 1, endLine: old.length, endOffset: old.at(-1).length + 1, insertString: text })
      doc.text = text
    },
    async close() {
      send('exit', {})
      await Promise.race([exited, sleep(2000)])
      if (child.exitCode === null) child.kill()
    },
  }
}

/** The TypeScript 7 language server over LSP (JSON-RPC with `Content-Length` frames both ways). */
async function startLsp(server, projectDir, timeoutMs) {
  // Its stderr is a log (and "context canceled" at shutdown): not shown.
  const child = spawn(server.path, ['--lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] })
  const pending = new Map()
  let id = 0
  const write = (message) => {
    const json = JSON.stringify({ jsonrpc: '2.0', ...message })
    child.stdin.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`)
  }
  readFramed(child.stdout, (message) => {
    if (message.id !== undefined && message.method !== undefined) {
      // A request from the server (configuration, capability registration, progress): answer it blandly.
      write({ id: message.id, result: message.method === 'workspace/configuration' ? (message.params?.items ?? []).map(() => null) : null })
      return
    }
    if (message.id === undefined) return
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    if (message.error) waiter.reject(new Error(`LSP: ${message.error.message}`))
    else waiter.resolve(message.result)
  })
  const exited = onExit(child, pending, 'tsc --lsp')
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const my = ++id
      const timer = setTimeout(() => reject(new Error(`LSP ${method}: no answer within ${timeoutMs} ms`)), timeoutMs)
      pending.set(my, { resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) })
      write({ id: my, method, params })
    })
  const notify = (method, params) => write({ method, params })
  const rootUri = pathToFileURL(projectDir).href
  await request('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(projectDir) }],
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: false } } }, workspace: { configuration: true } },
  })
  notify('initialized', {})
  return {
    pid: child.pid,
    open(file, text) {
      const uri = pathToFileURL(file).href
      notify('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } })
      return { uri }
    },
    // A hover on `client` in the import line: needs the program loaded, not the router's type.
    load: (doc) => request('textDocument/hover', { textDocument: { uri: doc.uri }, position: { line: 0, character: 10 } }),
    async complete(doc, line, offset) {
      const result = await request('textDocument/completion', {
        textDocument: { uri: doc.uri },
        position: { line: line - 1, character: offset - 1 },
        context: { triggerKind: 2, triggerCharacter: '.' },
      })
      return (Array.isArray(result) ? result : (result?.items ?? [])).map((item) => item.label)
    },
    change(doc, text, version) {
      notify('textDocument/didChange', { textDocument: { uri: doc.uri, version: version + 1 }, contentChanges: [{ text }] })
    },
    async close() {
      await Promise.race([request('shutdown', null).catch(() => {}), sleep(2000)])
      notify('exit', null)
      await Promise.race([exited, sleep(2000)])
      if (child.exitCode === null) child.kill()
    },
  }
}

/** Calls `onMessage` with each `Content-Length`-framed JSON message of a stream. */
function readFramed(stream, onMessage) {
  let buffer = Buffer.alloc(0)
  stream.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk])
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n')
      if (headerEnd === -1) return
      const match = /Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString('latin1'))
      if (!match) throw new Error(`unexpected server output: ${buffer.subarray(0, 200).toString()}`)
      const length = Number(match[1])
      const start = headerEnd + 4
      if (buffer.length < start + length) return
      const body = buffer.subarray(start, start + length).toString('utf8')
      buffer = buffer.subarray(start + length)
      onMessage(JSON.parse(body))
    }
  })
}

function onExit(child, pending, name) {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (${signal ?? code})`))
      pending.clear()
      resolve()
    })
  })
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

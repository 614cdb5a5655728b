import { createRequire } from 'node:module'

// Node's modules, loaded on first use rather than imported: an ES import of a built-in module
// builds its namespace from every export, and so runs the lazy getters behind them (node:fs loads
// its streams and promises that way): node:crypto costs a server ~1.5 ms of CPU at start-up and
// node:fs ~2 ms, before it has anything to hash or a file to write. Every use is synchronous, so
// they are required, not imported: `process.getBuiltinModule` (Node 20.16+), or `require` on older
// Node 20.
/** A getter of one built-in module: it loads the module on its first call and keeps it. */
function lazyBuiltin<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= ((process.getBuiltinModule as ((id: string) => unknown) | undefined)?.(id) ?? createRequire(import.meta.url)(id)) as T)
}

/** `node:crypto`, loaded the first time something is hashed or drawn at random. */
export const nodeCrypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto')

/** `node:net`, loaded the first time an address is read. */
export const nodeNet = lazyBuiltin<typeof import('node:net')>('node:net')

/** `node:os`, loaded the first time an upload needs the temporary directory. */
export const nodeOs = lazyBuiltin<typeof import('node:os')>('node:os')

/** `node:fs`, loaded the first time an upload goes to disk. */
export const nodeFs = lazyBuiltin<typeof import('node:fs')>('node:fs')

/** `node:path`, loaded the first time an upload goes to disk. */
export const nodePath = lazyBuiltin<typeof import('node:path')>('node:path')

/** `node:stream`, loaded the first time a body is streamed on Node. */
export const nodeStream = lazyBuiltin<typeof import('node:stream')>('node:stream')

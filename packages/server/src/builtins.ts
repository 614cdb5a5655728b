import { createRequire } from 'node:module'

// Node's modules, loaded on first use rather than imported: an ES import of a built-in module
// builds its namespace from every export, and so runs the lazy getters behind them (node:fs loads
// its streams and promises that way): node:crypto costs a server ~1.5 ms of CPU at start-up and
// node:fs ~2 ms, before it has anything to hash or a file to write. Every use is synchronous, so
// they are required, not imported: `process.getBuiltinModule` (Node 20.16+), or `require` on older
// Node 20.
type Crypto = typeof import('node:crypto')
type Net = typeof import('node:net')
type Os = typeof import('node:os')
type Fs = typeof import('node:fs')
type Path = typeof import('node:path')
type Stream = typeof import('node:stream')

let crypto: Crypto | undefined
let net: Net | undefined
let os: Os | undefined
let fs: Fs | undefined
let path: Path | undefined
let stream: Stream | undefined

function builtin<T>(id: 'node:crypto' | 'node:net' | 'node:os' | 'node:fs' | 'node:path' | 'node:stream'): T {
  const loaded = (process.getBuiltinModule as ((id: string) => unknown) | undefined)?.(id)
  return (loaded ?? createRequire(import.meta.url)(id)) as T
}

/** `node:crypto`, loaded the first time something is hashed or drawn at random. */
export function nodeCrypto(): Crypto {
  return (crypto ??= builtin<Crypto>('node:crypto'))
}

/** `node:net`, loaded the first time an address is read. */
export function nodeNet(): Net {
  return (net ??= builtin<Net>('node:net'))
}

/** `node:os`, loaded the first time an upload needs the temporary directory. */
export function nodeOs(): Os {
  return (os ??= builtin<Os>('node:os'))
}

/** `node:fs`, loaded the first time an upload goes to disk. */
export function nodeFs(): Fs {
  return (fs ??= builtin<Fs>('node:fs'))
}

/** `node:path`, loaded the first time an upload goes to disk. */
export function nodePath(): Path {
  return (path ??= builtin<Path>('node:path'))
}

/** `node:stream`, loaded the first time a body is streamed on Node. */
export function nodeStream(): Stream {
  return (stream ??= builtin<Stream>('node:stream'))
}

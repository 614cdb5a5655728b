import { createRequire } from 'node:module'

// Node's crypto and net modules, loaded on first use rather than imported: an ES import of
// node:crypto costs a server ~1.5 ms of CPU at start-up, before it has anything to hash. Every use
// is synchronous, so they are required, not imported: `process.getBuiltinModule` (Node 20.16+), or
// `require` on older Node 20.
type Crypto = typeof import('node:crypto')
type Net = typeof import('node:net')

let crypto: Crypto | undefined
let net: Net | undefined

function builtin<T>(id: 'node:crypto' | 'node:net'): T {
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

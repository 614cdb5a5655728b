import { createRequire } from 'node:module'

// Node's crypto, net and os modules, loaded on first use rather than imported: an ES import of
// node:crypto costs a server ~1.5 ms of CPU at start-up, before it has anything to hash. Every use
// is synchronous, so they are required, not imported: `process.getBuiltinModule` (Node 20.16+), or
// `require` on older Node 20.
type Crypto = typeof import('node:crypto')
type Net = typeof import('node:net')
type Os = typeof import('node:os')

let crypto: Crypto | undefined
let net: Net | undefined
let os: Os | undefined

function builtin<T>(id: 'node:crypto' | 'node:net' | 'node:os'): T {
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

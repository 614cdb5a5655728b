import { needsTransform } from '@mizan/wire'

/** A value ready for the wire: JSON plus, when it has special types, superjson's `meta`. */
export interface Encoded {
  json: unknown
  meta?: unknown
}

/** Anything shaped like superjson (`import SuperJSON from 'superjson'` fits). */
export interface Serializer {
  serialize(value: unknown): { json: unknown; meta?: unknown }
  deserialize(payload: { json: unknown; meta?: unknown }): unknown
}

/** Encodes and decodes values; may be asynchronous while superjson loads. */
export interface ClientTransformer {
  encode(value: unknown): Encoded | Promise<Encoded>
  decode(json: unknown, meta: unknown): unknown
}

/** Wraps a superjson-like serializer that is already loaded. */
export function eagerTransformer(serializer: Serializer): ClientTransformer {
  return {
    encode(value) {
      if (!needsTransform(value)) return { json: value }
      const { json, meta } = serializer.serialize(value)
      return meta === undefined ? { json } : { json, meta }
    },
    decode: (json, meta) => (meta === undefined ? json : serializer.deserialize({ json, meta })),
  }
}

let loaded: Promise<ClientTransformer> | undefined

/**
 * The default: superjson, fetched the first time a value needs it. Apps that never send or receive
 * a Date, Map, Set or BigInt never download it; a bundler splits it into its own chunk.
 */
export const lazySuperjson: ClientTransformer = {
  encode(value) {
    if (!needsTransform(value)) return { json: value }
    return load().then((transformer) => transformer.encode(value))
  },
  decode(json, meta) {
    if (meta === undefined) return json
    return load().then((transformer) => transformer.decode(json, meta))
  },
}

function load(): Promise<ClientTransformer> {
  return (loaded ??= import('superjson').then(
    (module) => eagerTransformer(module.default as Serializer),
    (error: unknown) => {
      // A chunk that failed to load (a flaky network, a new deploy) fails the calls that needed
      // it, and the next call tries again rather than inheriting the failure forever.
      loaded = undefined
      throw error
    },
  ))
}

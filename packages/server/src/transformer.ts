import { jsonTransformer, needsTransform, type Transformer } from '@mizan/wire'
import SuperJSON from 'superjson'

/**
 * superjson, paid for only when needed: a value made of JSON types goes as it is, and only a value
 * holding a Date, Map, Set, BigInt, undefined (and the like) takes superjson's walk.
 */
export const superjsonTransformer: Transformer = {
  name: 'superjson',
  serialize(value) {
    if (!needsTransform(value)) return { json: value }
    const { json, meta } = SuperJSON.serialize(value)
    return meta === undefined ? { json } : { json, meta }
  },
  deserialize(json, meta) {
    return meta === undefined ? json : SuperJSON.deserialize({ json: json as never, meta: meta as never })
  },
}

/** The transformer names `initMizan` accepts. */
export type TransformerName = 'superjson' | 'json'

/** Resolves a transformer option to its implementation. */
export function resolveTransformer(name: TransformerName | Transformer | undefined): Transformer {
  if (name === undefined || name === 'superjson') return superjsonTransformer
  if (name === 'json') return jsonTransformer
  return name
}

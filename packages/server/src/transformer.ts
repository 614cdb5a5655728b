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

/** The implementation of a transformer name. */
export function resolveTransformer(name: TransformerName): Transformer {
  return name === 'json' ? jsonTransformer : superjsonTransformer
}

/**
 * A result as the body of a reply: `{"data":...}` with `meta` when the value needs it, `{}` for
 * `undefined`. The HTTP reply and the origin cache's stored answer are the same text.
 */
export function dataBody(data: unknown, transformer: Transformer): string {
  if (data === undefined) return '{}'
  const { json, meta } = transformer.serialize(data)
  return meta === undefined ? `{"data":${JSON.stringify(json)}}` : JSON.stringify({ data: json, meta })
}

/** Reads a {@link dataBody} back into a value. */
export function readDataBody(body: string, transformer: Transformer): unknown {
  const { data, meta } = JSON.parse(body) as { data?: unknown; meta?: unknown }
  return transformer.deserialize(data, meta)
}

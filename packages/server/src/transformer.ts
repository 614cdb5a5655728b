import { jsonTransformer, needsTransform, type Transformer } from '@mizan/wire'
import type { MaybePromise } from './maybe-promise.js'

/** What the server uses of superjson. */
interface SuperjsonLike {
  serialize(value: unknown): { json: unknown; meta?: unknown }
  deserialize(payload: { json: never; meta?: never }): unknown
}

/** A transformer that may have to load its code before it can run. */
export interface ServerTransformer extends Transformer {
  /** Resolves once `serialize` and `deserialize` run synchronously on any value. */
  load(): Promise<void>
}

/**
 * Thrown by a transformer asked to handle a value before the code it needs has loaded; `loaded`
 * settles once it has. Only {@link whenLoaded} catches it: a step that threw it runs again then.
 */
export class TransformerLoading extends Error {
  constructor(readonly loaded: Promise<void>) {
    super('Mizan: the transformer is still loading')
  }
}

/**
 * superjson, loaded the first time a value needs it, and paid for only then: a value made of JSON
 * types goes as it is, and only a value holding a Date, Map, Set, BigInt, undefined (and the like)
 * takes superjson's walk. A server that never meets one never imports superjson, and starts faster.
 *
 * Until it has loaded, a value that needs it throws {@link TransformerLoading}: the request that
 * met it waits (see {@link whenLoaded}), and every later one runs synchronously. Each server has
 * its own instance, so each server's first special value takes the waiting path.
 */
export function lazySuperjsonTransformer(): ServerTransformer {
  let superjson: SuperjsonLike | undefined
  let loading: Promise<void> | undefined
  const load = (): Promise<void> =>
    (loading ??= import('superjson').then(
      (module) => {
        superjson = module.default as SuperjsonLike
      },
      (error: unknown) => {
        // A failed import fails the requests that needed it; the next one tries again.
        loading = undefined
        throw error
      },
    ))
  const loaded = (): SuperjsonLike => superjson ?? throwLoading(load())
  return {
    name: 'superjson',
    serialize(value) {
      if (!needsTransform(value)) return { json: value }
      const { json, meta } = loaded().serialize(value)
      return meta === undefined ? { json } : { json, meta }
    },
    deserialize(json, meta) {
      return meta === undefined ? json : loaded().deserialize({ json: json as never, meta: meta as never })
    },
    load,
  }
}

function throwLoading(loaded: Promise<void>): never {
  throw new TransformerLoading(loaded)
}

/**
 * Runs a step that serializes or deserializes (pure: it may run twice), synchronously when the
 * transformer is ready, which is every time but the first special value of a server's life; that
 * once, the step runs again when the transformer has loaded. No promise on the usual path.
 */
export function whenLoaded<T>(step: () => T): MaybePromise<T> {
  try {
    return step()
  } catch (error) {
    if (!(error instanceof TransformerLoading)) throw error
    return error.loaded.then(() => whenLoaded(step))
  }
}

/** The transformer names `initMizan` accepts. */
export type TransformerName = 'superjson' | 'json'

/** The implementation of a transformer name: a new instance for each server. */
export function resolveTransformer(name: TransformerName): Transformer {
  return name === 'json' ? jsonTransformer : lazySuperjsonTransformer()
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

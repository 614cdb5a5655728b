import type { Transformer } from '@mizan/wire'
import { MizanError } from '../errors.js'
import type { MaybePromise } from '../maybe-promise.js'
import { TransformerLoading, whenLoaded } from '../transformer.js'
import type { InputLimits } from './limits.js'
import { guardJson, parseUntrustedJson, type JsonBounds } from './untrusted-json.js'

/**
 * Turns what a transport received into a call's input, the same way for HTTP and WebSocket: JSON
 * bounded in depth and values, then the transformer's `meta` applied.
 *
 * Inputs are trees. superjson's `referentialEqualities` (which say "this path is the same object as
 * that one") are ignored: honoured, a 2 KB request could describe a value of 2^N paths, and every
 * later walk (validation, cache keys, serializers) would pay for all of them. superjson clients send
 * shared objects in full anyway, so only identity is lost, which an RPC input never had.
 */
export class InputDecoder {
  /**
   * The bounds of a JSON document by how deep it wraps its inputs: 0 for a bare input, 1 for an
   * envelope, 2 for a batch array or a frame. Made once, not per request.
   */
  private readonly byWrapping: readonly JsonBounds[]

  constructor(
    private readonly transformer: Transformer,
    limits: InputLimits,
  ) {
    this.byWrapping = [0, 1, 2].map((levels) => ({ maxDepth: limits.maxInputDepth + levels, maxNodes: limits.maxInputNodes }))
  }

  /** Parses untrusted JSON text within the bounds of a document wrapping its inputs `levels` (0–2) deep. */
  parse(text: string, levels: number, what: string): unknown {
    return parseUntrustedJson(text, this.byWrapping[levels]!, what)
  }

  /** Checks a value a framework parsed already (Express's `req.body`) against the same bounds. */
  guard(value: unknown, levels: number): void {
    guardJson(value, this.byWrapping[levels]!)
  }

  /**
   * The input a checked JSON value and its optional `meta` describe. Synchronous except once in a
   * server's life: the first `meta` waits for superjson to load (see whenLoaded).
   */
  value(json: unknown, meta: unknown): MaybePromise<unknown> {
    if (meta === undefined || meta === null) return json
    if (typeof meta !== 'object' || Array.isArray(meta)) throw invalidMeta()
    const tree = treeMeta(meta)
    return whenLoaded(() => this.deserialize(json, tree))
  }

  private deserialize(json: unknown, meta: object): unknown {
    try {
      return this.transformer.deserialize(json, meta)
    } catch (error) {
      // Not the input's fault: superjson is loading, and whenLoaded runs this again once it has.
      if (error instanceof TransformerLoading) throw error
      throw invalidMeta()
    }
  }
}

/**
 * `meta` without reference sharing: see {@link InputDecoder}. A shared object is sent in full, so
 * dropping the annotation loses nothing; a cycle is not (its JSON holds `null` where it loops), so
 * it is refused rather than silently cut.
 */
function treeMeta(meta: object): object {
  if (!Object.hasOwn(meta, 'referentialEqualities')) return meta
  const { referentialEqualities: sharing, ...rest } = meta as Record<string, unknown>
  if (isCircular(sharing)) throw new MizanError('BAD_REQUEST', 'An input cannot contain itself (a circular reference)')
  return rest
}

/**
 * True when superjson's annotations make a value contain itself: a path identical to the root (the
 * array form), or to a path it lies under. Linear in the annotations' size.
 */
function isCircular(sharing: unknown): boolean {
  if (Array.isArray(sharing)) {
    const [root, others] = sharing as [unknown, unknown]
    if (Array.isArray(root) && root.length > 0) return true
    return isCircular(others)
  }
  if (typeof sharing !== 'object' || sharing === null) return false
  for (const [path, identical] of Object.entries(sharing)) {
    if (!Array.isArray(identical)) continue
    for (const other of identical) {
      if (typeof other === 'string' && (other.startsWith(path + '.') || path.startsWith(other + '.'))) return true
    }
  }
  return false
}

function invalidMeta(): MizanError {
  return new MizanError('BAD_REQUEST', 'Invalid meta in input')
}

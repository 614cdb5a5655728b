import type { ClientTransformer } from './serializer.js'

/**
 * An input written for the wire, once: the JSON text of its value and, when it holds types JSON
 * lacks, of superjson's `meta`. Writing it up front is where an input that cannot be sent (a cycle
 * or a BigInt under `transformer: 'json'`, a getter that throws) is found, for that call alone.
 */
export interface WireInput {
  /** `undefined`: no input (or one JSON drops, like a function). */
  json: string | undefined
  meta: string | undefined
  /** The shape's JSON text (a selection object or a shape name), when the call has one. */
  shape?: string | undefined
}

/** Encodes and stringifies an input; rejects when the transformer or JSON cannot. */
export async function writeInput(transformer: ClientTransformer, input: unknown): Promise<WireInput> {
  if (input === undefined) return { json: undefined, meta: undefined }
  const encoded = await transformer.encode(input)
  const json = JSON.stringify(encoded.json) as string | undefined
  const meta = encoded.meta === undefined ? undefined : (JSON.stringify(encoded.meta) as string | undefined)
  return { json, meta: json === undefined ? undefined : meta }
}

/**
 * A shape as JSON text. A shape is plain JSON (field names, `true`, nested selections, or a name),
 * so the transformer is not involved. One JSON cannot write (a cycle) or would drop (a function)
 * throws: sent without it, the call would come back whole while typed as the projection.
 */
export function writeShape(shape: unknown): string {
  const text = JSON.stringify(shape) as string | undefined
  if (text === undefined) throw new TypeError('a shape is a selection of fields or the name of a shape')
  return text
}

/** The call envelope `{ input, meta, shape }` as JSON text; an unshaped call's is `{ input, meta }` as ever. */
export function envelopeText(wire: WireInput): string {
  const { json, meta, shape } = wire
  if (shape !== undefined) return json === undefined ? `{"shape":${shape}}` : meta === undefined ? `{"input":${json},"shape":${shape}}` : `{"input":${json},"meta":${meta},"shape":${shape}}`
  if (json === undefined) return '{}'
  return meta === undefined ? `{"input":${json}}` : `{"input":${json},"meta":${meta}}`
}

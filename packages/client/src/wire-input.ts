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
}

/** Encodes and stringifies an input; rejects when the transformer or JSON cannot. */
export async function writeInput(transformer: ClientTransformer, input: unknown): Promise<WireInput> {
  if (input === undefined) return { json: undefined, meta: undefined }
  const encoded = await transformer.encode(input)
  const json = JSON.stringify(encoded.json) as string | undefined
  const meta = encoded.meta === undefined ? undefined : (JSON.stringify(encoded.meta) as string | undefined)
  return { json, meta: json === undefined ? undefined : meta }
}

/** The call envelope `{ input, meta }` as JSON text. */
export function envelopeText(wire: WireInput): string {
  if (wire.json === undefined) return '{}'
  return wire.meta === undefined ? `{"input":${wire.json}}` : `{"input":${wire.json},"meta":${wire.meta}}`
}

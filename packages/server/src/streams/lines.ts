import type { Transformer } from '@mizan/wire'
import type { CallResult } from '../dispatch.js'
import { toErrorShape } from '../errors.js'
import type { MaybePromise } from '../maybe-promise.js'
import { resultText } from '../result-wire.js'
import { whenLoaded } from '../transformer.js'

/** The media type of a streamed reply: one JSON object per line. */
export const NDJSON_TYPE = 'application/x-ndjson'

/** The opening of a line: `{` alone in a single call's reply, `{"i":<index>,` in a batch's. */
export function lineOpening(index?: number): string {
  return index === undefined ? '{' : `{"i":${index},`
}

/** Joins an opening and the JSON text of an object into one line: `{"i":0}` + `{"data":1}` → `{"i":0,"data":1}\n`. */
export function joinLine(opening: string, objectText: string): string {
  if (opening === '{') return objectText + '\n'
  return (objectText === '{}' ? opening.slice(0, -1) + '}' : opening + objectText.slice(1)) + '\n'
}

/** One value of a stream: `{"yield":<json>,"meta"?:<meta>}`. Throws when the transformer cannot write it. */
export function yieldLine(opening: string, value: unknown, transformer: Transformer): MaybePromise<string> {
  return whenLoaded(() => {
    const { json, meta } = transformer.serialize(value)
    // `undefined` yielded under plain JSON goes as `null`, as it would in an array: the line keeps its `yield`.
    const text = json === undefined ? 'null' : JSON.stringify(json)
    // `JSON.stringify` gives `undefined` for a value JSON has no text for (a function, a symbol).
    if (text === undefined) throw new TypeError('Mizan: a streamed value has no JSON text')
    return `${opening}"yield":${text}${meta === undefined ? '' : `,"meta":${JSON.stringify(meta)}`}}\n`
  })
}

/** What a line writer needs beside the stream. */
export interface LineSettings {
  readonly transformer: Transformer
  readonly isDev: boolean
  /** Hands an error that only shows while writing (a return value JSON cannot hold) to `onError`. */
  readonly report: (error: unknown) => void
}

/**
 * The last line of a stream: `{"done":true,"data"?:...,"meta"?:...,"invalidate"?:[...]}` when it
 * ended, `{"error":{...},"invalidate"?:[...]}` when it failed. The entry is the one a plain call
 * would have had (a return value that is bytes included), after `done`.
 */
export async function endLine(opening: string, result: CallResult, settings: LineSettings): Promise<string> {
  let text: string
  try {
    text = await resultText(result, settings.transformer, settings.isDev, settings.report)
  } catch (error) {
    // The return value could not be written: the stream ends as failed, its values already sent.
    settings.report(error)
    return joinLine(opening, JSON.stringify({ error: toErrorShape(error, settings.isDev) }))
  }
  return joinLine(opening, result.ok ? markDone(text) : text)
}

/**
 * A stream's closing entry, from the entry a plain call would have had: `"done": true` first, so a
 * reader tells the end of a stream (one that yielded nothing included) from a plain answer.
 */
export function markDone(entryText: string): string {
  return entryText === '{}' ? '{"done":true}' : `{"done":true,${entryText.slice(1)}`
}

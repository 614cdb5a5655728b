import { MAX_EVENT_ID_LENGTH } from './pubsub.js'

/** A Redis stream entry id, `<ms>-<seq>`, as Redis writes them (no leading zeros). */
const STREAM_ID = /^(0|[1-9]\d{0,15})-(0|[1-9]\d{0,19})$/
const MAX_SEQ = 18446744073709551615n

/**
 * True for an id Redis would take as a stream id: the only client text that ever reaches a
 * stream command.
 */
export function isStreamId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length > MAX_EVENT_ID_LENGTH) return false
  const match = STREAM_ID.exec(id)
  return match !== null && BigInt(match[2]!) <= MAX_SEQ
}

/** Orders two stream ids (both valid): negative when `a` comes first. */
export function compareStreamIds(a: string, b: string): number {
  const cutA = a.indexOf('-')
  const cutB = b.indexOf('-')
  const ms = Number(a.slice(0, cutA)) - Number(b.slice(0, cutB))
  if (ms !== 0) return ms
  const seqA = a.slice(cutA + 1)
  const seqB = b.slice(cutB + 1)
  // Digits without leading zeros: the longer is the larger, else the text orders them.
  return seqA.length !== seqB.length ? seqA.length - seqB.length : seqA < seqB ? -1 : seqA > seqB ? 1 : 0
}

/** The milliseconds part of a valid stream id. */
export function streamIdTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')))
}

/** The last id of millisecond `ms`: every entry Redis adds from `ms + 1` on comes after it. */
export function endOfMillisecond(ms: number): string {
  return `${ms}-${MAX_SEQ}`
}

/**
 * True when a handler's result streams: an `AsyncIterable` (an async generator included), but not
 * a `ReadableStream`, which is iterable too and stays a binary result. Only objects are asked, so
 * a plain value pays one `typeof`.
 */
export function isStreamResult(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Symbol.asyncIterator in value &&
    !(typeof ReadableStream !== 'undefined' && value instanceof ReadableStream)
  )
}

/**
 * True when a handler is an async generator function (`async function* () {}`): known to stream
 * when it is defined. A handler that returns an `AsyncIterable` otherwise is only known to stream
 * once it is called.
 */
export function isStreamingHandler(handler: unknown): boolean {
  return Object.prototype.toString.call(handler) === '[object AsyncGeneratorFunction]'
}

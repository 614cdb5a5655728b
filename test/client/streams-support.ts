import type { Procedure, Router } from '@mizan/server'

/**
 * A router's type with streamed outputs, as the server builder gives them: a streaming handler's
 * client Output is `AsyncGenerator<Yield, Return, undefined>`. Only the type crosses; the tests
 * answer with fakes.
 */
export type StreamsRouter = Router<{
  tokens: Procedure<'query', { prompt: string }, AsyncGenerator<string, { words: number }, undefined>>
  ticks: Procedure<'query', { from: number } | undefined, AsyncGenerator<{ at: Date; n: number }, void, undefined>, never, undefined, {}, never>
  plain: Procedure<'query', { n: number }, number>
  progress: Procedure<'mutation', { id: string }, AsyncGenerator<number, string, undefined>, 'plain'>
}>

const encoder = new TextEncoder()

/** One request the fake server got, with the body it answers with, driven by the test. */
export interface StreamedRequest {
  url: string
  method: string
  headers: Record<string, string>
  signal: AbortSignal | undefined
  /** Sends one line (a value written as JSON, or raw text as it is, newline added). */
  line(value: unknown): void
  /** Sends raw text. */
  raw(text: string): void
  /** Ends the body. */
  end(): void
  /** The client cancelled the body (or aborted the request). */
  readonly cancelled: boolean
}

/**
 * A fetch whose every answer is `200 application/x-ndjson` with a body the test writes line by line;
 * aborting the request's signal errors the body, as a real fetch does. `answer` may answer
 * otherwise (a JSON reply, say).
 */
export function streamingFetch(answer?: (request: StreamedRequest) => Response | undefined) {
  const requests: StreamedRequest[] = []
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    let cancelled = false
    let closed = false
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c
      },
      cancel() {
        cancelled = true
      },
    })
    const request: StreamedRequest = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      signal: init.signal ?? undefined,
      line: (value) => request.raw(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`),
      raw: (text) => {
        if (!closed && !cancelled) controller.enqueue(encoder.encode(text))
      },
      end: () => {
        if (closed || cancelled) return
        closed = true
        controller.close()
      },
      get cancelled() {
        return cancelled
      },
    }
    init.signal?.addEventListener('abort', () => {
      cancelled = true
      if (!closed) controller.error(init.signal!.reason)
    })
    requests.push(request)
    const other = answer?.(request)
    if (other !== undefined) return other
    return new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } })
  }) as typeof globalThis.fetch
  return { fetch, requests }
}

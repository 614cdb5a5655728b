import { CallStream } from './call-stream.js'
import { endLine, yieldLine, type LineSettings } from './lines.js'

/**
 * A reply body written line by line as it comes (`application/x-ndjson`). An adapter asks for the
 * next text only once the last one was taken by the connection, so nothing is pulled ahead of a
 * slow reader; `cancel` when the client has gone.
 */
export abstract class LineBody {
  /** The next line(s) of text, `undefined` after the last. */
  abstract next(): Promise<string | undefined>
  /** The reader went away: stop what produces lines, and release it. */
  abstract cancel(): Promise<void>
}

/**
 * The lines of one stream: a `yield` line per value, pulled from the stream one at a time, then its
 * `done` or `error` line. `opening` starts every line (`{` for a single call, `{"i":<n>,` in a batch).
 */
export class StreamLines extends LineBody {
  private finished = false

  constructor(
    private readonly stream: CallStream,
    private readonly opening: string,
    private readonly settings: LineSettings,
  ) {
    super()
  }

  async next(): Promise<string | undefined> {
    if (this.finished) return undefined
    const stream = this.stream
    let step: IteratorResult<unknown, unknown>
    try {
      step = await stream.next()
    } catch (error) {
      return this.last({ ok: false, error, invalidations: stream.invalidations })
    }
    // Cancelled meanwhile: nothing more is written.
    if (this.finished) return undefined
    if (step.done === true) return this.last({ ok: true, data: step.value, invalidations: stream.invalidations })
    try {
      return await yieldLine(this.opening, step.value, this.settings.transformer)
    } catch (error) {
      // A value the transformer cannot write ends the stream as failed; the values before it went.
      try {
        await stream.throw(error)
      } catch (settled) {
        return this.last({ ok: false, error: settled, invalidations: stream.invalidations })
      }
      return this.last({ ok: false, error, invalidations: stream.invalidations })
    }
  }

  async cancel(): Promise<void> {
    this.finished = true
    await this.stream.return()
  }

  private last(result: Parameters<typeof endLine>[1]): Promise<string> {
    this.finished = true
    return endLine(this.opening, result, this.settings)
  }
}

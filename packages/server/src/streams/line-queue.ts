import { LineBody } from './line-body.js'

/**
 * The body of a batch streamed in completion order: each call pushes its lines as they are ready
 * and waits until the connection has taken them before making the next, so memory holds at most
 * one line per call whatever the reader's speed. It ends once every call has finished.
 */
export class LineQueue extends LineBody {
  private lines: string[] = []
  /** Producers whose line waits in {@link lines}: released once it is taken. */
  private takers: (() => void)[] = []
  /** The reader, waiting for a line. */
  private reader: ((text: string | undefined) => void) | undefined
  private open: number
  private cancelled = false
  private readonly stops: (() => Promise<unknown>)[] = []
  private markReady: (() => void) | undefined
  /** Settles once there is a first line, or none will come: when a reply may start. */
  readonly ready: Promise<void>

  /** `producers`: how many calls will {@link finish}. */
  constructor(producers: number) {
    super()
    this.open = producers
    this.ready = producers === 0 ? Promise.resolve() : new Promise((resolve) => (this.markReady = resolve))
  }

  /** True once the reader went away: producers stop. */
  get stopped(): boolean {
    return this.cancelled
  }

  /** Adds a line; resolves once it is taken (at once after a cancel: it is dropped). */
  push(line: string): Promise<void> {
    this.markReady?.()
    if (this.cancelled) return Promise.resolve()
    const reader = this.reader
    if (reader !== undefined) {
      this.reader = undefined
      reader(line)
      return Promise.resolve()
    }
    this.lines.push(line)
    return new Promise((resolve) => this.takers.push(resolve))
  }

  /** One producer is done; the body ends after the last. */
  finish(): void {
    this.open--
    if (this.open > 0) return
    this.markReady?.()
    const reader = this.reader
    this.reader = undefined
    reader?.(undefined)
  }

  /** Runs `stop` if the reader goes away (a stream of the batch still open is returned). Returns how to forget it. */
  onCancel(stop: () => Promise<unknown>): () => void {
    this.stops.push(stop)
    return () => {
      const at = this.stops.indexOf(stop)
      if (at !== -1) this.stops.splice(at, 1)
    }
  }

  next(): Promise<string | undefined> {
    if (this.lines.length > 0) {
      const text = this.lines.join('')
      const takers = this.takers
      this.lines = []
      this.takers = []
      for (const taken of takers) taken()
      return Promise.resolve(text)
    }
    if (this.open <= 0 || this.cancelled) return Promise.resolve(undefined)
    return new Promise((resolve) => (this.reader = resolve))
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return
    this.cancelled = true
    this.lines = []
    for (const taken of this.takers.splice(0)) taken()
    this.reader?.(undefined)
    this.reader = undefined
    await Promise.all(this.stops.splice(0).map((stop) => stop().catch(() => {})))
  }
}

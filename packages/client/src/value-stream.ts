/**
 * The `AsyncGenerator` a streamed call resolves to. A transport pushes into it what the server sends
 * (values, then the end or a failure); the caller pulls with `for await`. When the caller stops
 * early (`break`, `return()`, `throw()`), `onStop` runs once, so the transport can stop the server
 * (abort the request, send a `cancel` frame), and anything still pushed is dropped.
 */
export class ValueStream implements AsyncGenerator<unknown, unknown, undefined> {
  private readonly queue: unknown[] = []
  private readonly waiting: { resolve: (step: IteratorResult<unknown, unknown>) => void; reject: (error: unknown) => void }[] = []
  private readonly drainedListeners: (() => void)[] = []
  /** `open` until the server's end or failure arrives, or the caller stops. */
  private state: 'open' | 'ended' | 'failed' | 'stopped' = 'open'
  private result: unknown
  private error: unknown
  /** The end (or failure) was handed to the caller: later pulls are plain `done`. */
  private finished = false

  constructor(private readonly onStop: (reason?: unknown) => void) {}

  /** True once nothing more may be pushed: the stream ended, failed or was stopped. */
  get closed(): boolean {
    return this.state !== 'open'
  }

  /** A value from the server: to the caller waiting for one, else queued. */
  push(value: unknown): void {
    if (this.state !== 'open') return
    const waiter = this.waiting.shift()
    if (waiter !== undefined) waiter.resolve({ done: false, value })
    else this.queue.push(value)
  }

  /** The server's end, with the return value: the caller gets it after the values queued before. */
  end(result: unknown): void {
    if (this.state !== 'open') return
    this.state = 'ended'
    this.result = result
    this.settleWaiting()
  }

  /** The stream failed: the caller's next pull after the queued values rejects with `error`. */
  fail(error: unknown): void {
    if (this.state !== 'open') return
    this.state = 'failed'
    this.error = error
    this.settleWaiting()
  }

  /**
   * The caller's signal fired: the stream stops at once (queued values are dropped), the next pull
   * rejects with `reason`, and the transport hears it as a stop.
   */
  cancel(reason: unknown): void {
    if (this.state !== 'open') return
    this.queue.length = 0
    this.fail(reason)
    this.onStop(reason)
  }

  /**
   * Resolves once the caller has taken every queued value (at once when none is queued, or once
   * the stream is closed): a transport that can wait reads the next value only then, so a slow
   * caller holds one value in memory, not the whole stream.
   */
  drained(): Promise<void> {
    if (this.queue.length === 0 || this.state === 'stopped') return Promise.resolve()
    return new Promise((resolve) => this.drainedListeners.push(resolve))
  }

  next(): Promise<IteratorResult<unknown, unknown>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()
      if (this.queue.length === 0) this.notifyDrained()
      return Promise.resolve({ done: false, value })
    }
    if (this.state === 'open') return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
    return this.finish()
  }

  return(value?: unknown): Promise<IteratorResult<unknown, unknown>> {
    this.stop()
    return Promise.resolve({ done: true, value })
  }

  throw(error: unknown): Promise<IteratorResult<unknown, unknown>> {
    this.stop(error)
    return Promise.reject(error)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  /** The caller is done with the stream before its end: the transport hears it once, if still open. */
  private stop(reason?: unknown): void {
    const wasOpen = this.state === 'open'
    this.state = 'stopped'
    this.finished = true
    this.queue.length = 0
    this.notifyDrained()
    for (const waiter of this.waiting.splice(0)) waiter.resolve({ done: true, value: undefined })
    if (wasOpen) this.onStop(reason)
  }

  private settleWaiting(): void {
    // Values were queued only when nobody waited: a closed stream with waiters has an empty queue.
    for (const waiter of this.waiting.splice(0)) {
      this.finish().then(waiter.resolve, waiter.reject)
    }
    if (this.state !== 'open' && this.queue.length === 0) this.notifyDrained()
  }

  /** The end for the first pull after the values, `done` without a value for any later one. */
  private finish(): Promise<IteratorResult<unknown, unknown>> {
    if (this.finished) return Promise.resolve({ done: true, value: undefined })
    this.finished = true
    if (this.state === 'failed') return Promise.reject(this.error)
    return Promise.resolve({ done: true, value: this.result })
  }

  private notifyDrained(): void {
    for (const listener of this.drainedListeners.splice(0)) listener()
  }
}

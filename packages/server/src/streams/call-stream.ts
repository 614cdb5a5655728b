import type { CallResult, Invalidation } from '../dispatch.js'
import type { MaybePromise } from '../maybe-promise.js'
import type { Validator } from '../schema.js'

/** How a stream ended, told once to the call that made it. */
export type StreamEnd =
  | { readonly kind: 'done'; readonly value: unknown }
  | { readonly kind: 'failed'; readonly error: unknown }
  /** The consumer stopped it (`return()`): nothing is sent, but what the handler did is announced. */
  | { readonly kind: 'stopped' }

/** What a stream asks of the call that made it. */
export interface StreamOwner {
  /**
   * Settles the call: purges and announces its invalidations, reports a failure to `onError`.
   * Resolves with the call's result: the return value as `data`, or the error as sent.
   */
  end(end: StreamEnd): MaybePromise<CallResult>
  /** Aborts the call's signal: no one is listening any more. */
  abort(): void
  /** Hands an error no one else will see (a throwing `finally`) to `onError`. */
  report(error: unknown): void
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

/**
 * The result of a call whose handler streams: an `AsyncGenerator` over the handler's values, each
 * checked by the output schema (a value that fails it ends the stream with
 * `INTERNAL_SERVER_ERROR`, the handler's iterator returned). `return()` aborts the call's signal
 * and returns the handler's iterator, so its `finally` runs. Transports pull one value at a time;
 * once the stream has ended, {@link invalidations} holds what the call made stale.
 */
export class CallStream implements AsyncIterableIterator<unknown, unknown, undefined> {
  readonly #source: AsyncIterator<unknown>
  readonly #check: Validator | undefined
  readonly #owner: StreamOwner
  /** The step running, if any: calls are taken one after another, as a generator takes them. */
  #queue: Promise<unknown> = Promise.resolve()
  #ended = false
  #result: CallResult | undefined

  constructor(source: AsyncIterable<unknown>, check: Validator | undefined, owner: StreamOwner) {
    this.#source = source[Symbol.asyncIterator]()
    this.#check = check
    this.#owner = owner
  }

  /** The invalidations of the call, known once the stream has ended (`[]` before). */
  get invalidations(): readonly Invalidation[] {
    return this.#result?.invalidations ?? []
  }

  /** True once the stream has ended, whichever way. */
  get ended(): boolean {
    return this.#ended
  }

  next(): Promise<IteratorResult<unknown, unknown>> {
    const step = this.#queue.then(() => this.#step())
    this.#queue = step.then(ignore, ignore)
    return step
  }

  /**
   * Stops the stream: the call's signal aborts at once, then, once a step still running has
   * settled (its value dropped), the handler's iterator is returned.
   */
  async return(value?: unknown): Promise<IteratorResult<unknown, unknown>> {
    if (!this.#ended) {
      this.#ended = true
      this.#owner.abort()
      await this.#queue
      await this.#close()
      this.#result = await this.#owner.end({ kind: 'stopped' })
    }
    return { done: true, value }
  }

  /**
   * Ends the stream with `error` (a transport that could not send a value): the handler's iterator
   * is returned, the error reported as the call's, and thrown back as it is sent.
   */
  async throw(error: unknown): Promise<IteratorResult<unknown, unknown>> {
    if (this.#ended) throw error
    this.#ended = true
    this.#owner.abort()
    await this.#queue
    await this.#close()
    return this.#failed(error)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async #step(): Promise<IteratorResult<unknown, unknown>> {
    if (this.#ended) return DONE
    let step: IteratorResult<unknown, unknown>
    try {
      step = await this.#source.next()
    } catch (error) {
      // Thrown after the consumer stopped (an aborted wait, most often): no one is told.
      if (this.#ended) return DONE
      this.#ended = true
      return this.#failed(error)
    }
    if (this.#ended) return DONE
    if (step.done === true) {
      this.#ended = true
      const result = (this.#result = await this.#owner.end({ kind: 'done', value: step.value }))
      if (!result.ok) throw result.error
      return { done: true, value: result.data }
    }
    const check = this.#check
    if (check === undefined) return step
    let value: unknown
    try {
      value = await check(step.value)
    } catch (error) {
      if (this.#ended) return DONE
      this.#ended = true
      await this.#close()
      return this.#failed(error)
    }
    return this.#ended ? DONE : { done: false, value }
  }

  async #failed(error: unknown): Promise<never> {
    const result = (this.#result = await this.#owner.end({ kind: 'failed', error }))
    throw result.ok ? error : result.error
  }

  /** Returns the handler's iterator, so its `finally` runs; what that throws goes to `onError`. */
  async #close(): Promise<void> {
    try {
      await this.#source.return?.()
    } catch (error) {
      this.#owner.report(error)
    }
  }
}

// `await using stream = ...` stops it as `return()` does, where the runtime knows the symbol. Set
// here rather than declared: the declarations stay valid for every `lib` an app compiles with.
const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose
if (asyncDispose !== undefined) {
  Object.defineProperty(CallStream.prototype, asyncDispose, {
    value(this: CallStream) {
      return this.return().then(ignore)
    },
  })
}

function ignore(): void {}

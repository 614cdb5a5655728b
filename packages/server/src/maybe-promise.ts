/** A value now, or later. The request path stays synchronous until something really waits. */
export type MaybePromise<T> = T | Promise<T>

/**
 * Applies `next` to a value, or to a promise's value once it settles, so a request whose context,
 * validation and handler are synchronous runs without a single promise: no microtask hops and
 * nothing kept alive between them. (Not named `then`: a module exporting `then` is thenable.)
 */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value)
}

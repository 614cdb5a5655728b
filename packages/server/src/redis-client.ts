/** A command of the client. Mizan calls it as ioredis documents; any arguments and answer fit here. */
type Command = (...args: never[]) => unknown

/**
 * An ioredis client (`new Redis(url)`, ioredis 5 or 6), as the Redis options take it: `redisCache`,
 * `redisPubSub`, `redisRateLimit` and `redisReplayStore`.
 *
 * It lists the members Mizan uses rather than importing ioredis's own type, so that Mizan's type
 * declarations load (with `skipLibCheck: false`) in an app that has not installed ioredis, an
 * optional peer: an ioredis `Redis` fits it, a URL string or another library's client does not.
 */
export interface RedisClient {
  /** ioredis's connection status (`'ready'`, `'connecting'`, `'end'`...). */
  readonly status: string
  duplicate: Command
  mget: Command
  set: Command
  eval: Command
  multi: Command
  publish: Command
  subscribe: Command
  unsubscribe: Command
  defineCommand: Command
  on: Command
  off: Command
  disconnect: Command
}


/**
 * Runs a command on a client only when its connection is ready, and rejects after `timeoutMs`
 * without an answer: nothing ever waits in ioredis's offline queue (an answer after an outage
 * would come too late to mean anything, and the caller would wait unbounded). On a timeout Redis
 * may still have carried the command out. `name` says which command in the error.
 */
export function answeredWithin<T>(redis: RedisClient, timeoutMs: number, run: () => Promise<T>, name = 'the command'): Promise<T> {
  if (redis.status !== 'ready') return Promise.reject(new Error(`redis is ${redis.status}`))
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis did not answer ${name} within ${timeoutMs} ms`)), timeoutMs)
    run().then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

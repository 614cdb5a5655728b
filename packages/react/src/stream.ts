import type { ClientMethods } from '@mizan/client'
import { hashKey, skipToken } from '@tanstack/react-query'
// A namespace import, read when called: React's Server Components build has no `useState` or
// `useEffect`, and a named import of them would make `createMizanReact` fail to load there.
import * as React from 'react'

/** Options of `api.x.useStream(input, options)`. */
export interface UseStreamOptions<Value> {
  /** `false` runs no stream (and stops a running one): the status is `idle`. Default `true`. */
  enabled?: boolean
  /** Called with every value, in order, as it arrives. */
  onValue?: (value: Value) => void
}

/** Where a stream of `useStream` is. */
export type StreamStatus = 'idle' | 'streaming' | 'done' | 'error'

/** What `api.x.useStream` returns. */
export interface UseStreamResult<Value, Return, Err> {
  /** Every value so far, in order (a new array per value). */
  values: Value[]
  /** The last value, if any. */
  latest: Value | undefined
  /**
   * `idle` (disabled), `streaming`, `done` (ended, or stopped by `stop()`), or `error` (the call
   * or the stream failed).
   */
  status: StreamStatus
  /** Why it failed, when `status` is `error`. */
  error: Err | null
  /** The stream's return value, once it ended by itself. */
  result: Return | undefined
  /** Stops the stream (the server's handler returns); the values stay. */
  stop: () => void
}

interface State {
  values: unknown[]
  status: StreamStatus
  error: unknown
  result: unknown
}

const IDLE: State = { values: [], status: 'idle', error: null, result: undefined }

/**
 * One live stream of a procedure, outside the query cache: started on mount, and again (the old one
 * stopped) when the input changes by value; stopped on unmount. The input is compared by its
 * TanStack hash, so a new object of the same input per render is the same stream.
 */
export function useProcedureStream(client: Pick<ClientMethods, '$call'>, path: string, input: unknown, options: UseStreamOptions<unknown> = {}): UseStreamResult<unknown, unknown, unknown> {
  const [state, setState] = React.useState<State>(IDLE)
  const latest = React.useRef(options)
  latest.current = options
  const stopRef = React.useRef<() => void>(() => {})
  const enabled = (options.enabled ?? true) && input !== skipToken
  const key = input === skipToken ? '' : hashKey([input])

  React.useEffect(() => {
    if (!enabled) {
      setState(IDLE)
      return
    }
    const controller = new AbortController()
    let live = true
    setState({ values: [], status: 'streaming', error: null, result: undefined })
    const run = async () => {
      try {
        const stream = (await client.$call('query', path, input, { signal: controller.signal })) as AsyncIterator<unknown, unknown>
        for (;;) {
          const step = await stream.next()
          if (!live) return
          if (step.done) return setState((prev) => ({ ...prev, status: 'done', result: step.value }))
          const value = step.value
          setState((prev) => ({ ...prev, values: [...prev.values, value] }))
          latest.current.onValue?.(value)
        }
      } catch (error) {
        if (live) setState((prev) => ({ ...prev, status: 'error', error }))
      }
    }
    void run()
    const stop = () => {
      if (!live) return
      live = false
      controller.abort()
      setState((prev) => (prev.status === 'streaming' ? { ...prev, status: 'done' } : prev))
    }
    stopRef.current = stop
    return () => {
      live = false
      controller.abort()
    }
    // `input` is compared by value through its key, as TanStack Query compares query keys.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, path, key, enabled])

  const stop = React.useCallback(() => stopRef.current(), [])
  return { values: state.values, latest: state.values.at(-1), status: state.status, error: state.error, result: state.result, stop }
}

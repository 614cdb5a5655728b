import type { ClientMethods } from '@mizan/client'
import {
  experimental_streamedQuery,
  skipToken,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useSuspenseQuery,
  type QueryFunctionContext,
} from '@tanstack/react-query'
// A namespace import, read when called: React's Server Components build (the `react-server`
// condition) has no `createContext` or `useContext`, and a named import of them would make this
// module, and so `createMizanReact` and `@mizan/react/ssr`, fail to load in a Server Component.
// Only `Provider` and `useLocal` use them, and those run in client components.
import * as React from 'react'
import type { Context, ReactNode } from 'react'
import { bridgeOf } from './bridge.js'
import { queryKeyOf, type MizanPathKey } from './keys.js'
import { useProcedureStream, type UseStreamOptions } from './stream.js'

type Options = Record<string, any>

/** A query call's options: the signal, and the shape when there is one (an unshaped call sends none). */
function callOptions(signal: AbortSignal, shape: unknown): { signal: AbortSignal; shape?: unknown } {
  return shape === undefined ? { signal } : { signal, shape }
}

/** What a local context provider hands down: the query's state for that input. */
export interface LocalValue {
  data: unknown
}

interface LocalProviderProps {
  input: unknown
  children?: ReactNode
  fallback?: ReactNode
  options?: Options
}

/**
 * Everything `createMizanReact` offers for one path, made once per path so that components
 * (`Provider`) and callbacks keep their identity across renders.
 */
export class ProcedureHandle {
  private localContext: Context<LocalValue | undefined> | undefined
  private provider: ((props: LocalProviderProps) => ReactNode) | undefined

  constructor(
    readonly path: string,
    readonly client: Pick<ClientMethods, '$call'> & Partial<Pick<ClientMethods, '$subscribe' | '$manifest'>>,
  ) {}

  pathKey = (): MizanPathKey => [this.path.split('.')]

  queryKey = (input?: unknown, options?: { shape?: unknown }) => queryKeyOf(this.path, input, 'query', options?.shape)

  // `shape` is Mizan's, not TanStack's: it goes into the key and the call, and is taken out of the
  // options TanStack gets.
  queryOptions = (input?: unknown, options?: Options) => {
    const { shape, ...extras } = options ?? {}
    return {
      ...extras,
      queryKey: queryKeyOf(this.path, input === skipToken ? undefined : input, 'query', shape),
      queryFn: input === skipToken ? skipToken : ({ signal }: QueryFunctionContext) => this.client.$call('query', this.path, input, callOptions(signal, shape)),
    }
  }

  infiniteQueryOptions = (input: unknown, options: Options) => {
    const { shape, ...extras } = options
    return {
      initialPageParam: null,
      ...extras,
      queryKey: queryKeyOf(this.path, input, 'infinite', shape),
      queryFn: ({ signal, pageParam }: QueryFunctionContext<any, unknown>) =>
        this.client.$call('query', this.path, { ...(input as object), cursor: pageParam ?? undefined }, callOptions(signal, shape)),
    }
  }

  // A streamed query: TanStack's streamed query function reads the stream into the cache, an array
  // of the values so far; `refetchMode` is its option, taken out of the query's.
  streamOptions = (input?: unknown, options?: Options) => {
    const { refetchMode, ...extras } = options ?? {}
    return {
      ...extras,
      queryKey: queryKeyOf(this.path, input === skipToken ? undefined : input, 'stream'),
      queryFn:
        input === skipToken
          ? skipToken
          : experimental_streamedQuery({
              streamFn: ({ signal }: { signal: AbortSignal }) => this.client.$call('query', this.path, input, { signal }) as Promise<AsyncIterable<unknown>>,
              refetchMode: refetchMode as 'append' | 'reset' | 'replace' | undefined,
            }),
    }
  }

  mutationOptions = (options: Options = {}) => {
    const { awaitInvalidation, onUploadProgress, ...rest } = options
    // Progress reaches the call only when asked for: without it, an upload needs no XMLHttpRequest.
    const callOptions = onUploadProgress === undefined ? undefined : { onUploadProgress }
    return {
      ...rest,
      mutationKey: this.pathKey(),
      mutationFn: async (input: unknown, context?: { client?: import('@tanstack/react-query').QueryClient }) => {
        const data = await this.client.$call('mutation', this.path, input, callOptions)
        // The client announced the invalidations before this call settled; wait for their refetch.
        if (awaitInvalidation === true && context?.client !== undefined) await bridgeOf(context.client)?.settled()
        return data
      },
    }
  }

  useQuery = (input?: unknown, options?: Options) => useQuery(this.queryOptions(input, options) as never)
  useSuspenseQuery = (input?: unknown, options?: Options) => useSuspenseQuery(this.queryOptions(input, options) as never)
  useInfiniteQuery = (input: unknown, options: Options) => useInfiniteQuery(this.infiniteQueryOptions(input, options) as never)
  useMutation = (options?: Options) => useMutation(this.mutationOptions(options) as never)
  useStream = (input?: unknown, options?: UseStreamOptions<unknown>) => useProcedureStream(this.client, this.path, input, options)

  /** The React context a local provider of this path fills. */
  contextOf(): Context<LocalValue | undefined> {
    return (this.localContext ??= React.createContext<LocalValue | undefined>(undefined))
  }

  /** `<api.greeting.Provider input={...}>`: fetches the query and renders `fallback` until it has data. */
  get Provider() {
    if (this.provider !== undefined) return this.provider
    const handle = this
    const Context = this.contextOf()
    const Provider = ({ input, children, fallback = null, options }: LocalProviderProps) => {
      const query = useQuery(handle.queryOptions(input, options) as never)
      if (query.error) throw query.error
      if (query.data === undefined) return fallback
      return <Context.Provider value={{ data: query.data }}>{children}</Context.Provider>
    }
    Provider.displayName = `Mizan(${this.path}).Provider`
    return (this.provider = Provider)
  }

  /** Reads the nearest local provider of this path, if any. */
  useLocal(): LocalValue | undefined {
    return React.useContext(this.contextOf())
  }

  /** True once this path's `Provider` exists: the query is used as a local context. */
  get providesLocally(): boolean {
    return this.provider !== undefined
  }
}

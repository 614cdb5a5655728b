import type { ClientMethods } from '@mizan/client'
import type { Manifest } from '@mizan/server'
import { dehydrate, type DehydratedState, type QueryClient } from '@tanstack/react-query'
import SuperJSON from 'superjson'
import { handleOf } from './context.js'
import { contextKindsOf, setContextKinds } from './context-kinds.js'

/**
 * A client that calls procedures in process through a server caller (`server.createCaller(ctx)`):
 * server rendering with no HTTP hop. Give it to `createMizanReact`. A query's `shape` goes to the
 * caller as it would over HTTP, so a prefetched shaped query holds the projection.
 */
export function callerClient(caller: unknown): Pick<ClientMethods, '$call' | '$on'> {
  return {
    $call: async (_kind, path, input, options) => {
      let target: any = caller
      for (const segment of path.split('.')) target = target[segment]
      const shape = options?.shape
      return target(input, shape === undefined ? { signal: options?.signal } : { signal: options?.signal, shape })
    },
    // Invalidations of server-side calls purge on the server; there is no browser cache to tell.
    $on: () => () => {},
  }
}

/**
 * Prefetches every `context: 'global'` query the manifest lists, so the first render has them, and
 * records which contexts are global and which local: the state carries that to the browser, whose
 * `useMizanContext` then needs no request to tell them apart.
 */
export async function prefetchContexts(api: unknown, queryClient: QueryClient, manifest: Pick<Manifest, 'procedures'>): Promise<void> {
  setContextKinds(queryClient, contextKindsOf(manifest))
  const globals = Object.entries(manifest.procedures).filter(([, entry]) => entry.context === 'global')
  await Promise.all(
    globals.map(([path]) => {
      let node: any = api
      for (const segment of path.split('.')) node = node[segment]
      return queryClient.prefetchQuery(handleOf(node).queryOptions(undefined) as never)
    }),
  )
}

/**
 * The query client's state as a string, written with superjson so a `Date` is still a `Date` after
 * `parseState`. To put it in a page, use {@link inlineState}: the text may hold `</script>`.
 */
export function dehydrateState(queryClient: QueryClient): string {
  return SuperJSON.stringify(dehydrate(queryClient))
}

/** Reads what {@link dehydrateState} wrote, for `<MizanProvider state>`. */
export function parseState(text: string): DehydratedState {
  return SuperJSON.parse<DehydratedState>(text)
}

/**
 * A JavaScript string literal of a state, safe inside an inline `<script>`: `<` and the line
 * separators JSON allows but scripts do not are escaped, so data can never close the tag.
 *
 * ```ts
 * `<script>window.__MIZAN_STATE__ = ${inlineState(dehydrateState(queryClient))}</script>`
 * ```
 */
export function inlineState(state: string): string {
  return JSON.stringify(state).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

import type { ClientMethods } from '@mizan/client'
import type { AnyRouter } from '@mizan/server'
import { ProcedureHandle } from './handle.js'
import type { MizanReact } from './types.js'

const PROCEDURE_PATH = Symbol.for('mizan.procedurePath')

const METHODS = new Set([
  'queryOptions',
  'queryKey',
  'pathKey',
  'infiniteQueryOptions',
  'mutationOptions',
  'useQuery',
  'useSuspenseQuery',
  'useInfiniteQuery',
  'useMutation',
  'streamOptions',
  'useStream',
  'Provider',
])

/** The slot where a decorated procedure exposes its handle, for `useMizanContext`. */
export const HANDLE = '~mizan'

/**
 * Binds a client to TanStack Query: a typed proxy mirroring the router, whose procedures give
 * `queryOptions`, `queryKey`, `mutationOptions` and hooks.
 *
 * ```ts
 * export const api = createMizanReact(client)
 * const posts = useQuery(api.posts.list.queryOptions({ page: 1 }))
 * ```
 */
export function createMizanReact<R extends AnyRouter>(client: Pick<ClientMethods, '$call'> & Partial<Pick<ClientMethods, '$subscribe' | '$manifest'>>): MizanReact<R> {
  const nodes = new Map<string, unknown>()
  const handles = new Map<string, ProcedureHandle>()
  const handleOf = (path: string) => {
    let handle = handles.get(path)
    if (handle === undefined) handles.set(path, (handle = new ProcedureHandle(path, client)))
    return handle
  }
  const node = (path: string): unknown => {
    let proxy = nodes.get(path)
    if (proxy !== undefined) return proxy
    proxy = new Proxy(
      {},
      {
        get(_target, key) {
          // The path `isMizanError(e, api.x.y, 'CODE')` checks an error against (the client's key).
          if (key === PROCEDURE_PATH) return path
          if (typeof key !== 'string' || key === 'then') return undefined
          if (key === HANDLE) return handleOf(path)
          if (METHODS.has(key) && path !== '') return handleOf(path)[key as 'queryOptions']
          return node(path === '' ? key : `${path}.${key}`)
        },
      },
    )
    nodes.set(path, proxy)
    return proxy
  }
  return node('') as MizanReact<R>
}

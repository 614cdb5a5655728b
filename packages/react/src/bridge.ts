import type { ClientInvalidation, ClientMethods } from '@mizan/client'
import type { Query, QueryClient } from '@tanstack/react-query'
import { invalidationPredicate } from './keys.js'

/**
 * The invalidation bridge: every invalidation the client announces becomes TanStack Query
 * invalidations. Framework-free; `MizanProvider` mounts one.
 */
export class InvalidationBridge {
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly queryClient: QueryClient) {}

  /** Listens to a client; returns the function that stops listening. */
  connect(client: Pick<ClientMethods, '$on'>): () => void {
    const off = client.$on('invalidate', (targets) => void this.apply(targets))
    // Pushes may have been missed while the socket was away: any Mizan query may be stale.
    const offGap = client.$on('pushGap', () => void this.run(isMizanQuery))
    bridges.set(this.queryClient, this)
    return () => {
      off()
      offGap()
      if (bridges.get(this.queryClient) === this) bridges.delete(this.queryClient)
    }
  }

  /**
   * Applies invalidations: matching queries are marked stale, active ones refetch, inactive ones
   * refetch when they mount. A fetch already in flight for a match started before the change, so
   * it is cancelled first; otherwise its answer (stale, and for a first fetch the only one) would
   * land after the invalidation and be taken as fresh.
   */
  apply(targets: readonly ClientInvalidation[]): Promise<void> {
    return this.run(invalidationPredicate(targets))
  }

  /** Cancels, then invalidates, the queries `predicate` picks (see {@link apply}). */
  private run(predicate: (query: Query) => boolean): Promise<void> {
    const done = (async () => {
      await this.queryClient.cancelQueries({ predicate }, { revert: true, silent: true })
      await this.queryClient.invalidateQueries({ predicate }, { throwOnError: false })
    })().catch(() => {
      // A failed refetch shows on its query; the bridge has nothing to add.
    })
    this.running.add(done)
    void done.finally(() => this.running.delete(done))
    return done
  }

  /** Resolves when every invalidation applied so far has refetched its active queries. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running])
  }
}

/** A query made by `@mizan/react` (its key is `[path segments, { type, … }]`). */
function isMizanQuery(query: Query): boolean {
  const [segments, meta] = query.queryKey
  return Array.isArray(segments) && typeof meta === 'object' && meta !== null && 'type' in meta
}

const bridges = new WeakMap<QueryClient, InvalidationBridge>()

/** The bridge mounted for a query client, if any: what `awaitInvalidation` waits on. */
export function bridgeOf(queryClient: QueryClient): InvalidationBridge | undefined {
  return bridges.get(queryClient)
}

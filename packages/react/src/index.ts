/**
 * @mizan/react: TanStack Query options, the invalidation bridge, contexts, channels and forms.
 * Not built yet; until it is, use `client.$on('invalidate', ...)` from @mizan/client to invalidate
 * TanStack Query keys by hand.
 */
export const MIZAN_REACT_VERSION = '0.1.0'

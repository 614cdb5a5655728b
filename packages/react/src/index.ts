export { createMizanReact } from './proxy.js'
export { MizanProvider, type MizanProviderProps } from './provider.js'
export { useMizanContext } from './context.js'
export { useChannel, type UseChannelOptions, type UseChannelResult } from './channel.js'
export { InvalidationBridge } from './bridge.js'
export { matchesInvalidation, queryKeyOf, type MizanPathKey, type MizanQueryKey, type QueryType } from './keys.js'
export type {
  ChannelTag,
  ContextTag,
  CursorOf,
  DecorateReactRecord,
  DecoratedMutation,
  DecoratedQuery,
  DecoratedStream,
  InfiniteExtras,
  LocalContextProvider,
  MizanQueryOptions,
  MizanReact,
  MizanStreamOptions,
  MutationExtras,
  QueryExtras,
  StreamExtras,
  StreamOutput,
  TypedQueryKey,
} from './types.js'
export type { ShapedDecoratedQuery, ShapedQueryExtras, ShapeOption } from './shaped-query.js'
export type { StreamStatus, UseStreamOptions, UseStreamResult } from './stream.js'

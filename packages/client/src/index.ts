export { createClient, type ClientEvents, type ClientMethods, type ClientOptions, type MizanClient } from './client.js'
export {
  MizanClientError,
  isMizanError,
  type ClientErrorShape,
  type DeclaredClientError,
  type DeclaredErrorsOf,
  type MizanClientErrorCode,
  type ProcedureErrors,
} from './errors.js'
export type { ClientInvalidation, InvalidationSource } from './http-link.js'
export type { Serializer } from './serializer.js'
export type { CallOptions, ClientOutput, DecorateRecord, MutationProcedure, QueryProcedure, UploadInput, UploadProgress } from './types.js'
export type { RealtimeTransport, SocketStatus, Subscription, SubscriptionHandlers, SubscriptionStatus } from './ws-link.js'
export type { ChannelClient } from './types.js'
export type { RouteClient, RouteTable } from './route-url.js'
export type { ShapeChoice, ShapeParam, ShapedCallOptions, ShapedOutput, ShapedQueryProcedure } from './shapes.js'

export { initMizan, type Mizan, type MizanOptions } from './init.js'
export { MizanError, isMizanServerError, toErrorShape, ERROR_STATUS, type ErrorShape, type MizanErrorCode, type MizanErrorOptions, type ValidationErrorData, type ValidationIssue } from './errors.js'
export type {
  AnyProcedure,
  AuthRule,
  CacheOptions,
  ClientErrorsOf,
  ContextKind,
  DeclaredErrorOf,
  ErrorsCheck,
  ErrorsOption,
  Fail,
  HandlerArgs,
  Jsonify,
  MutationOptions,
  Procedure,
  ProcedureKind,
  QueryOptions,
  ShapeableSchemaOf,
  ShapesCheck,
  ShapesOfProcedure,
  ShapeSpecOf,
  IsStream,
  StreamCheck,
  StreamOf,
} from './procedure.js'
export type { ExactSelection, ExactShape, FieldSelectionOf, FieldShapeOf, Projected, SchemaFieldsOf, SelectionOf, ShapeObjectOf, ShapeOf, ShapeSpec } from './shapes/types.js'
export type { Middleware, MiddlewareArgs, MiddlewareNext, MiddlewareResult } from './middleware.js'
export type { AffectsCheck, AnyRouter, DeclaredAffects, InvalidAffects, RecordAffects, RecordOf, RecordPaths, Router, RouterContext, RouterPaths, RouterRecord } from './router.js'
export type { AnySchema, InferSchemaInput, InferSchemaOutput, StandardSchemaV1 } from './schema.js'
export type { CallResult, DispatchOptions, ErrorEvent, Invalidation } from './dispatch.js'
export type { Caller, CallerCallOptions, CallerOptions, CallerProcedure, ShapedCall } from './caller.js'
export type { Manifest, ManifestChannel, ManifestFiles, ManifestForm, ManifestProcedure, ManifestRoute } from './manifest.js'
export type { ShapesDescription } from './shapes/describe.js'
export type { AnyRoute, Route, RouteArgs, RouteDef, RouteOptions } from './routes/route.js'
export type { PathParams, PathPattern, PatternSegment } from './routes/pattern.js'
export { toOpenAPI, type OpenAPIDocument, type OpenAPIOptions } from './openapi/document.js'
export type { OpenAPIServeOption } from './openapi/serve.js'
export type { FormField, FormSchema, FormValidateInput, FormValidation, FormWidget } from './forms/wire.js'
export type { FormCheck, FormCheckArgs, FormFieldOptions } from './forms/field-options.js'
export type { AnyForm, Form, FormFieldsOf, FormInput, FormOptions, FormOutput, FormRecord } from './forms/types.js'
export type { FormFieldPath, FormValueAt, FormValues } from './forms/paths.js'
export type { FileLimits, UploadOptions } from './files/limits.js'
export type { CorsOptions } from './http/cors.js'
export { ResponseHeaders, type ContextOptions, type MizanRequest } from './http/exchange.js'
export { DEFAULT_LIMITS, type HttpLimits } from './http/handle.js'
export type { FetchHandler } from './http/fetch.js'
export type { NodeHandler } from './http/node.js'
export { createBearerAuth, type BearerAlgorithm, type BearerAuth, type BearerAuthOptions, type BearerSource } from './auth/bearer.js'
export { createCaller, createMizanServer, type MizanServer, type MizanServerOptions } from './server.js'
export type { TransformerName } from './transformer.js'
export { memoryCache, type MemoryCacheOptions } from './cache/memory.js'
export { redisCache, type RedisCacheOptions } from './cache/redis.js'
export type { NearCacheOptions } from './cache/near-cache.js'
export type { CacheBackend, CacheRead } from './cache/backend.js'
export type { CacheEntry } from './cache/entry.js'
export type { PrincipalOf } from './cache/origin-cache.js'
export type { AnyChannel, Channel, ChannelArgs, ChannelAt, ChannelDef, ChannelMessage, ChannelOptions, ChannelParams, ChannelPublish } from './channel.js'
export type { ChannelPaths } from './router.js'
export type { RedisClient } from './redis-client.js'
export type { Placement, PubSub, PubSubListener, SubscribeOptions } from './realtime/pubsub.js'
export type { MemoryHistoryOptions } from './realtime/memory-history.js'
export type { RedisHistoryOptions } from './realtime/redis-streams.js'
export { memoryPubSub, type MemoryPubSubOptions } from './realtime/memory-pubsub.js'
export { redisPubSub, type RedisPubSub, type RedisPubSubOptions } from './realtime/redis-pubsub.js'
export { DEFAULT_SOCKET_LIMITS, type SocketLimits } from './realtime/limits.js'
export type { WebSocketOptions } from './realtime/socket-server.js'
export {
  createTicketIssuer,
  memoryReplayStore,
  redisReplayStore,
  TicketError,
  TICKET_CLOSE_CODE,
  type MemoryReplayStore,
  type MemoryReplayStoreOptions,
  type RedisReplayStoreOptions,
  type ReplayStore,
  type TicketClaims,
  type TicketErrorReason,
  type TicketIssuer,
  type TicketIssuerOptions,
  type TicketMintClaims,
} from './realtime/ticket.js'
export type { RateLimitBy, RateLimitDescription, RateLimitRule } from './rate-limit/rule.js'
export type { RateLimitWindow } from './rate-limit/window.js'
export type { RateLimitDecision, RateLimitStore } from './rate-limit/store.js'
export { memoryRateLimit, MemoryRateLimit, type MemoryRateLimitOptions } from './rate-limit/memory.js'
export { redisRateLimit, type RedisRateLimitOptions } from './rate-limit/redis.js'
export type { ClientAddressOf, ClientAddressSource } from './rate-limit/address.js'
export type { RateLimitErrorData } from './rate-limit/error.js'
export { DEFAULT_TICKET_RATE_LIMIT, type TicketRateLimit, type TicketRateLimitOptions } from './rate-limit/session.js'

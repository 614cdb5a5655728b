export { ERROR_STATUS, type ErrorShape, type MizanErrorCode } from './codes.js'
export {
  jsonTransformer,
  needsTransform,
  type CallEnvelope,
  type InvalidationWire,
  type ResultEnvelope,
  type Serialized,
  type Transformer,
} from './envelope.js'
export { INVALIDATE_HEADER, decodeInvalidateHeader, encodeInvalidateHeader } from './invalidation.js'
export { WEBSOCKET_HEADER, decodeWebSocketHeader, encodeWebSocketHeader } from './websocket-header.js'

export * from "./addresses.js";
export type {
  BadMessageContext,
  ListenerConfig,
  ListeningAddress,
  SipTransportOptions,
  TraceEvent,
  TransportEvent,
  TransportStats,
} from "./options.js";
export { isAnswerable } from "./options.js";
export { type FramerEvent, type FramingErrorCode, readContentLength, StreamFramer } from "./stream-framer.js";
export { loadTlsCredentials, selfSignedPaths, type TlsCredentials } from "./tls-credentials.js";
export { SipTransportLayer, TransportError, UDP_MTU_THRESHOLD } from "./transport-layer.js";
export * from "./types.js";
export {
  buildVia,
  completeTopVia,
  type ResponseTarget,
  reliableResponseTarget,
  stampReceived,
  unreliableResponseTarget,
} from "./via.js";

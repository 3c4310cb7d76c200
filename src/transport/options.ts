import type { ParseError, SipMessage } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import type { ReceivedMessage, SocketAddress, TransportProtocol } from "./types.js";

/** One socket to bind. */
export interface ListenerConfig {
  readonly protocol: TransportProtocol;
  /** "0.0.0.0", "::", or a local IP such as "127.0.0.1" / "::1". */
  readonly address: string;
  /** 0 = any free port (read the real one back from `listening`). */
  readonly port: number;
}

/** A bound listener, with the port the OS gave it. */
export interface ListeningAddress {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

/** One message on the wire, for --sip-trace. */
export interface TraceEvent {
  readonly direction: "in" | "out";
  readonly protocol: TransportProtocol;
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly data: Buffer;
}

/**
 * A malformed request that can still be answered (ParseError.answerable): the core answers
 * `error.status` (400, 505, 513) with `error.reason` by calling `sendResponse(response, received)`,
 * and logs it. The transport answers nothing itself. On a stream whose framing broke the
 * connection closes shortly after that answer is written.
 */
export interface BadMessageContext {
  readonly error: ParseError;
  readonly protocol: TransportProtocol;
  readonly source: SocketAddress;
  readonly local: SocketAddress;
  readonly flowId: string | undefined;
  /** The partial request (Via already stamped with received/rport) in a ready-to-answer context. */
  readonly received: ReceivedMessage;
}

/** Connection and error events, for logging and metrics. */
export type TransportEvent =
  | { readonly kind: "listening"; readonly protocol: TransportProtocol; readonly local: SocketAddress }
  | { readonly kind: "tls-certificate"; readonly certFile: string; readonly generated: boolean }
  | {
      readonly kind: "connection-open";
      readonly protocol: TransportProtocol;
      readonly flowId: string;
      readonly direction: "inbound" | "outbound";
      readonly local: SocketAddress;
      readonly remote: SocketAddress;
    }
  | {
      readonly kind: "connection-close";
      readonly protocol: TransportProtocol;
      readonly flowId: string;
      readonly remote: SocketAddress;
      readonly reason: string;
    }
  /** A packet or message that was discarded: garbage, unanswerable parse error, no handler. */
  | {
      readonly kind: "drop";
      readonly protocol: TransportProtocol;
      readonly source: SocketAddress;
      readonly flowId: string | undefined;
      readonly reason: string;
    }
  /** A connection refused by a cap (connection-caps.ts), reported once per interval per source. */
  | {
      readonly kind: "limit";
      readonly protocol: TransportProtocol;
      readonly source: string;
      /** Connections refused (in all, per source), or one connection's messages dropped. */
      readonly limit: "total" | "per-source" | "messages-per-connection";
      readonly max: number;
      readonly refused: number;
    }
  /** Something failed that did not stop the transport: a socket error, a throwing handler. */
  | {
      readonly kind: "error";
      readonly protocol: TransportProtocol | undefined;
      readonly context: string;
      readonly error: unknown;
    };

export interface SipTransportOptions {
  readonly listeners: readonly ListenerConfig[];
  /** Host for Via sent-by (and for the core's Contact) when bound to a wildcard or behind NAT. */
  readonly advertisedAddress?: string;
  /** Largest message accepted on any transport, headers plus body. Default 65,535 bytes. */
  readonly maxMessageSize?: number;
  /** A connection with no traffic for this long is closed. Default 300,000 ms. */
  readonly idleTimeoutMs?: number;
  /** Accepted TCP/TLS connections open at once, in all and per source address. Default: no cap. */
  readonly maxConnections?: number;
  readonly maxConnectionsPerSource?: number;
  /** SIP messages a second on one TCP/TLS connection (connection-message-cap.ts). Default: no cap. */
  readonly maxMessagesPerConnection?: number;
  /** A message started on a stream must be complete within this. Default 30,000 ms. */
  readonly partialMessageTimeoutMs?: number;
  /** Outgoing TCP/TLS connect (and TLS handshake) limit. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /** After a fatal framing error, how long the 400 may take before the connection closes. Default 2,000 ms. */
  readonly badMessageLingerMs?: number;
  /**
   * Origins allowed to open SIP WebSocket connections besides the same host and clients that send
   * no Origin (websocket-origin.ts): `*`, full origins, or hosts. Default: none beyond those.
   */
  readonly wsOrigins?: readonly string[];
  /** Certificate and key (PEM files) for TLS and WSS. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Without `tls`, a self-signed pair is generated under `<dataDir>/tls/` on first start and reused. */
  readonly dataDir?: string;
  /** Verify the server certificate on outgoing TLS connections. Default true. */
  readonly tlsVerifyPeer?: boolean;
  readonly clock: Clock;
  readonly onTrace?: (event: TraceEvent) => void;
  readonly onBadMessage?: (context: BadMessageContext) => void;
  readonly onEvent?: (event: TransportEvent) => void;
}

/** Counters since start. */
export interface TransportStats {
  received: number;
  sent: number;
  /** Discarded input: garbage, unanswerable malformed messages, messages with no handler. */
  dropped: number;
  /** Answerable malformed requests handed to onBadMessage. */
  badMessages: number;
  connectionsOpened: number;
}

/** True when a parsed-but-malformed message is a request with what a response needs (RFC 3261 8.2.6.2). */
export function isAnswerable(message: SipMessage | undefined): boolean {
  return (
    message !== undefined &&
    message.kind === "request" &&
    message.topVia !== undefined &&
    message.from !== undefined &&
    message.to !== undefined &&
    message.callId !== undefined &&
    message.cseq !== undefined
  );
}

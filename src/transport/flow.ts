import type { ConnectionProtocol } from "./listeners.js";
import type { SocketAddress } from "./types.js";

/**
 * One connection a flow table holds: the flow of RFC 5626 3 ("a transport-layer association
 * between two endpoints"). A TCP or TLS connection (stream-connection.ts) or a WebSocket one
 * (websocket-connection.ts, RFC 7118): responses go back over it (RFC 3261 18.2.2, RFC 7118 5)
 * and requests to a binding registered over it reuse it.
 */
export interface Flow {
  readonly flowId: string;
  readonly protocol: ConnectionProtocol;
  readonly direction: "inbound" | "outbound";
  readonly remote: SocketAddress;
  readonly local: SocketAddress;
  /** Open and not winding down: usable for new requests and responses. */
  readonly isOpen: boolean;
  /** Not yet closed (possibly lingering after bad input): can still carry an answer. */
  readonly isAlive: boolean;
  /** Send one SIP message; rejects when the connection is closed or the write fails. */
  write(data: Buffer): Promise<void>;
  /** Close now (idempotent). */
  close(reason: string): void;
}

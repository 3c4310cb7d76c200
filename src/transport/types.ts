import type { SipMessage, SipRequest, SipResponse } from "../sip/types.js";

/** Transport protocols Parley speaks: RFC 3261 18, and SIP over WebSocket (RFC 7118). */
export type TransportProtocol = "UDP" | "TCP" | "TLS" | "WS" | "WSS";

/**
 * RFC 7118 5: a WebSocket client is reached only over the connection it opened; Parley never
 * dials one (a browser cannot accept connections).
 */
export function isWebSocket(protocol: TransportProtocol): protocol is "WS" | "WSS" {
  return protocol === "WS" || protocol === "WSS";
}

/** Stream transports are reliable: no retransmission timers A, E, G (RFC 3261 17). */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== "UDP";
}

/** A remote or local socket address. IPv6 addresses are bare (no brackets): "::1". */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * A received message with its context (pjsip's rx_data): where it came from, on which listener
 * and connection, when, the raw bytes and the parsed message.
 */
export interface ReceivedMessage {
  readonly message: SipMessage;
  readonly protocol: TransportProtocol;
  /** Where the packet came from (the real source, behind any NAT). */
  readonly source: SocketAddress;
  /** The local address and port it arrived on. */
  readonly local: SocketAddress;
  /** Connection id for stream transports; responses and later requests reuse it. Undefined for UDP. */
  readonly flowId: string | undefined;
  /** clock.now() at arrival. */
  readonly receivedAt: number;
  /**
   * Lets go of the parsed message and keeps only its bytes; `message` is parsed again (and
   * stamped again, RFC 3261 18.2.1) if it is read later. A server transaction lingering for
   * retransmissions (Timer J, 64*T1) calls it so it holds bytes, not objects. Optional: a received
   * message without it simply keeps its parsed form.
   */
  release?(): void;
}

/** Where to send a request: resolved target (RFC 3263 resolution is above this layer). */
export interface Destination {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  /** Prefer this existing connection (RFC 5626 flow reuse) when it is still open. */
  readonly flowId?: string;
}

/** What the transport did with an outgoing request. */
export interface SendResult {
  /** The protocol finally used (a large UDP request goes over TCP, RFC 3261 18.1.1). */
  readonly protocol: TransportProtocol;
  readonly flowId: string | undefined;
}

/** Where a transport error found while sending a response is reported. */
export interface SendErrorListener {
  onTransportError(error: unknown): void;
}

/**
 * A response handed to the transport, kept by a server transaction to retransmit it (RFC 3261
 * 17.2.1, 17.2.2). For UDP it holds the serialized bytes and the route only, not the message.
 */
export interface SentResponse {
  /** Send the same response to the same place again; a failure goes to the listener. */
  resend(): void;
}

/**
 * The transport layer as the transaction layer sees it (RFC 3261 18). Implemented by the real
 * socket transports (transport-layer.ts) and by the loop transport used in tests.
 */
export interface TransportLayer {
  /**
   * Send a request. The request's top Via must carry the branch; the transport fills in the Via's
   * transport and sent-by for the socket it uses (RFC 3261 18.1.1). Rejects on a transport error.
   */
  sendRequest(request: SipRequest, destination: Destination): Promise<SendResult>;
  /**
   * Send a response where RFC 3261 18.2.2 and RFC 3581 say: over the connection the request came
   * on when still open, else to received/rport of the top Via, else maddr, else sent-by.
   * `via` is the context of the request being answered. Rejects on a transport error.
   */
  sendResponse(response: SipResponse, request: ReceivedMessage): Promise<void>;
  /**
   * Send a response as `sendResponse` does, without a Promise: a transport error, now or later,
   * goes to `errors`. The handle resends the same response to the same place.
   */
  transmitResponse(response: SipResponse, request: ReceivedMessage, errors: SendErrorListener): SentResponse;
  /** Register the single receiver of inbound messages (the transaction layer). */
  onMessage(handler: (message: ReceivedMessage) => void): void;
}

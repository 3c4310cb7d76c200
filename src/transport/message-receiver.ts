import { parseMessage } from "../sip/index.js";
import type { ParseError, SipMessage } from "../sip/types.js";
import { formatHostPort, unmapIPv4 } from "./addresses.js";
import type { UdpListener } from "./listeners.js";
import { type DirectionCounts, responseSlot } from "./message-counts.js";
import {
  type BadMessageContext,
  isAnswerable,
  type SipTransportOptions,
  type TransportStats,
} from "./options.js";
import { Received } from "./received.js";
import type { StreamConnection } from "./stream-connection.js";
import type { FramerEvent } from "./stream-framer.js";
import type { TransportContext } from "./transport-context.js";
import type { ReceivedMessage, SocketAddress, TransportProtocol } from "./types.js";
import { stampReceived } from "./via.js";

/**
 * The receive path of the socket transports: a datagram or a framed stream message is parsed,
 * its Via stamped (RFC 3261 18.2.1, RFC 3581 4) and handed up with its context; a malformed but
 * answerable request goes to onBadMessage; anything else is dropped and counted. Never throws.
 */
export class MessageReceiver {
  private handler: ((message: ReceivedMessage) => void) | undefined;
  // The context's own options and counters, held here so the per-message path reads them directly.
  private readonly options: SipTransportOptions;
  private readonly counters: TransportStats;
  private readonly messages: DirectionCounts;
  private readonly maxMessageSize: number;

  constructor(private readonly context: TransportContext) {
    this.options = context.options;
    this.counters = context.counters;
    this.messages = context.messages.in;
    this.maxMessageSize = context.maxMessageSize;
  }

  /** Register the single receiver of inbound messages (the transaction layer). */
  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.handler = handler;
  }

  onDatagram(listener: UdpListener, data: Buffer, address: string, port: number): void {
    this.context.backlog.read();
    const source = { address: address.charCodeAt(0) === 58 ? unmapIPv4(address) : address, port };
    if (this.context.rejectSource?.(source.address)) {
      this.counters.dropped++;
      return;
    }
    if (isKeepAliveOrForeign(data)) {
      // CRLF keep-alives and STUN (RFC 5626 4.4.2) share the port; neither is SIP.
      if (data.length > 0 && data[0] !== 0x0d && data[0] !== 0x0a)
        this.drop("UDP", source, undefined, "non-SIP datagram");
      return;
    }
    if (data.length > this.maxMessageSize) {
      this.drop("UDP", source, undefined, `datagram of ${data.length} bytes exceeds maxMessageSize`);
      return;
    }
    this.receive(data, "UDP", source, listener.local, undefined);
  }

  /** Parse one datagram or framed stream message and hand it up. Never throws. */
  receive(
    data: Buffer,
    protocol: TransportProtocol,
    source: SocketAddress,
    local: SocketAddress,
    flowId: string | undefined,
  ): void {
    try {
      // A connection opened before its source was rejected: its messages are dropped from now on.
      if (flowId !== undefined && this.context.rejectSource?.(source.address)) {
        this.counters.dropped++;
        return;
      }
      const receivedAt = this.options.clock.now();
      if (this.options.onTrace) this.context.trace("in", protocol, local, source, data);
      const result = parseMessage(data);
      if (!result.ok) {
        this.badMessage(result.error, protocol, source, local, flowId, receivedAt);
        return;
      }
      const message = result.message;
      if (message.kind === "request") {
        stampReceived(message, source);
        this.messages.request(message.method);
      } else this.messages.response(responseSlot(message.cseq?.method, message.status));
      this.counters.received++;
      if (!this.handler) {
        this.drop(protocol, source, flowId, "no message handler registered");
        return;
      }
      this.handler(new Received(message, data, protocol, source, local, flowId, receivedAt));
    } catch (err) {
      this.context.emit({
        kind: "error",
        protocol,
        context: `handling a message from ${formatHostPort(source.address, source.port)}`,
        error: err,
      });
    }
  }

  /** Stream framing broke: answer 400 (or 513) if the header section is readable, then close. */
  onFramingError(flow: StreamConnection, event: Extract<FramerEvent, { kind: "error" }>): void {
    let message: SipMessage | undefined;
    if (event.head) {
      const parsed = parseMessage(event.head);
      message = parsed.ok ? parsed.message : parsed.error.message;
    }
    const tooLarge = event.code === "too-large";
    const error: ParseError = {
      code: tooLarge ? "too-large" : "bad-content-length",
      reason: event.reason,
      // RFC 3261 21.5.14 513 Message Too Large; 18.3 a missing/bad Content-Length is a 400.
      status: tooLarge ? 513 : 400,
      message,
      answerable: isAnswerable(message),
    };
    this.badMessage(error, flow.protocol, flow.remote, flow.local, flow.flowId, this.options.clock.now());
  }

  /** Answerable malformed request -> onBadMessage; anything else -> dropped and counted. */
  private badMessage(
    error: ParseError,
    protocol: TransportProtocol,
    source: SocketAddress,
    local: SocketAddress,
    flowId: string | undefined,
    receivedAt: number,
  ): void {
    const message = error.message;
    if (!error.answerable || !message || message.kind !== "request" || !this.options.onBadMessage) {
      this.drop(protocol, source, flowId, `unparseable message: ${error.reason}`);
      return;
    }
    stampReceived(message, source);
    this.counters.badMessages++;
    const received: ReceivedMessage = { message, protocol, source, local, flowId, receivedAt };
    const context: BadMessageContext = { error, protocol, source, local, flowId, received };
    this.options.onBadMessage(context);
  }

  private drop(
    protocol: TransportProtocol,
    source: SocketAddress,
    flowId: string | undefined,
    reason: string,
  ): void {
    this.counters.dropped++;
    this.context.emit({ kind: "drop", protocol, source, flowId, reason });
  }
}

/** CRLF keep-alives, empty datagrams and binary protocols (STUN: first byte 0x00/0x01) on the SIP port. */
function isKeepAliveOrForeign(data: Buffer): boolean {
  if (data.length === 0) return true;
  const first = data[0];
  if (first === 0x0d || first === 0x0a) {
    for (const b of data) if (b !== 0x0d && b !== 0x0a && b !== 0x20) return false;
    return true;
  }
  return first < 0x20;
}

import { parseMessage } from "../sip/index.js";
import type { SipMessage } from "../sip/types.js";
import type { ReceivedMessage, SocketAddress, TransportProtocol } from "./types.js";
import { stampReceived } from "./via.js";

/**
 * A message as the socket transports hand it up: the parsed message with its context, and the
 * bytes it came from so it can let go of the parsed form (`release`) while a transaction lingers.
 */
export class Received implements ReceivedMessage {
  private parsed: SipMessage | undefined;
  /** The bytes as a latin1 string once released: one flat heap object instead of a message graph. */
  private raw: string | undefined;

  constructor(
    message: SipMessage,
    private data: Buffer | undefined,
    readonly protocol: TransportProtocol,
    readonly source: SocketAddress,
    readonly local: SocketAddress,
    readonly flowId: string | undefined,
    readonly receivedAt: number,
  ) {
    this.parsed = message;
  }

  get message(): SipMessage {
    let message = this.parsed;
    if (message === undefined) {
      // The bytes parsed once, so they parse again to the same message.
      const result = parseMessage(Buffer.from(this.raw ?? "", "latin1"));
      if (!result.ok) throw new Error(`a released message no longer parses: ${result.error.reason}`);
      message = result.message;
      // RFC 3261 18.2.1: stamped as on arrival.
      if (message.kind === "request") stampReceived(message, this.source);
      this.parsed = message;
    }
    return message;
  }

  release(): void {
    if (this.parsed === undefined) return;
    if (this.raw === undefined) {
      if (this.data === undefined) return;
      this.raw = this.data.toString("latin1");
      this.data = undefined;
    }
    this.parsed = undefined;
  }
}

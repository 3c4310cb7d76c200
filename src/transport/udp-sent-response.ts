import type { UdpListener } from "./listeners.js";
import type { DirectionCounts } from "./message-counts.js";
import type { SendErrorListener, SentResponse } from "./types.js";

/** What a kept UDP response needs from its transport: one datagram out, errors on a later tick. */
export interface DatagramSender {
  sendDatagram(
    listener: UdpListener,
    data: Buffer,
    address: string,
    port: number,
    done: (err: Error | null) => void,
  ): void;
}

/**
 * A response sent over UDP as a server transaction keeps it: the bytes and where they go, so a
 * retransmission (RFC 3261 17.2.1, 17.2.2) neither routes nor serializes again.
 */
export class UdpSentResponse implements SentResponse {
  constructor(
    private readonly transport: DatagramSender,
    private readonly listener: UdpListener,
    private readonly data: Buffer,
    private readonly address: string,
    private readonly port: number,
    private readonly errors: SendErrorListener,
    /** Where each datagram sent is counted (the metrics' SIP messages out), and as what. */
    private readonly counts: DirectionCounts,
    private readonly slot: number,
  ) {}

  resend(): void {
    // A callback per send, not one kept per response: it lives only until the send completes.
    this.transport.sendDatagram(this.listener, this.data, this.address, this.port, (err) => {
      if (err) this.errors.onTransportError(err);
      else this.counts.response(this.slot);
    });
  }
}

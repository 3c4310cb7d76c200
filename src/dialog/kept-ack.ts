import { parseMessage } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";
import type { Destination, TransportLayer } from "../transport/types.js";

/**
 * The ACK Parley sent for a 2xx to an INVITE, kept to send again for each retransmission of that
 * 2xx (RFC 3261 13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received from
 * the transaction layer"), also once the INVITE client transaction is gone (a stray 2xx). A dialog
 * keeps its latest one for its whole life, so it is kept as the text it was sent as, one flat
 * string rather than a message object (issue 13: heap per active call), and parsed again for the
 * rare retransmission. The transport fills in the top Via's sent-by again on each send.
 */
export class KeptAck {
  private readonly text: string;

  constructor(
    /** The CSeq number of the INVITE acknowledged (and of the ACK). */
    readonly seq: number,
    ack: SipRequest,
    readonly destination: Destination,
  ) {
    this.text = ack.serialize().toString("latin1");
  }

  /** The ACK as a message to send again; undefined if its text no longer parses (never expected). */
  message(): SipRequest | undefined {
    const parsed = parseMessage(Buffer.from(this.text, "latin1"));
    return parsed.ok && parsed.message.kind === "request" ? parsed.message : undefined;
  }

  /** Sends the ACK again, straight to the transport (RFC 3261 17.1.1.3: no client transaction). */
  resend(transport: TransportLayer, onError: (error: unknown) => void): void {
    const request = this.message();
    if (request !== undefined) transport.sendRequest(request, this.destination).then(undefined, onError);
  }
}

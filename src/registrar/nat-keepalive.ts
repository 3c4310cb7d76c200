/**
 * Keep-alives to phones behind NAT: every interval, an OPTIONS request goes to each NATed UDP
 * binding at the address its REGISTER came from, so the NAT keeps the pinhole open for incoming
 * calls (as Kamailio's nathelper does; RFC 5626 3.5 describes the need). The request is sent
 * statelessly: any answer, or none, is fine; the traffic itself holds the mapping.
 *
 * It sits beside the registrar because it serves registrations (the location service's bindings);
 * nat/ keeps only the detection primitives and the STUN server, which know nothing of SIP.
 */

import { isNatedBinding, uriPort } from "../nat/nat-detect.js";
import { createRequest, generateBranch, generateCallId, generateTag } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";
import type { Destination } from "../transport/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";

/** What the keep-alive needs of a binding (LiveBinding satisfies it). */
export interface KeptBinding {
  readonly contactUri: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly transport: string;
}

export interface KeepaliveOptions {
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly bindings: () => Iterable<KeptBinding>;
  readonly send: (request: SipRequest, destination: Destination) => Promise<unknown>;
  /** Host for From (Parley's domain or address). */
  readonly host: string;
  readonly onError?: (error: unknown) => void;
}

/**
 * A binding that needs keep-alives: NATed by address, or by port alone (its Contact names a port
 * it does not send from: a NAT that kept the address but mapped the port, as Kamailio's
 * nat_uac_test checks too).
 */
export function needsKeepalive(b: KeptBinding): boolean {
  return isNatedBinding(b) || uriPort(b.contactUri) !== b.sourcePort;
}

export class NatKeepalive {
  private timer: TimerHandle | undefined;
  private running = false;
  /** OPTIONS sent since start. */
  sent = 0;

  constructor(private readonly o: KeepaliveOptions) {}

  start(): void {
    if (this.running || this.o.intervalMs <= 0) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimer(this.o.intervalMs, () => {
      this.tick();
      if (this.running) this.schedule();
    });
  }

  /** One round: an OPTIONS to every NATed UDP binding. */
  tick(): void {
    for (const b of this.o.bindings()) {
      // Stream transports keep their own connection alive (RFC 5626 3.5.1, CRLF on the flow).
      if (b.transport.toLowerCase() !== "udp" || !needsKeepalive(b)) continue;
      const request = this.options(b.contactUri);
      this.sent++;
      this.o
        .send(request, { protocol: "UDP", address: b.sourceAddress, port: b.sourcePort })
        .then(undefined, (e: unknown) => this.o.onError?.(e));
    }
  }

  private options(uri: string): SipRequest {
    const target = uri.replace(/^<|>$/g, "");
    return createRequest({
      method: "OPTIONS",
      uri: target,
      headers: [
        // The transport completes sent-by (RFC 3261 18.1.1); rport asks for the answer to come back.
        ["Via", `SIP/2.0/UDP placeholder;branch=${generateBranch()};rport`],
        ["Max-Forwards", "70"],
        ["From", `<sip:keepalive@${this.o.host}>;tag=${generateTag()}`],
        ["To", `<${target}>`],
        ["Call-ID", generateCallId()],
        ["CSeq", "1 OPTIONS"],
      ],
    });
  }
}

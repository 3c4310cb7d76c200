/**
 * RFC 3261 13.3.1.1: a ringing call's provisional responses (180, 183 with early media) reach the
 * caller, once each unless they bring a body; a BYE in the caller's early dialog then ends the
 * call like a CANCEL (RFC 3261 15.1.2).
 */
import type { UasInvite } from "../dialog/index.js";
import type { SipResponse } from "../sip/types.js";

export interface ProvisionalRelayHost {
  /** The statuses the leg policy passes on (leg-policy.ts). */
  relays(): ReadonlySet<number>;
  /** The caller's INVITE while it is still unanswered. */
  uas(): UasInvite | undefined;
  ringing(): boolean;
  /** The response's body toward the caller (through the SDP hook), with its Content-Type. */
  body(response: SipResponse): { body?: Buffer; contentType?: string };
  /** The caller ended its early dialog with a BYE. */
  callerLeft(): void;
}

export class ProvisionalRelay {
  private last = 0;

  constructor(private readonly host: ProvisionalRelayHost) {}

  relay(response: SipResponse): void {
    const uas = this.host.uas();
    if (!this.host.ringing() || uas === undefined) return;
    if (!this.host.relays().has(response.status)) return;
    const body = this.host.body(response);
    // A repeated 180 without a body tells the caller nothing new.
    if (body.body === undefined && response.status === this.last) return;
    this.last = response.status;
    const early = uas.progress(response.status, { reason: response.reason, ...body });
    early?.once("terminated", ({ cause }) => {
      if (cause === "bye-received" && this.host.ringing()) this.host.callerLeft();
    });
  }
}

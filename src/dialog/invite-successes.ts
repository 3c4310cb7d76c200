import type { SipResponse } from "../sip/types.js";
import type { ServerTransaction, TimerSettings } from "../transaction/index.js";
import type { TransportLayer } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import { SuccessRetransmitter } from "./success-retransmitter.js";

/** What the 2xx retransmissions need from the dialog layer. */
export interface SuccessContext {
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly transport: TransportLayer;
}

/**
 * The 2xx responses to INVITEs of one dialog that await their ACK, by CSeq number: each is
 * retransmitted by the UA core until its ACK (RFC 3261 13.3.1.4; RFC 6026: no longer by the
 * server transaction). A dialog makes one when it sends such a 2xx and drops it once empty.
 */
export class InviteSuccesses {
  private readonly bySeq = new Map<number, SuccessRetransmitter>();

  constructor(private readonly ctx: SuccessContext) {}

  get empty(): boolean {
    return this.bySeq.size === 0;
  }

  /**
   * Passes the 2xx to its server transaction and retransmits it until `acknowledged()`; after
   * 64*T1 without ACK, `onTimeout` (RFC 3261 13.3.1.4: the session SHOULD then end with a BYE).
   */
  send(tx: ServerTransaction, response: SipResponse, onTimeout: (response: SipResponse) => void): void {
    const seq = response.cseq?.seq ?? 0;
    tx.respond(response);
    const retransmitter = new SuccessRetransmitter(
      this.ctx.clock,
      this.ctx.timers,
      () => {
        // RFC 6026 8.7: while "accepted", the server transaction passes each 2xx on; after Timer L
        // the transport is used directly.
        if (tx.state === "accepted") tx.respond(response);
        else this.ctx.transport.sendResponse(response, tx.request).then(undefined, () => {});
      },
      () => {
        this.bySeq.delete(seq);
        onTimeout(response);
      },
    );
    this.bySeq.get(seq)?.stop();
    this.bySeq.set(seq, retransmitter);
    retransmitter.start();
  }

  /** The ACK for the 2xx to INVITE `seq` arrived: false when none awaited it (a retransmitted ACK). */
  acknowledged(seq: number): boolean {
    const pending = this.bySeq.get(seq);
    if (pending === undefined) return false;
    pending.stop();
    this.bySeq.delete(seq);
    return true;
  }

  /** The dialog ended: no more retransmissions. */
  stop(): void {
    for (const retransmitter of this.bySeq.values()) retransmitter.stop();
    this.bySeq.clear();
  }
}

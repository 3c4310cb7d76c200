import { createResponse } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import { BaseServerTransaction } from "./base-server-transaction.js";
import type { MachineTable } from "./base-transaction.js";
import type { InviteServerState, TransactionEvent } from "./types.js";

type Tx = InviteServerTransaction;

/** RFC 3261 17.2.1: "generate a 100 (Trying) response" unless the TU answers within 200 ms. */
export const TRYING_DELAY_MS = 200;

/**
 * RFC 3261 17.2.1 INVITE server transaction, with the "accepted" state of RFC 6026 8.5-8.7.
 *
 *   initial ─► proceeding ─► completed ─► confirmed ─► terminated
 *                  │              └──────────────────► terminated (Timer H, transport error)
 *                  └► accepted ─► terminated (Timer L)
 */
export class InviteServerTransaction extends BaseServerTransaction<InviteServerState> {
  private static readonly machine: MachineTable<InviteServerState, Tx> = {
    edges: {
      initial: ["proceeding"],
      proceeding: ["completed", "accepted", "terminated"],
      completed: ["confirmed", "terminated"],
      confirmed: ["terminated"],
      accepted: ["terminated"],
      terminated: [],
    },
    timers: {
      initial: [],
      proceeding: ["Trying"],
      completed: ["G", "H"],
      confirmed: ["I"],
      accepted: ["L"],
      terminated: [],
    },
    handlers: {
      initial: () => {},
      proceeding: (tx, ev) => tx.inProceeding(ev),
      completed: (tx, ev) => tx.inCompleted(ev),
      confirmed: (tx, ev) => tx.inConfirmed(ev),
      accepted: (tx, ev) => tx.inAccepted(ev),
      terminated: () => {},
    },
  };

  protected override get table(): MachineTable<InviteServerState, this> {
    return InviteServerTransaction.machine;
  }

  override get kind(): "invite-server" {
    return "invite-server";
  }

  /** The second key an RFC 2543 ACK is matched by (17.2.3), set by the transaction layer. */
  ackAlias: string | undefined;

  /**
   * The final response the TU passed, while the change to "completed" or "accepted" it causes is
   * reported (the transaction layer keys an RFC 2543 ACK by its To tag, 17.2.3). Not kept beyond:
   * "completed" retransmits the response as sent, and in "accepted" the TU retransmits its 2xx
   * (RFC 6026 8.5), so a lingering transaction holds no message objects (issue 13).
   */
  get finalResponse(): SipResponse | undefined {
    return this.final;
  }

  private final: SipResponse | undefined;

  /**
   * RFC 3261 17.2.1: "When a server transaction is constructed for a request, it enters the
   * "Proceeding" state."
   */
  start(): void {
    this.transition("proceeding");
  }

  protected override enter(state: InviteServerState): void {
    const { t1, t4 } = this.ctx.timers;
    switch (state) {
      case "proceeding":
        // RFC 3261 17.2.1: "The server transaction MUST generate a 100 (Trying) response unless it
        // knows that the TU will generate a provisional or final response within 200 ms".
        this.startTimer("Trying", TRYING_DELAY_MS);
        break;
      case "completed":
        // RFC 3261 17.2.1: "For unreliable transports, timer G is set to fire in T1 seconds, and is
        // not set to fire for reliable transports." ... "When the "Completed" state is entered,
        // timer H MUST be set to fire in 64*T1 seconds for all transports."
        if (!this.reliable) {
          this.interval = t1;
          this.startTimer("G", t1);
        }
        this.startTimer("H", 64 * t1);
        // What absorbs retransmissions and matches the ACK now is the response as sent and the
        // keys; the parsed request need not linger (as in the non-INVITE server transaction).
        this.ctx.releaseLater(this.request);
        break;
      case "confirmed":
        // RFC 3261 17.2.1: "When this state is entered, timer I is set to fire in T4 seconds for
        // unreliable transports, and zero seconds for reliable transports."
        this.startTimer("I", this.reliable ? 0 : t4);
        break;
      case "accepted":
        // RFC 6026 8.7: "When the INVITE server transaction enters the "Accepted" state, Timer L
        // MUST be set to fire in 64*T1 for all transports."
        this.startTimer("L", 64 * t1);
        // RFC 6026 8.7: retransmitted INVITEs are absorbed, never answered again by the
        // transaction, and the TU's 2xx goes by its own Via: neither the last provisional nor the
        // parsed request is needed any more.
        this.forgetSent();
        this.ctx.releaseLater(this.request);
        break;
      default:
        break;
    }
  }

  private inProceeding(ev: TransactionEvent): void {
    switch (ev.type) {
      case "timer":
        if (ev.timer === "Trying") {
          this.sendNew(createResponse(this.request.message as SipRequest, 100));
        }
        return;
      case "rx":
        // RFC 3261 17.2.1: "If a request retransmission is received while in the "Proceeding"
        // state, the most recent provisional response that was received from the TU MUST be passed
        // to the transport layer for retransmission." (An ACK here matches nothing sent: absorbed.)
        if ((ev.rx.message as SipRequest).method === "INVITE") this.resend();
        return;
      case "tuRespond":
        this.fromTu(ev.response);
        return;
      case "transportError":
        this.fail("transport-error", ev.error);
        return;
      default:
        return;
    }
  }

  /** A response from the TU in "proceeding". */
  private fromTu(response: SipResponse): void {
    this.stopTimer("Trying");
    const status = response.status;
    if (status < 200) {
      // RFC 3261 17.2.1: "The TU passes any number of provisional responses to the server
      // transaction. So long as the server transaction is in the "Proceeding" state, each of these
      // MUST be passed to the transport layer for transmission."
      this.sendNew(response);
    } else if (status < 300) {
      // RFC 6026 8.5: "If, while in the "Proceeding" state, the TU passes a 2xx response to the
      // server transaction, the server transaction MUST pass this response to the transport layer
      // for transmission. It is not retransmitted by the server transaction; retransmissions of 2xx
      // responses are handled by the TU. The server transaction MUST then transition to the
      // "Accepted" state."
      this.final = response;
      this.transition("accepted");
      this.final = undefined;
      this.send(response);
    } else {
      // RFC 3261 17.2.1: "While in the "Proceeding" state, if the TU passes a response with status
      // code from 300 to 699 to the server transaction, the response MUST be passed to the
      // transport layer for transmission, and the state machine MUST enter the "Completed" state."
      this.final = response;
      this.transition("completed");
      this.final = undefined;
      this.sendNew(response);
    }
  }

  private inCompleted(ev: TransactionEvent): void {
    switch (ev.type) {
      case "rx":
        if ((ev.rx.message as SipRequest).method === "ACK") {
          // RFC 3261 17.2.1: "If an ACK is received while the server transaction is in the
          // "Completed" state, the server transaction MUST transition to the "Confirmed" state."
          this.transition("confirmed");
        } else {
          // RFC 3261 17.2.1: "Furthermore, while in the "Completed" state, if a request
          // retransmission is received, the server SHOULD pass the response to the transport for
          // retransmission."
          this.resend();
        }
        return;
      case "timer":
        if (ev.timer === "G") {
          // RFC 3261 17.2.1: "If timer G fires, the response is passed to the transport layer once
          // more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then
          // on, when timer G fires, the response is passed to the transport again for transmission,
          // and timer G is reset with a value that doubles, unless that value exceeds T2, in which
          // case it is reset with the value of T2."
          this.resend();
          this.interval = Math.min(2 * this.interval, this.ctx.timers.t2);
          this.startTimer("G", this.interval);
        } else if (ev.timer === "H") {
          // RFC 3261 17.2.1: "If timer H fires while in the "Completed" state, it implies that the
          // ACK was never received. In this case, the server transaction MUST transition to the
          // "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred."
          this.fail("timeout");
        }
        return;
      case "transportError":
        this.fail("transport-error", ev.error);
        return;
      default:
        // A response from the TU after the final one is discarded.
        return;
    }
  }

  private inConfirmed(ev: TransactionEvent): void {
    // RFC 3261 17.2.1: "The purpose of the "Confirmed" state is to absorb any additional ACK
    // messages that arrive, triggered from retransmissions of the final response."
    if (ev.type === "timer" && ev.timer === "I") {
      // RFC 3261 17.2.1: "Once timer I fires, the server MUST transition to the "Terminated" state."
      this.transition("terminated");
    }
  }

  private inAccepted(ev: TransactionEvent): void {
    switch (ev.type) {
      case "rx":
        // RFC 6026 8.7: "If an ACK is received while the INVITE server transaction is in the
        // "Accepted" state, then the ACK must be passed up to the TU." ... "The purpose of the
        // "Accepted" state is to absorb retransmissions of an accepted INVITE request."
        if ((ev.rx.message as SipRequest).method === "ACK") this.ctx.passAck(ev.rx);
        return;
      case "tuRespond":
        // RFC 6026 8.7: "While in the "Accepted" state, if the TU passes a 2xx response, the server
        // transaction MUST pass the response to the transport layer for transmission."
        if (ev.response.status >= 200 && ev.response.status < 300) {
          // The TU's retransmission of its 2xx (RFC 3261 13.3.1.4).
          this.ctx.counters.retransmissions++;
          this.send(ev.response);
        }
        return;
      case "timer":
        // RFC 6026 8.7: "If Timer L fires while the INVITE server transaction is in the "Accepted"
        // state, the transaction MUST transition to the "Terminated" state."
        if (ev.timer === "L") this.transition("terminated");
        return;
      case "transportError":
        this.fail("transport-error", ev.error);
        return;
      default:
        return;
    }
  }
}

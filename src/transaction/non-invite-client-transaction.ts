import type { SipResponse } from "../sip/types.js";
import { BaseClientTransaction } from "./base-client-transaction.js";
import type { MachineTable } from "./base-transaction.js";
import type { NonInviteClientState, TransactionEvent } from "./types.js";

type Tx = NonInviteClientTransaction;

/**
 * RFC 3261 17.1.2 non-INVITE client transaction.
 *
 *   initial ─► trying ─► proceeding ─► completed ─► terminated
 *                 └───────────────────┴─► terminated (Timer F, transport error)
 */
export class NonInviteClientTransaction extends BaseClientTransaction<NonInviteClientState> {
  private static readonly machine: MachineTable<NonInviteClientState, Tx> = {
    edges: {
      initial: ["trying"],
      trying: ["proceeding", "completed", "terminated"],
      proceeding: ["completed", "terminated"],
      completed: ["terminated"],
      terminated: [],
    },
    timers: {
      initial: [],
      trying: ["E", "F"],
      // RFC 3261 17.1.2.2: Timers E and F keep running in "proceeding".
      proceeding: ["E", "F"],
      completed: ["K"],
      terminated: [],
    },
    handlers: {
      initial: (tx, ev) => tx.inInitial(ev),
      trying: (tx, ev) => tx.inTryingOrProceeding(ev),
      proceeding: (tx, ev) => tx.inTryingOrProceeding(ev),
      completed: (tx, ev) => tx.inCompleted(ev),
      terminated: () => {},
    },
  };

  protected override get table(): MachineTable<NonInviteClientState, this> {
    return NonInviteClientTransaction.machine;
  }

  override get kind(): "non-invite-client" {
    return "non-invite-client";
  }

  protected override enter(state: NonInviteClientState): void {
    const { t1, t4 } = this.ctx.timers;
    if (state === "trying") {
      // RFC 3261 17.1.2.2: "The "Trying" state is entered when the TU initiates a new client
      // transaction with a request. When entering this state, the client transaction SHOULD set
      // timer F to fire in 64*T1 seconds. ... If an unreliable transport is in use, the client
      // transaction MUST set timer E to fire in T1 seconds."
      this.startTimer("F", 64 * t1);
      if (!this.reliable) {
        this.interval = t1;
        this.startTimer("E", t1);
      }
    } else if (state === "completed") {
      // RFC 3261 17.1.2.2: "Once the client transaction enters the "Completed" state, it MUST set
      // Timer K to fire in T4 seconds for unreliable transports, and zero seconds for reliable
      // transports."
      this.startTimer("K", this.reliable ? 0 : t4);
    }
  }

  private inInitial(ev: TransactionEvent): void {
    if (ev.type !== "tuSend") return;
    this.transition("trying");
    // RFC 3261 17.1.2.2: "The request MUST be passed to the transport layer for transmission."
    this.sendRequest();
  }

  private inTryingOrProceeding(ev: TransactionEvent): void {
    switch (ev.type) {
      case "timer":
        if (ev.timer === "E") {
          // RFC 3261 17.1.2.2: "If timer E fires while still in this state, the timer is reset, but
          // this time with value MIN(2*T1, T2). When the timer fires again, it is reset to a
          // MIN(4*T1, T2). This process continues so that retransmissions occur with an
          // exponentially increasing interval that caps at T2." ... "If Timer E fires while in the
          // "Proceeding" state, the request MUST be passed to the transport layer for
          // retransmission, and Timer E MUST be reset with a value of T2 seconds."
          this.retransmit();
          const { t2 } = this.ctx.timers;
          this.interval = this.state === "proceeding" ? t2 : Math.min(2 * this.interval, t2);
          this.startTimer("E", this.interval);
        } else if (ev.timer === "F") {
          // RFC 3261 17.1.2.2: "If Timer F fires while the client transaction is still in the
          // "Trying" state, the client transaction SHOULD inform the TU about the timeout, and then
          // it SHOULD enter the "Terminated" state." ... "If timer F fires while in the "Proceeding"
          // state, the TU MUST be informed of a timeout, and the client transaction MUST transition
          // to the terminated state."
          this.fail("timeout");
        }
        return;
      case "rx": {
        const response = ev.rx.message as SipResponse;
        if (response.status < 200) {
          // RFC 3261 17.1.2.2: "If a provisional response is received while in the "Trying" state,
          // the response MUST be passed to the TU, and then the client transaction SHOULD move to
          // the "Proceeding" state." ... in "Proceeding": "the response MUST be passed to the TU".
          this.passUp(response);
          if (this.state === "trying") this.transition("proceeding");
        } else {
          // RFC 3261 17.1.2.2: "If a final response (status codes 200-699) is received while in the
          // "Trying" [or "Proceeding"] state, the response MUST be passed to the TU, and the client
          // transaction MUST transition to the "Completed" state."
          this.passUp(response);
          this.transition("completed");
        }
        return;
      }
      case "transportError":
        // RFC 3261 17.1.4: "the client transaction should inform the TU that a transport failure has
        // occurred, and the client transaction SHOULD transition directly to the "Terminated" state."
        this.fail("transport-error");
        return;
      default:
        return;
    }
  }

  private inCompleted(ev: TransactionEvent): void {
    // RFC 3261 17.1.2.2: "The "Completed" state exists to buffer any additional response
    // retransmissions that may be received (which is why the client transaction remains there
    // only for unreliable transports)." Responses here are absorbed.
    if (ev.type === "timer" && ev.timer === "K") {
      // RFC 3261 17.1.2.2: "If Timer K fires while in this state, the client transaction MUST
      // transition to the "Terminated" state."
      this.transition("terminated");
    }
  }
}

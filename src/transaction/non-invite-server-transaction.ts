import { BaseServerTransaction } from "./base-server-transaction.js";
import type { MachineTable } from "./base-transaction.js";
import type { NonInviteServerState, TransactionEvent } from "./types.js";

type Tx = NonInviteServerTransaction;

/**
 * RFC 3261 17.2.2 non-INVITE server transaction.
 *
 *   initial ─► trying ─► proceeding ─► completed ─► terminated
 *                 └───────────────────┴─► terminated (transport error)
 */
export class NonInviteServerTransaction extends BaseServerTransaction<NonInviteServerState> {
  private static readonly machine: MachineTable<NonInviteServerState, Tx> = {
    edges: {
      initial: ["trying"],
      trying: ["proceeding", "completed", "terminated"],
      proceeding: ["completed", "terminated"],
      completed: ["terminated"],
      terminated: [],
    },
    timers: {
      initial: [],
      trying: [],
      proceeding: [],
      completed: ["J"],
      terminated: [],
    },
    handlers: {
      initial: () => {},
      trying: (tx, ev) => tx.inTryingOrProceeding(ev),
      proceeding: (tx, ev) => tx.inTryingOrProceeding(ev),
      completed: (tx, ev) => tx.inCompleted(ev),
      terminated: () => {},
    },
  };

  protected override get table(): MachineTable<NonInviteServerState, this> {
    return NonInviteServerTransaction.machine;
  }

  override get kind(): "non-invite-server" {
    return "non-invite-server";
  }

  /**
   * RFC 3261 17.2.2: "The state machine is initialized in the "Trying" state and is passed a
   * request other than INVITE or ACK when initialized."
   */
  start(): void {
    this.transition("trying");
  }

  protected override enter(state: NonInviteServerState): void {
    if (state === "completed") {
      // RFC 3261 17.2.2: "When the server transaction enters the "Completed" state, it MUST set
      // Timer J to fire in 64*T1 seconds for unreliable transports, and zero seconds for reliable
      // transports."
      this.startTimer("J", this.reliable ? 0 : 64 * this.ctx.timers.t1);
      // What absorbs retransmissions now is the response as sent; the request need not linger.
      if (!this.reliable) this.ctx.releaseLater(this.request);
    }
  }

  private inTryingOrProceeding(ev: TransactionEvent): void {
    switch (ev.type) {
      case "rx":
        // RFC 3261 17.2.2: in "Trying", "Once in the "Trying" state, any further request
        // retransmissions are discarded." In "Proceeding": "If a retransmission of the request is
        // received while in the "Proceeding" state, the most recently sent provisional response
        // MUST be passed to the transport layer for retransmission."
        if (this.state === "proceeding") this.resend();
        return;
      case "tuRespond": {
        const response = ev.response;
        this.sendNew(response);
        if (response.status < 200) {
          // RFC 3261 17.2.2: "While in the "Trying" state, if the TU passes a provisional response to
          // the server transaction, the server transaction MUST enter the "Proceeding" state. The
          // response MUST be passed to the transport layer for transmission."
          if (this.state === "trying") this.transition("proceeding");
        } else {
          // RFC 3261 17.2.2: "If the TU passes a final response (status codes 200-699) to the server
          // while in the "Proceeding" [or "Trying"] state, the transaction MUST enter the
          // "Completed" state, and the response MUST be passed to the transport layer for
          // transmission."
          this.transition("completed");
        }
        return;
      }
      case "transportError":
        // RFC 3261 17.2.2: "If a transport error occurs when the response is sent, the transaction
        // MUST transition to the "Terminated" state"; 17.2.4: the TU is informed.
        this.fail("transport-error", ev.error);
        return;
      default:
        return;
    }
  }

  private inCompleted(ev: TransactionEvent): void {
    switch (ev.type) {
      case "rx":
        // RFC 3261 17.2.2: "While in the "Completed" state, the server transaction MUST pass the
        // final response to the transport layer for retransmission whenever a retransmission of the
        // request is received."
        this.resend();
        return;
      case "timer":
        // RFC 3261 17.2.2: "The server transaction remains in this state until Timer J fires, at
        // which point it MUST transition to the "Terminated" state."
        if (ev.timer === "J") this.transition("terminated");
        return;
      case "transportError":
        this.fail("transport-error", ev.error);
        return;
      default:
        // RFC 3261 17.2.2: "Any other final responses passed by the TU to the server transaction
        // MUST be discarded while in the "Completed" state."
        return;
    }
  }
}

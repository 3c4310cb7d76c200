import { createRequest } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import { BaseClientTransaction } from "./base-client-transaction.js";
import type { MachineTable } from "./base-transaction.js";
import type { InviteClientState, TransactionEvent } from "./types.js";

type Tx = InviteClientTransaction;

/**
 * RFC 3261 17.1.1 INVITE client transaction, with the "accepted" state of RFC 6026 8.4.
 *
 *   initial ─► calling ─► proceeding ─► completed ─► terminated
 *                 │            │      └► accepted ─► terminated
 *                 └────────────┴───► completed / accepted / terminated
 */
export class InviteClientTransaction extends BaseClientTransaction<InviteClientState> {
  private static readonly machine: MachineTable<InviteClientState, Tx> = {
    edges: {
      initial: ["calling"],
      calling: ["proceeding", "completed", "accepted", "terminated"],
      proceeding: ["completed", "accepted", "terminated"],
      completed: ["terminated"],
      accepted: ["terminated"],
      terminated: [],
    },
    timers: {
      initial: [],
      calling: ["A", "B"],
      proceeding: [],
      completed: ["D"],
      accepted: ["M"],
      terminated: [],
    },
    handlers: {
      initial: (tx, ev) => tx.inInitial(ev),
      calling: (tx, ev) => tx.inCalling(ev),
      proceeding: (tx, ev) => tx.inProceeding(ev),
      completed: (tx, ev) => tx.inCompleted(ev),
      accepted: (tx, ev) => tx.inAccepted(ev),
      terminated: () => {},
    },
  };

  /** The ACK for a non-2xx final response, kept to resend on each retransmitted final. */
  private ack: SipRequest | undefined;

  protected override get table(): MachineTable<InviteClientState, this> {
    return InviteClientTransaction.machine;
  }

  override get kind(): "invite-client" {
    return "invite-client";
  }

  protected override enter(state: InviteClientState): void {
    const { t1 } = this.ctx.timers;
    switch (state) {
      case "calling":
        // RFC 3261 17.1.1.2: "If an unreliable transport is being used, the client transaction MUST
        // start timer A with a value of T1." ... "For any transport, the client transaction MUST
        // start timer B with a value of 64*T1 seconds".
        if (!this.reliable) {
          this.interval = t1;
          this.startTimer("A", t1);
        }
        this.startTimer("B", 64 * t1);
        break;
      case "completed":
        // RFC 3261 17.1.1.2: "The client transaction SHOULD start timer D when it enters the
        // "Completed" state, with a value of at least 32 seconds for unreliable transports, and a
        // value of zero seconds for reliable transports."
        // NOTE: 64*T1 when T1 is raised above 500 ms, so D still outlasts the server's Timer H.
        this.startTimer("D", this.reliable ? 0 : Math.max(32_000, 64 * t1));
        break;
      case "accepted":
        // RFC 6026 8.4: "Timer M ... MUST be set to fire in 64*T1 seconds for all transports".
        this.startTimer("M", 64 * t1);
        break;
      default:
        break;
    }
  }

  private inInitial(ev: TransactionEvent): void {
    if (ev.type !== "tuSend") return;
    // RFC 3261 17.1.1.2: "The initial state, "calling", MUST be entered when the TU initiates a new
    // client transaction with an INVITE request. The client transaction MUST pass the request to
    // the transport layer for transmission".
    this.transition("calling");
    this.sendRequest();
  }

  private inCalling(ev: TransactionEvent): void {
    switch (ev.type) {
      case "timer":
        if (ev.timer === "A") {
          // RFC 3261 17.1.1.2: "When timer A fires, the client transaction MUST retransmit the request
          // by passing it to the transport layer, and MUST reset the timer with a value of 2*T1."
          this.retransmit();
          this.interval *= 2;
          this.startTimer("A", this.interval);
        } else if (ev.timer === "B") {
          // RFC 3261 17.1.1.2: "If the client transaction is still in the "Calling" state when timer B
          // fires, the client transaction SHOULD inform the TU that a timeout has occurred."
          this.fail("timeout");
        }
        return;
      case "rx":
        this.onResponse(ev.rx.message as SipResponse);
        return;
      case "transportError":
        // RFC 3261 17.1.4: "the client transaction should inform the TU that a transport failure has
        // occurred, and the client transaction SHOULD transition directly to the "Terminated" state."
        this.fail("transport-error");
        return;
      default:
        return;
    }
  }

  private inProceeding(ev: TransactionEvent): void {
    if (ev.type === "rx") this.onResponse(ev.rx.message as SipResponse);
    else if (ev.type === "transportError") this.fail("transport-error");
  }

  /** A response in "calling" or "proceeding". */
  private onResponse(response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      // RFC 3261 17.1.1.2: "If the client transaction receives a provisional response while in the
      // "Calling" state, it transitions to the "Proceeding" state. ... Furthermore, the provisional
      // response MUST be passed to the TU. Any further provisional responses MUST be passed up to
      // the TU while in the "Proceeding" state."
      if (this.state === "calling") this.transition("proceeding");
      this.passUp(response);
    } else if (status < 300) {
      // RFC 6026 8.4: "If a 2xx response is received while the client INVITE state machine is in the
      // "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state, and the 2xx
      // response MUST be passed up to the TU."
      this.transition("accepted");
      this.passUp(response);
    } else {
      // RFC 3261 17.1.1.2: "When in either the "Calling" or "Proceeding" states, reception of a
      // response with status code from 300-699 MUST cause the client transaction to transition to
      // "Completed". The client transaction MUST pass the received response up to the TU, and the
      // client transaction MUST generate an ACK request, even if the transport is reliable".
      // The response goes up before the transition: over a reliable transport Timer D is 0 and
      // "completed" ends at once.
      this.ack = this.buildAck(response);
      this.sendAck();
      this.passUp(response);
      this.transition("completed");
    }
  }

  private inCompleted(ev: TransactionEvent): void {
    switch (ev.type) {
      case "rx":
        // RFC 3261 17.1.1.2: "Any retransmissions of the final response that are received while in
        // the "Completed" state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU."
        if ((ev.rx.message as SipResponse).status >= 300) this.sendAck();
        return;
      case "timer":
        // RFC 3261 17.1.1.2: "If timer D fires while the client transaction is in the "Completed"
        // state, the client transaction MUST move to the terminated state."
        if (ev.timer === "D") this.transition("terminated");
        return;
      case "transportError":
        // RFC 3261 17.1.4: the ACK could not be sent.
        // NOTE: the TU already has its final response; it is not given a second (503) one.
        this.failure = "transport-error";
        this.transition("terminated");
        return;
      default:
        return;
    }
  }

  private inAccepted(ev: TransactionEvent): void {
    if (ev.type === "rx") {
      // RFC 6026 8.4: "any 2xx responses that match this client transaction and that are received
      // while in the "Accepted" state MUST be passed up to the TU. The client transaction MUST NOT
      // generate an ACK to any 2xx response on its own."
      const response = ev.rx.message as SipResponse;
      if (response.status >= 200 && response.status < 300) this.passUp(response);
    } else if (ev.type === "timer" && ev.timer === "M") {
      // RFC 6026 8.4: "If Timer M fires while the client INVITE state machine is in the "Accepted"
      // state, the machine MUST transition to the "Terminated" state."
      this.transition("terminated");
    }
  }

  private sendAck(): void {
    const ack = this.ack;
    if (!ack) return;
    this.ctx.transport
      .sendRequest(ack, this.destination)
      .then(undefined, (error: unknown) => this.dispatch({ type: "transportError", error }));
  }

  /**
   * RFC 3261 17.1.1.3: "The ACK request constructed by the client transaction MUST contain values
   * for the Call-ID, From, and Request-URI that are equal to the values of those header fields in
   * the request passed to the transport by the client transaction (call this the "original
   * request"). The To header field in the ACK MUST equal the To header field in the response being
   * acknowledged ... The ACK MUST contain a single Via header field, and this MUST be equal to the
   * top Via header field of the original request. The CSeq header field in the ACK MUST contain
   * the same value for the sequence number as was present in the original request, but the method
   * parameter MUST be equal to "ACK". If the INVITE request whose response is being acknowledged
   * had Route header fields, those header fields MUST appear in the ACK."
   */
  private buildAck(response: SipResponse): SipRequest {
    const invite = this.request;
    const headers: [string, string][] = [
      ["Via", invite.topVia?.raw ?? ""],
      // RFC 3261 8.1.1: every request carries Max-Forwards; the ACK keeps the INVITE's.
      ["Max-Forwards", String(invite.maxForwards ?? 70)],
      ["From", invite.get("from") ?? ""],
      ["To", response.get("to") ?? ""],
      ["Call-ID", invite.callId ?? ""],
      ["CSeq", `${invite.cseq?.seq ?? 0} ACK`],
    ];
    for (const route of invite.getAll("route")) headers.push(["Route", route]);
    return createRequest({ method: "ACK", uri: invite.uriText, headers });
  }
}

import type { SipRequest, SipResponse } from "../sip/types.js";
import {
  isReliable,
  type ReceivedMessage,
  type SendErrorListener,
  type SentResponse,
} from "../transport/types.js";
import { BaseTransaction } from "./base-transaction.js";
import type { TransactionContext } from "./transaction-context.js";
import type {
  InviteServerState,
  NonInviteServerState,
  ServerTransaction,
  TransactionFailure,
} from "./types.js";

/** What the two server machines share: the request, the last response, sending, failing. */
export abstract class BaseServerTransaction<S extends InviteServerState | NonInviteServerState>
  extends BaseTransaction<S>
  implements ServerTransaction, SendErrorListener
{
  abstract override get kind(): ServerTransaction["kind"];

  /**
   * The most recent response the TU passed, as the transport keeps it (RFC 3261 17.2.1, 17.2.2:
   * what a retransmitted request is answered with).
   */
  private lastSent: SentResponse | undefined;

  constructor(
    ctx: TransactionContext,
    key: string,
    readonly request: ReceivedMessage,
    readonly cancelTarget: ServerTransaction | undefined,
  ) {
    super(ctx, key, isReliable(request.protocol));
  }

  get method(): string {
    return (this.request.message as SipRequest).method;
  }

  /** The server transaction is created in the state machine's first state. */
  abstract start(): void;

  /** A request (retransmission or ACK) the transaction layer matched to this transaction. */
  receive(rx: ReceivedMessage): void {
    this.dispatch({ type: "rx", rx });
  }

  respond(response: SipResponse): void {
    if (response.status < 100 || response.status > 699) {
      throw new RangeError(`invalid response status ${response.status}`);
    }
    this.dispatch({ type: "tuRespond", response });
  }

  respondStateless(response: SipResponse): void {
    if (response.status < 300 || response.status > 699) {
      throw new RangeError(`a stateless answer is a failure status, not ${response.status}`);
    }
    if (this.state === "terminated") return;
    this.stopTimer("Trying");
    this.send(response);
    this.forgetSent();
    this.transition("terminated" as S);
  }

  /** Pass a response to the transport (RFC 3261 18.2.2 routing is the transport's). */
  protected send(response: SipResponse): SentResponse {
    return this.ctx.transport.transmitResponse(response, this.request, this);
  }

  /** Send and remember a response from the TU. */
  protected sendNew(response: SipResponse): void {
    this.lastSent = this.send(response);
  }

  /** Resend the last response, if any. */
  protected resend(): void {
    if (this.lastSent === undefined) return;
    this.ctx.counters.retransmissions++;
    this.lastSent.resend();
  }

  /** Nothing will be resent any more: let the response as sent go. */
  protected forgetSent(): void {
    this.lastSent = undefined;
  }

  /** A send of ours failed (SendErrorListener). */
  onTransportError(error: unknown): void {
    this.dispatch({ type: "transportError", error });
  }

  /**
   * RFC 3261 17.2.4: "the server transaction SHOULD inform the TU that a failure has occurred, and
   * MUST transition to the terminated state." Also Timer H (17.2.1).
   */
  protected fail(failure: TransactionFailure, error?: unknown): void {
    this.failure = failure;
    this.ctx.serverFailed(this, failure, error);
    this.transition("terminated" as S);
  }
}

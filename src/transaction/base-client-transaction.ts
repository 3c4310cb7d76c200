import { createResponse } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import { type Destination, isReliable, type SendResult } from "../transport/types.js";
import { BaseTransaction } from "./base-transaction.js";
import { TRANSACTION_FAILURES } from "./errors.js";
import type { TransactionContext } from "./transaction-context.js";
import type {
  ClientTransaction,
  ClientTransactionHandler,
  InviteClientState,
  NonInviteClientState,
  TransactionFailure,
} from "./types.js";

/** What the two client machines share: sending the request, passing responses up, failing. */
export abstract class BaseClientTransaction<S extends InviteClientState | NonInviteClientState>
  extends BaseTransaction<S>
  implements ClientTransaction
{
  abstract override get kind(): ClientTransaction["kind"];

  constructor(
    ctx: TransactionContext,
    key: string,
    readonly request: SipRequest,
    protected destination: Destination,
    protected readonly handler: ClientTransactionHandler,
  ) {
    super(ctx, key, isReliable(destination.protocol));
  }

  get method(): string {
    return this.request.method;
  }

  /** RFC 3261 17.1: the TU starts the transaction; it sends the request. */
  start(): void {
    this.dispatch({ type: "tuSend" });
  }

  /** Pass the request again (Timer A or E), counted as a retransmission. */
  protected retransmit(): void {
    this.ctx.counters.retransmissions++;
    this.sendRequest();
  }

  /** Pass the request (first time or retransmission) to the transport. */
  protected sendRequest(): void {
    this.ctx.transport.sendRequest(this.request, this.destination).then(
      (result) => this.sent(result),
      (error: unknown) => this.dispatch({ type: "transportError", error }),
    );
  }

  /**
   * RFC 3261 18.1.1: a request may finally go over a different transport than asked (a large UDP
   * request over TCP). Later sends use what the transport chose; once reliable, no retransmissions.
   */
  private sent(result: SendResult): void {
    if (result.protocol === this.destination.protocol && result.flowId === this.destination.flowId) return;
    this.destination = { ...this.destination, protocol: result.protocol, flowId: result.flowId };
    if (!this.reliable && isReliable(result.protocol)) {
      this.reliable = true;
      // RFC 3261 17.1.1.2 / 17.1.2.2: Timers A and E run only for unreliable transports.
      this.stopTimer("A");
      this.stopTimer("E");
    }
  }

  /** Tell the TU the transaction ended (called by the transaction layer). */
  handlerOnTerminated(): void {
    this.handler.onTerminated?.(this);
  }

  /** Pass a response up to the TU. An exception there does not break the machine. */
  protected passUp(response: SipResponse): void {
    try {
      this.handler.onResponse(response, this);
    } catch (error) {
      this.ctx.reportError(error);
    }
  }

  /**
   * RFC 3261 17.1.1.2, 17.1.2.2 (timeout) and 17.1.4 (transport error): tell the TU with the
   * response the failure stands for (408 / 503, RFC 3261 8.1.3.1), then terminate.
   */
  protected fail(failure: TransactionFailure): void {
    this.failure = failure;
    const { status, reason } = TRANSACTION_FAILURES[failure];
    this.passUp(createResponse(this.request, status, reason));
    this.transition("terminated" as S);
  }
}

import type { SipRequest, SipResponse } from "../sip/types.js";
import { isReliable, type ReceivedMessage } from "../transport/types.js";
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
  implements ServerTransaction
{
  abstract override get kind(): ServerTransaction["kind"];

  /**
   * The most recent response the TU passed (RFC 3261 17.2.1, 17.2.2: what a retransmitted request
   * is answered with).
   */
  protected lastResponse: SipResponse | undefined;

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

  /** Pass a response to the transport (RFC 3261 18.2.2 routing is the transport's). */
  protected send(response: SipResponse): void {
    this.ctx.transport
      .sendResponse(response, this.request)
      .then(undefined, (error: unknown) => this.dispatch({ type: "transportError", error }));
  }

  /** Send and remember a response from the TU. */
  protected sendNew(response: SipResponse): void {
    this.lastResponse = response;
    this.send(response);
  }

  /** Resend the last response, if any. */
  protected resend(): void {
    if (this.lastResponse) this.send(this.lastResponse);
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

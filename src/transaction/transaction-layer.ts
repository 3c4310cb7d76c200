import { generateBranch } from "../sip/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../sip/types.js";
import type { Destination, ReceivedMessage, TransportLayer } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import { InviteClientTransaction } from "./invite-client-transaction.js";
import { InviteServerTransaction } from "./invite-server-transaction.js";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.js";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.js";
import type { TransactionContext, TransactionCounters } from "./transaction-context.js";
import { ackKeyFor2543, clientKey, serverKey } from "./transaction-keys.js";
import {
  type ClientTransaction,
  type ClientTransactionHandler,
  DEFAULT_TIMERS,
  type ServerTransaction,
  type TimerSettings,
  type Transaction,
  type TransactionFailure,
  type TransactionState,
  type TransactionUser,
} from "./types.js";

type AnyServer = InviteServerTransaction | NonInviteServerTransaction;
type AnyClient = InviteClientTransaction | NonInviteClientTransaction;

export interface TransactionLayerOptions {
  readonly transport: TransportLayer;
  readonly clock: Clock;
  /** T1, T2, T4 (RFC 3261 17.1.1.1); unset ones take the defaults 500, 4000, 5000 ms. */
  readonly timers?: Partial<TimerSettings>;
  readonly user: TransactionUser;
  /** Where an exception thrown by a TU callback goes; by default it is rethrown on a later tick. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The transaction layer (RFC 3261 17): matches every inbound message to its transaction, creates
 * server transactions for new requests, and starts client transactions for the TU.
 */
export class TransactionLayer implements TransactionContext {
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly counters: TransactionCounters = { retransmissions: 0 };
  private readonly user: TransactionUser;
  private readonly onError: (error: unknown) => void;
  private readonly servers = new Map<string, AnyServer>();
  private readonly clients = new Map<string, AnyClient>();
  /** Entries of `servers` that are RFC 2543 ACK aliases of a transaction, not transactions. */
  private aliases = 0;
  /** Requests to release after the current turn of the event loop (see releaseLater). */
  private releasing: ReceivedMessage[] = [];
  private readonly releaseNow = (): void => {
    const batch = this.releasing;
    this.releasing = [];
    for (const rx of batch) rx.release?.();
  };

  constructor(options: TransactionLayerOptions) {
    this.transport = options.transport;
    this.clock = options.clock;
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.user = options.user;
    this.onError =
      options.onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
    this.transport.onMessage((rx) => this.receive(rx));
  }

  /** Number of live server transactions (diagnostics, benchmarks). */
  get serverCount(): number {
    return this.servers.size - this.aliases;
  }

  /** Number of live client transactions. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Every message from the transport. */
  /**
   * Does `message` belong to a transaction of this layer: a response to one of its client
   * transactions, a retransmission, ACK or CANCEL of one of its server transactions? (Issue 21:
   * the shared ports hand such a message to the tenant that holds the transaction.)
   */
  holds(message: SipMessage): boolean {
    if (message.kind === "response") {
      const key = clientKey(message);
      return key !== undefined && this.clients.has(key);
    }
    const key = serverKey(message);
    if (key !== undefined && this.servers.has(key)) return true;
    return message.method === "CANCEL" && this.cancelTarget(message) !== undefined;
  }

  receive(rx: ReceivedMessage): void {
    const message = rx.message;
    if (message.kind === "request") this.receiveRequest(rx, message);
    else this.receiveResponse(rx, message);
  }

  /**
   * Start a client transaction (RFC 3261 17.1). Adds a top Via with a fresh branch when the
   * request has none (RFC 3261 8.1.1.7), the transport fills in its sent-by (18.1.1).
   */
  sendRequest(
    request: SipRequest,
    destination: Destination,
    handler: ClientTransactionHandler,
  ): ClientTransaction {
    if (request.method === "ACK") {
      // RFC 3261 17.1.1.3 / 13.2.2.4: the ACK for a 2xx is sent by the TU outside any transaction.
      throw new Error("an ACK is not sent through a client transaction; send it with the transport");
    }
    const via = request.topVia;
    if (!via) {
      request.append("Via", `SIP/2.0/${destination.protocol} 0.0.0.0;branch=${generateBranch()};rport`, true);
    } else if (!via.branch) {
      request.setTopViaParams({ branch: generateBranch() });
    }
    const key = clientKey(request);
    if (key === undefined) throw new Error("request has no CSeq: cannot start a client transaction");
    if (this.clients.has(key))
      throw new Error(`a client transaction with branch ${request.topVia?.branch} exists`);
    const tx =
      request.method === "INVITE"
        ? new InviteClientTransaction(this, key, request, destination, handler)
        : new NonInviteClientTransaction(this, key, request, destination, handler);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  private receiveRequest(rx: ReceivedMessage, request: SipRequest): void {
    const key = serverKey(request);
    // The parser passes no request without Via and CSeq; should one slip through, it matches nothing.
    if (key === undefined) return;
    const existing = this.servers.get(key);
    if (existing) {
      existing.receive(rx);
      return;
    }
    if (request.method === "ACK") {
      // RFC 3261 17.2.3 / 13.3.1.4: an ACK matching no transaction is the ACK for a 2xx: the TU's.
      this.passAck(rx);
      return;
    }
    let tx: AnyServer;
    if (request.method === "INVITE") {
      tx = new InviteServerTransaction(this, key, rx, undefined);
    } else {
      tx = new NonInviteServerTransaction(
        this,
        key,
        rx,
        request.method === "CANCEL" ? this.cancelTarget(request) : undefined,
      );
    }
    this.servers.set(key, tx);
    tx.start();
    try {
      this.user.onRequest(rx, tx);
    } catch (error) {
      this.reportError(error);
    }
  }

  /**
   * RFC 3261 9.2: "the CANCEL request ... matches the transaction [using] the transaction matching
   * procedures of Section 17.2.3 [except that] the method of the request that created the
   * transaction is INVITE" (paraphrased).
   */
  private cancelTarget(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey(cancel, "INVITE");
    const target = key === undefined ? undefined : this.servers.get(key);
    return target instanceof InviteServerTransaction ? target : undefined;
  }

  private receiveResponse(rx: ReceivedMessage, response: SipResponse): void {
    const key = clientKey(response);
    const tx = key === undefined ? undefined : this.clients.get(key);
    if (tx) tx.dispatch({ type: "rx", rx });
    else this.passStray(rx);
  }

  // --- TransactionContext: called by the transactions ---

  stateChanged(tx: Transaction, _from: TransactionState, to: TransactionState): void {
    if (tx instanceof InviteServerTransaction && (to === "completed" || to === "accepted")) {
      this.aliasFor2543Ack(tx);
    }
    if (to !== "terminated") return;
    if (tx instanceof InviteClientTransaction || tx instanceof NonInviteClientTransaction) {
      if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
      try {
        tx.handlerOnTerminated();
      } catch (error) {
        this.reportError(error);
      }
      return;
    }
    const server = tx as AnyServer;
    if (this.servers.get(server.key) === server) this.servers.delete(server.key);
    if (server instanceof InviteServerTransaction && server.ackAlias !== undefined) {
      if (this.servers.get(server.ackAlias) === server) {
        this.servers.delete(server.ackAlias);
        this.aliases--;
      }
    }
    try {
      this.user.onServerTerminated?.(server);
    } catch (error) {
      this.reportError(error);
    }
  }

  /** RFC 3261 17.2.3: an RFC 2543 ACK is found by the To tag of the final response. */
  private aliasFor2543Ack(tx: InviteServerTransaction): void {
    const response = tx.finalResponse;
    if (!response) return;
    const alias = ackKeyFor2543(tx.request.message as SipRequest, response);
    if (alias === undefined || this.servers.has(alias)) return;
    tx.ackAlias = alias;
    this.servers.set(alias, tx);
    this.aliases++;
  }

  passAck(rx: ReceivedMessage): void {
    try {
      this.user.onAck(rx);
    } catch (error) {
      this.reportError(error);
    }
  }

  private passStray(rx: ReceivedMessage): void {
    try {
      this.user.onStrayResponse(rx);
    } catch (error) {
      this.reportError(error);
    }
  }

  serverFailed(tx: ServerTransaction, failure: TransactionFailure, error?: unknown): void {
    try {
      this.user.onServerFailure?.(tx, failure, error);
    } catch (thrown) {
      this.reportError(thrown);
    }
  }

  releaseLater(rx: ReceivedMessage): void {
    if (rx.release === undefined) return;
    // NOTE: a TU may still read the request in the tick that answered it (after respond(), or in
    // the promise continuation that did): released on the next turn it is not parsed again.
    if (this.releasing.length === 0) setImmediate(this.releaseNow);
    this.releasing.push(rx);
  }

  reportError(error: unknown): void {
    this.onError(error);
  }
}

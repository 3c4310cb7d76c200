import type { ReceivedMessage, TransportLayer } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import type {
  ServerTransaction,
  TimerSettings,
  Transaction,
  TransactionFailure,
  TransactionState,
} from "./types.js";

/** What the transactions count (issue 23, GET /metrics). */
export interface TransactionCounters {
  /**
   * Messages sent again: requests on Timer A or E, responses on Timer G or on a retransmitted
   * request, a 2xx the TU passes again in "accepted" (RFC 6026 8.7).
   */
  retransmissions: number;
}

/** What a transaction needs from the transaction layer that owns it. */
export interface TransactionContext {
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  /** Plain counters the metrics read at scrape time. */
  readonly counters: TransactionCounters;
  /** Every state change is reported here; "terminated" removes the transaction from the layer. */
  stateChanged(tx: Transaction, from: TransactionState, to: TransactionState): void;
  /** RFC 6026 8.7: an ACK in "accepted" goes to the TU. */
  passAck(rx: ReceivedMessage): void;
  /** A server transaction failed (Timer H, transport error): tell the TU. */
  serverFailed(tx: ServerTransaction, failure: TransactionFailure, error?: unknown): void;
  /**
   * The transaction keeps only what it needs to absorb retransmissions: the parsed request may go
   * (`ReceivedMessage.release`) once the code now running, the TU's included, is done with it.
   */
  releaseLater(rx: ReceivedMessage): void;
  /** An exception thrown by a TU callback: logged, never allowed to break a state machine. */
  reportError(error: unknown): void;
}

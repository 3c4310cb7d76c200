import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ReceivedMessage } from "../transport/types.js";

/**
 * RFC 3261 17.1.1.1 / Table 4: the timer base values. T1 is the RTT estimate, T2 the maximum
 * retransmit interval for non-INVITE requests and INVITE responses, T4 the time a message may
 * remain in the network.
 */
export interface TimerSettings {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

/** RFC 3261 17.1.1.1: "T1 ... 500 ms default"; T2 4 s; T4 5 s (Table 4). */
export const DEFAULT_TIMERS: TimerSettings = { t1: 500, t2: 4000, t4: 5000 };

/**
 * Timers of RFC 3261 Table 4 plus L and M of RFC 6026, and the 200 ms "Trying" timer of
 * RFC 3261 17.2.1 (unnamed in the RFC).
 */
export type TimerName = "A" | "B" | "D" | "E" | "F" | "G" | "H" | "I" | "J" | "K" | "L" | "M" | "Trying";

export type InviteClientState =
  | "initial"
  | "calling"
  | "proceeding"
  | "completed"
  | "accepted"
  | "terminated";
export type NonInviteClientState = "initial" | "trying" | "proceeding" | "completed" | "terminated";
export type InviteServerState =
  | "initial"
  | "proceeding"
  | "completed"
  | "confirmed"
  | "accepted"
  | "terminated";
export type NonInviteServerState = "initial" | "trying" | "proceeding" | "completed" | "terminated";

export type TransactionState =
  | InviteClientState
  | NonInviteClientState
  | InviteServerState
  | NonInviteServerState;

/** Why a transaction ended abnormally. Each maps to the SIP status the TU sees (errors.ts). */
export type TransactionFailure = "timeout" | "transport-error";

/** The one event type every state handler takes (pjsip style). */
export type TransactionEvent =
  /** A message from the transport: a response for a client, a request (retransmission, ACK) for a server. */
  | { readonly type: "rx"; readonly rx: ReceivedMessage }
  | { readonly type: "timer"; readonly timer: TimerName }
  | { readonly type: "transportError"; readonly error: unknown }
  /** The TU starts a client transaction. */
  | { readonly type: "tuSend" }
  /** The TU passes a response to a server transaction. */
  | { readonly type: "tuRespond"; readonly response: SipResponse };

/** What every transaction exposes. */
export interface Transaction {
  readonly kind: "invite-client" | "non-invite-client" | "invite-server" | "non-invite-server";
  readonly state: TransactionState;
  /** The map key the transaction layer matches it by. */
  readonly key: string;
  /** Set when the transaction ended on a timeout or a transport error. */
  readonly failure: TransactionFailure | undefined;
}

/** A server transaction as the TU uses it. */
export interface ServerTransaction extends Transaction {
  readonly kind: "invite-server" | "non-invite-server";
  /** The request that created the transaction, with its transport context. */
  readonly request: ReceivedMessage;
  /** The method of the request that created it. */
  readonly method: string;
  /**
   * For a CANCEL: the INVITE server transaction it cancels (RFC 3261 9.2), if one matched.
   * Always undefined for other methods.
   */
  readonly cancelTarget: ServerTransaction | undefined;
  /** RFC 3261 17.2: the TU passes a response; the transaction sends (and retransmits) it. */
  respond(response: SipResponse): void;
  /**
   * A final response sent once, with nothing kept: the transaction ends at once, so a
   * retransmitted request is simply answered again (as Kamailio's auth challenges). For the
   * challenge of a request without credentials (issue 22): a flood then holds no state for 32 s
   * and draws back one datagram per datagram, never more.
   */
  respondStateless(response: SipResponse): void;
}

/** A client transaction as the TU uses it. */
export interface ClientTransaction extends Transaction {
  readonly kind: "invite-client" | "non-invite-client";
  readonly request: SipRequest;
  readonly method: string;
}

/** The TU of a client transaction (RFC 3261 17.1). */
export interface ClientTransactionHandler {
  /**
   * Each response the RFC passes to the TU: provisional responses, the first final response,
   * 2xx retransmissions in "accepted" (RFC 6026), and the 408 / 503 the transaction
   * synthesizes on a timeout / transport error (RFC 3261 8.1.3.1, 17.1.2.2, 17.1.4).
   */
  onResponse(response: SipResponse, tx: ClientTransaction): void;
  /** The transaction reached "terminated" and left the transaction layer. */
  onTerminated?(tx: ClientTransaction): void;
}

/**
 * The transaction user as the transaction layer needs it (RFC 3261 17). The core implements it;
 * the transaction layer never imports the core.
 */
export interface TransactionUser {
  /**
   * A new request other than ACK. A server transaction was created for it; answer through
   * `tx.respond()`. For a CANCEL, `tx.cancelTarget` is the INVITE it matched, if any.
   */
  onRequest(rx: ReceivedMessage, tx: ServerTransaction): void;
  /**
   * An ACK the transaction layer does not absorb: one matching no server transaction (the ACK
   * for a 2xx, RFC 3261 17.1.1.3 / 13.3.1.4) or one arriving in "accepted" (RFC 6026 8.7).
   */
  onAck(rx: ReceivedMessage): void;
  /**
   * A response matching no client transaction (RFC 3261 18.1.2): e.g. a 2xx retransmission
   * after the INVITE client transaction ended, which a B2BUA must still ACK.
   */
  onStrayResponse(rx: ReceivedMessage): void;
  /**
   * A server transaction failed: Timer H fired without an ACK (RFC 3261 17.2.1, reported as
   * "timeout") or the transport could not send a response (17.2.4, "transport-error").
   */
  onServerFailure?(tx: ServerTransaction, failure: TransactionFailure, error?: unknown): void;
  /** A server transaction reached "terminated" and left the transaction layer. */
  onServerTerminated?(tx: ServerTransaction): void;
}

/**
 * The public shapes of the dialog layer (RFC 3261 12): states, options, and the typed event maps
 * a back-to-back user agent listens to.
 */
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction, TimerSettings, TransactionLayer } from "../transaction/index.js";
import type { Destination, ReceivedMessage, TransportLayer } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import type { UriResolver } from "./request-target.js";

/** RFC 3261 12: "early" after a 1xx with a To tag, "confirmed" after a 2xx; then "terminated". */
export type DialogState = "early" | "confirmed" | "terminated";

/** Which side of the dialog-creating INVITE Parley was on. */
export type DialogRole = "uac" | "uas";

/** RFC 3261 12: "A dialog is identified ... by a Call-ID, a local tag and a remote tag." */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** Extra content of a request or response the TU builds. */
export interface MessageOptions {
  /** Header fields added as given (after the ones the dialog layer writes). */
  readonly headers?: ReadonlyArray<readonly [name: string, value: string]>;
  readonly body?: Buffer | string;
  /** Content-Type of the body; "application/sdp" when a body is given without one. */
  readonly contentType?: string;
}

export interface ResponseOptions extends MessageOptions {
  readonly reason?: string;
}

export interface InDialogRequestOptions extends MessageOptions {
  /**
   * For an INVITE: do not ACK its 2xx automatically; the TU calls `dialog.ack()` (late offer: the
   * answer goes in the ACK, RFC 3261 13.2.2.4).
   */
  readonly manualAck?: boolean;
}

/** Why a dialog ended. */
export type DialogEndCause =
  /** RFC 3261 15.1.2: the peer sent BYE (answered 200 by the dialog). */
  | "bye-received"
  /** RFC 3261 15.1.1: Parley sent BYE. */
  | "bye-sent"
  /** RFC 3261 12.2.1.2: a request within the dialog got 481 or 408. */
  | "request-failed"
  /** RFC 3261 12.3 / 13.2.2.3: the INVITE got a non-2xx final response; its early dialogs end. */
  | "rejected"
  /** The INVITE transaction ended without this early dialog being confirmed (another fork won). */
  | "not-answered"
  /** close() was called. */
  | "closed";

/** An in-dialog request for the TU; answer it with `dialog.respond(tx, ...)`. */
export interface DialogRequestEvent {
  readonly request: SipRequest;
  readonly rx: ReceivedMessage;
  readonly tx: ServerTransaction;
}

export interface DialogEvents {
  /** A request within the dialog the TU must answer (re-INVITE, UPDATE with a body, INFO, ...). */
  request: DialogRequestEvent;
  /** The ACK for a 2xx Parley sent to an INVITE (RFC 3261 13.3.1.4); may carry the answer. */
  ack: { readonly request: SipRequest; readonly rx: ReceivedMessage };
  /** Every response to a request Parley sent within the dialog (provisional and final). */
  response: { readonly request: SipRequest; readonly response: SipResponse };
  /** early -> confirmed (RFC 3261 12.1). */
  confirmed: { readonly response: SipResponse };
  /** The remote target changed (RFC 3261 12.2: target refresh). */
  targetRefresh: { readonly remoteTarget: string };
  /**
   * RFC 3261 13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without
   * receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated. This is
   * accomplished with a BYE". The TU sends the BYE (`dialog.bye()`).
   */
  ackTimeout: { readonly response: SipResponse };
  /** RFC 4028: a session refresh succeeded (sent or received); the timers restarted. */
  sessionRefreshed: { readonly interval: number; readonly localRefresher: boolean };
  /** RFC 4028 10: no refresh before the session expired; the TU should end the call with BYE. */
  sessionExpired: { readonly interval: number };
  /** The dialog reached "terminated" (once). */
  terminated: { readonly cause: DialogEndCause; readonly status?: number };
}

/** RFC 4028 settings, in seconds. */
export interface SessionTimerSettings {
  /** Use session timers on the dialogs of this manager. */
  readonly enabled: boolean;
  /** The Session-Expires Parley asks for or grants (RFC 4028 4: 1800 s recommended). */
  readonly interval: number;
  /** The smallest interval Parley accepts (RFC 4028 5: never below 90 s). */
  readonly minSE: number;
}

export const DEFAULT_SESSION_TIMER: SessionTimerSettings = { enabled: true, interval: 1800, minSE: 90 };

/**
 * When the UAS side sends reliable provisional responses (RFC 3262 3): "supported" when the
 * INVITE's Supported or Require lists 100rel, "required" only when its Require does, or "never".
 */
export type ReliableProvisionalPolicy = "supported" | "required" | "never";

export interface DialogManagerOptions {
  /** The transaction layer every in-dialog request goes through. */
  readonly transactions: TransactionLayer;
  /** Parley's Contact URI for its dialogs (e.g. "sip:parley@10.0.0.1:5060"). */
  readonly contact: string;
  readonly sessionTimer?: Partial<SessionTimerSettings>;
  readonly reliableProvisionals?: ReliableProvisionalPolicy;
  /** Next-hop resolution of URIs; IP literals only by default. */
  readonly resolve?: UriResolver;
  /** Random numbers in [0, 1): RSeq and CSeq starts, glare delays. Math.random by default. */
  readonly random?: () => number;
  /** Where exceptions from event listeners go; rethrown on a later tick by default. */
  readonly onError?: (error: unknown) => void;
}

/** What dialogs and the INVITE helpers need from their manager. */
export interface DialogContext {
  readonly transactions: TransactionLayer;
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly contact: string;
  readonly sessionTimer: SessionTimerSettings;
  readonly reliableProvisionals: ReliableProvisionalPolicy;
  readonly resolve: UriResolver;
  readonly random: () => number;
  /** Where errors go; a function bound to its context, so it may be passed on as it is. */
  readonly reportError: (error: unknown) => void;
  /** The destination of a next-hop URI (throws when it cannot be resolved); `flowId` is preferred. */
  destinationFor(uri: string, flowId?: string): Destination;
  /** A dialog now has an id: index it. */
  register(dialog: DialogHandle): void;
  /** A dialog ended: forget it. */
  unregister(dialog: DialogHandle): void;
}

/** The part of a Dialog the manager indexes (avoids an import cycle): its ID. */
export type DialogHandle = DialogId;

/** Handles PRACK requests of an early dialog on the UAS side (RFC 3262 3). */
export interface PrackReceiver {
  /** Answers the PRACK (200, or 481 when it matches no reliable provisional). */
  receivePrack(request: SipRequest, tx: ServerTransaction): void;
}

/** A random integer in [min, max] from a [0, 1) source. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

import { generateTag, parseUri } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction, TimerSettings, TransactionLayer } from "../transaction/index.js";
import type { Destination, ReceivedMessage, TransportLayer } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import { Dialog } from "./dialog.js";
import { DialogIndex } from "./dialog-index.js";
import { uasDialogInit } from "./dialog-init.js";
import { buildResponse } from "./message-builder.js";
import { resolveIpLiteral, type UriResolver } from "./request-target.js";
import { negotiateAsUas } from "./session-timer-negotiation.js";
import {
  DEFAULT_SESSION_TIMER,
  type DialogContext,
  type DialogHandle,
  type DialogManagerOptions,
  type ReliableProvisionalPolicy,
  type SessionTimerSettings,
} from "./types.js";
import { type InviteSpec, UacInvite } from "./uac-invite.js";
import { UasInvite } from "./uas-invite.js";

/**
 * Every dialog of one Parley instance, indexed by dialog ID (RFC 3261 12). The core asks it
 * first about each request, ACK and stray response; what it does not claim is out of dialog.
 */
export class DialogManager implements DialogContext {
  readonly transactions: TransactionLayer;
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly contact: string;
  readonly sessionTimer: SessionTimerSettings;
  readonly reliableProvisionals: ReliableProvisionalPolicy;
  readonly resolve: UriResolver;
  readonly random: () => number;
  private readonly onError: (error: unknown) => void;
  private readonly dialogs = new DialogIndex<Dialog>();
  private readonly invites = new WeakMap<ServerTransaction, UasInvite>();
  private closed = false;

  constructor(options: DialogManagerOptions) {
    this.transactions = options.transactions;
    this.transport = options.transactions.transport;
    this.clock = options.transactions.clock;
    this.timers = options.transactions.timers;
    this.contact = options.contact;
    this.sessionTimer = { ...DEFAULT_SESSION_TIMER, ...options.sessionTimer };
    // FEATURES.md section 8 (miniSIPServer since V31): reliable provisionals only when the peer
    // requires them; a peer that merely supports 100rel gets them unreliably (RFC 3262 3 allows both).
    this.reliableProvisionals = options.reliableProvisionals ?? "required";
    this.resolve = options.resolve ?? resolveIpLiteral;
    this.random = options.random ?? Math.random;
    this.onError =
      options.onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
  }

  /** Number of live dialogs (early and confirmed). */
  get size(): number {
    return this.dialogs.size;
  }

  /** The dialog with this ID, if any. */
  find(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.dialogs.find(callId, localTag, remoteTag);
  }

  /** RFC 3261 12.2.2: a request's dialog: local tag = To tag, remote tag = From tag. */
  findForRequest(request: SipRequest): Dialog | undefined {
    const localTag = request.to?.tag;
    if (localTag === undefined || request.callId === undefined) return undefined;
    return this.find(request.callId, localTag, request.from?.tag ?? "");
  }

  /** A response's dialog: local tag = From tag, remote tag = To tag (RFC 3261 12.1.2). */
  findForResponse(response: SipResponse): Dialog | undefined {
    const remoteTag = response.to?.tag;
    const localTag = response.from?.tag;
    if (remoteTag === undefined || localTag === undefined || response.callId === undefined) return undefined;
    return this.find(response.callId, localTag, remoteTag);
  }

  // --- What the core calls ---

  /**
   * A new request (not ACK) from TransactionUser.onRequest. Returns true when the dialog layer took
   * it: a request with a To tag is in-dialog (RFC 3261 12.2.2) and goes to its dialog, or gets 481
   * when none matches. False for requests without To tag (and CANCEL: see receiveCancel), which the
   * core handles as out-of-dialog.
   */
  receiveRequest(rx: ReceivedMessage, tx: ServerTransaction): boolean {
    const request = rx.message as SipRequest;
    if (request.method === "CANCEL" || request.to?.tag === undefined) return false;
    const dialog = this.findForRequest(request);
    if (dialog === undefined) {
      // RFC 3261 12.2.2: "If the UAS wishes to reject the request because it does not wish to
      // recreate the dialog, it MUST respond to the request with a 481 (Call/Transaction Does Not
      // Exist) status code".
      tx.respond(buildResponse(request, 481, "Call/Transaction Does Not Exist", undefined, []));
      return true;
    }
    dialog.receiveRequest(rx, tx);
    return true;
  }

  /**
   * An ACK from TransactionUser.onAck (the ACK for a 2xx, RFC 3261 13.3.1.4). True when a dialog
   * took it; an ACK matching no dialog is dropped by the core (RFC 3261 17: never answered).
   */
  receiveAck(rx: ReceivedMessage): boolean {
    const dialog = this.findForRequest(rx.message as SipRequest);
    if (dialog === undefined) return false;
    dialog.receiveAck(rx);
    return true;
  }

  /** A response from TransactionUser.onStrayResponse: a retransmitted 2xx gets its ACK again. */
  receiveStrayResponse(rx: ReceivedMessage): boolean {
    const response = rx.message as SipResponse;
    const dialog = this.findForResponse(response);
    if (dialog === undefined) return false;
    dialog.receiveStrayResponse(response);
    return true;
  }

  /**
   * A CANCEL whose target INVITE (`tx.cancelTarget`) the dialog layer holds (RFC 3261 9.2): the
   * INVITE gets 487 and its early dialog ends. The core still answers the CANCEL itself (200).
   * False when the target is not a UasInvite or was already answered.
   */
  receiveCancel(tx: ServerTransaction): boolean {
    const target = tx.cancelTarget;
    const invite = target === undefined ? undefined : this.invites.get(target);
    return invite?.cancel() === true;
  }

  // --- What the B2BUA calls ---

  /**
   * An out-of-dialog INVITE the B2BUA takes as UAS. Undefined when the dialog layer answered it
   * itself: 422 for a session interval below Parley's Min-SE (RFC 4028 6).
   */
  receiveInvite(rx: ReceivedMessage, tx: ServerTransaction): UasInvite | undefined {
    const request = rx.message as SipRequest;
    const negotiation = negotiateAsUas(request, this.sessionTimer);
    if (negotiation.kind === "reject") {
      // RFC 4028 6: "the 422 response MUST contain a Min-SE header field with the minimum timer".
      tx.respond(
        buildResponse(request, 422, "Session Interval Too Small", undefined, [
          ["Min-SE", String(negotiation.minSE)],
        ]),
      );
      return undefined;
    }
    const invite = new UasInvite(this, rx, tx, negotiation);
    this.invites.set(tx, invite);
    return invite;
  }

  /**
   * The dialog a non-INVITE request creates when Parley accepts it as UAS: a SUBSCRIBE (RFC 6665
   * 4.2.1: the 2xx creates the dialog), its state built as RFC 3261 12.1.1 says. Confirmed from
   * the start (only an INVITE has early dialogs); the TU answers with `dialog.respond(tx, 200)`,
   * which carries the dialog's To tag and Contact.
   */
  createUasDialog(rx: ReceivedMessage): Dialog {
    if (this.closed) throw new Error("dialog manager is closed");
    const dialog = new Dialog(this, uasDialogInit(rx, generateTag()), "confirmed");
    this.register(dialog);
    return dialog;
  }

  /** Sends a dialog-creating INVITE as UAC (a callee leg). */
  invite(spec: InviteSpec): UacInvite {
    if (this.closed) throw new Error("dialog manager is closed");
    const invite = new UacInvite(this, spec);
    invite.send();
    return invite;
  }

  /** Ends every dialog (without signalling). Idempotent. */
  close(): void {
    this.closed = true;
    for (const dialog of this.dialogs.all()) dialog.close();
  }

  // --- DialogContext ---

  destinationFor(uri: string, flowId?: string): Destination {
    const parsed = parseUri(uri);
    const destination = parsed === undefined ? undefined : this.resolve(parsed);
    if (destination === undefined) throw new Error(`cannot resolve next hop ${uri}`);
    return flowId === undefined || destination.protocol === "UDP" ? destination : { ...destination, flowId };
  }

  register(dialog: DialogHandle): void {
    this.dialogs.add(dialog as Dialog);
  }

  unregister(dialog: DialogHandle): void {
    this.dialogs.remove(dialog as Dialog);
  }

  /** A property, not a method: every dialog and INVITE passes it on as its listener-error sink. */
  readonly reportError = (error: unknown): void => {
    this.onError(error);
  };
}

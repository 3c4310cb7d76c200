import { ownCopy } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/index.js";
import type { Destination, ReceivedMessage } from "../transport/types.js";
import type { TimerHandle } from "../util/clock.js";
import { type DialogInit, refreshedTarget, uacRouteSet } from "./dialog-init.js";
import { glareRetryDelay, reInviteConflict } from "./glare.js";
import { allowsMethod } from "./headers.js";
import { InviteSuccesses } from "./invite-successes.js";
import { KeptAck } from "./kept-ack.js";
import {
  buildAck,
  buildInDialog,
  buildResponse,
  type HeaderList,
  isTargetRefresh,
  withCredentials,
} from "./message-builder.js";
import { requestTarget } from "./request-target.js";
import { SessionRefresher } from "./session-refresher.js";
import { TypedEmitter } from "./typed-emitter.js";
import {
  type DialogContext,
  type DialogEndCause,
  type DialogEvents,
  type DialogHandle,
  type DialogRole,
  type DialogState,
  type InDialogRequestOptions,
  type MessageOptions,
  type PrackReceiver,
  type ResponseOptions,
  randomInt,
} from "./types.js";

/** RFC 3261 8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer
 * and MUST be less than 2**31." */
const MAX_INITIAL_CSEQ = 2 ** 31 - 1;

const SDP = "application/sdp";

/**
 * One dialog (RFC 3261 12): its identity and state, the requests Parley sends within it
 * (12.2.1), the requests it receives (12.2.2), and the INVITE reliability the UA core owns:
 * 2xx retransmission until ACK (13.3.1.4) and the ACK for a 2xx (13.2.2.4). Session timers
 * (RFC 4028) and glare (14.1) ride on it. A B2BUA holds one per leg.
 */
export class Dialog extends TypedEmitter<DialogEvents> implements DialogHandle {
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly secure: boolean;
  state: DialogState;
  /** RFC 3261 12.1: local and remote sequence numbers; undefined while "empty". */
  localSeq: number | undefined;
  remoteSeq: number | undefined;
  remoteUri: string;
  remoteTarget: string;
  routeSet: readonly string[];
  /** Handles PRACKs in the early dialog (the UAS side of its INVITE, RFC 3262). */
  prackReceiver: PrackReceiver | undefined;
  /**
   * The last session description Parley sent, reused by a re-INVITE session refresh (RFC 4028
   * 7.4). Set through rememberLocalBody().
   */
  lastLocalBody: { readonly body: Buffer; readonly contentType: string } | undefined;
  /** The peer listed UPDATE in Allow: session refreshes use UPDATE (RFC 4028 7.4 prefers it). */
  peerAllowsUpdate = false;
  /**
   * Credentials toward the peer (a provider behind an external line): a 401/407 to a request in
   * this dialog is answered once with them (RFC 3261 22.2). Set from the dialog's INVITE.
   */
  authorize: ((challenge: SipResponse, request: SipRequest) => HeaderList | undefined) | undefined;
  // A 408 to a request of this dialog ends it (RFC 3261 12.2.1.2) unless a usage that counts its
  // own failures clears this: a subscription keeps its dialog through a lost NOTIFY (RFC 6665).
  endOnTimeout = true;

  private flowId: string | undefined;
  // The collections below are made when first needed and dropped when empty again: most of a
  // dialog's life needs none of them (issue 13: heap per active call).
  /** Requests that already carry an answer to a challenge: a second challenge is final. */
  private authRetries: WeakSet<SipRequest> | undefined;
  private readonly natPeer: Destination | undefined;
  /** The ACK of the latest INVITE Parley sent in this dialog (RFC 3261 13.2.2.4). */
  private lastAck: KeptAck | undefined;
  /** 2xx responses to INVITEs awaiting their ACK (RFC 3261 13.3.1.4). */
  private successes: InviteSuccesses | undefined;
  /** RFC 3261 14.1: an INVITE Parley sent in this dialog still without final response. */
  private inviteClientPending = false;
  /** RFC 3261 14.2: an INVITE received in this dialog not yet answered finally. */
  private inviteServer: ServerTransaction | undefined;
  private glareTimers: Set<TimerHandle> | undefined;
  readonly session: SessionRefresher;

  constructor(
    private readonly ctx: DialogContext,
    init: DialogInit,
    state: "early" | "confirmed",
  ) {
    super(ctx.reportError);
    this.role = init.role;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.secure = init.secure;
    this.flowId = init.flowId;
    this.natPeer = init.natPeer;
    this.state = state;
    this.session = new SessionRefresher(ctx, this);
  }

  /** True while an INVITE transaction is in progress in either direction (RFC 3261 14.1). */
  get invitePending(): boolean {
    return this.inviteClientPending || this.inviteServer?.state === "proceeding";
  }

  // --- Requests Parley sends (RFC 3261 12.2.1) ---

  /**
   * Builds a request within the dialog (RFC 3261 12.2.1.1). ACK and CANCEL are not built here:
   * they take the INVITE's CSeq (use `ack()`; CANCEL with transaction/createCancel).
   */
  createRequest(method: string, options: MessageOptions = {}): SipRequest {
    if (this.state === "terminated") throw new Error(`dialog ${this.callId} is terminated`);
    if (method === "ACK" || method === "CANCEL") throw new Error(`${method} takes the INVITE's CSeq`);
    // RFC 3261 12.2.1.1: "Requests within a dialog MUST contain strictly monotonically increasing
    // and contiguous CSeq sequence numbers (increasing-by-one) in each direction ... If the local
    // sequence number is empty, an initial value MUST be chosen using the guidelines of Section
    // 8.1.1.5."
    this.localSeq =
      this.localSeq === undefined ? randomInt(this.ctx.random, 1, MAX_INITIAL_CSEQ) : this.localSeq + 1;
    const extra: HeaderList = [];
    // RFC 3261 12.2.1.1: "A UAC SHOULD include a Contact header field in any target refresh
    // requests within a dialog".
    if (isTargetRefresh(method)) extra.push(["Contact", `<${this.ctx.contact}>`]);
    if (method === "INVITE" || method === "UPDATE") extra.push(...this.session.requestHeaders());
    const request = buildInDialog(this, method, this.localSeq, extra, options);
    if (request.body.length > 0 && (method === "INVITE" || method === "UPDATE")) {
      this.rememberLocalBody(request.body, options.contentType);
    }
    return request;
  }

  /** Builds and sends a request within the dialog; resolves with its final response. */
  request(method: string, options: InDialogRequestOptions = {}): Promise<SipResponse> {
    return this.send(this.createRequest(method, options), options);
  }

  /**
   * Sends a request built by `createRequest` through a client transaction, to the next hop of the
   * route set or the remote target. Resolves with the final response, whatever its status (a
   * timeout is the 408 the transaction synthesizes, RFC 3261 8.1.3.1).
   */
  send(request: SipRequest, options: InDialogRequestOptions = {}): Promise<SipResponse> {
    if (request.method === "INVITE") {
      // RFC 3261 14.1: "a UAC MUST NOT initiate a new INVITE transaction within a dialog while
      // another INVITE transaction is in progress in either direction."
      if (this.invitePending) return Promise.reject(new Error("an INVITE is in progress in this dialog"));
      this.inviteClientPending = true;
    }
    return new Promise<SipResponse>((resolve) => {
      let final: SipResponse | undefined;
      this.ctx.transactions.sendRequest(request, this.destination(), {
        onResponse: (response) => {
          const first = final === undefined && response.status >= 200;
          if (first) final = response;
          if (first && this.retryWithCredentials(request, response, options, resolve)) return;
          this.onResponse(request, response, first, options);
          if (first) resolve(response);
        },
      });
    }).catch((error: unknown) => {
      if (request.method === "INVITE") this.inviteClientPending = false;
      throw error;
    });
  }

  /**
   * RFC 3261 22.2: a 401/407 to a request of this dialog, answered once with the dialog's
   * credentials: the same request with the next CSeq and the Authorization or
   * Proxy-Authorization. False when there is nothing to answer with.
   */
  private retryWithCredentials(
    request: SipRequest,
    response: SipResponse,
    options: InDialogRequestOptions,
    resolve: (response: SipResponse) => void,
  ): boolean {
    if ((response.status !== 401 && response.status !== 407) || this.authorize === undefined) return false;
    if (this.authRetries?.has(request)) return false;
    // The dialog ends as its BYE is sent; a challenge to the BYE itself is still answered.
    if (this.state === "terminated" && request.method !== "BYE") return false;
    const headers = this.authorize(response, request);
    if (headers === undefined) return false;
    this.localSeq = (this.localSeq ?? 0) + 1;
    const retry = withCredentials(request, this.localSeq, headers);
    if (request.method === "INVITE") this.inviteClientPending = false;
    this.authRetries ??= new WeakSet();
    this.authRetries.add(retry);
    this.send(retry, options).then(resolve, () => resolve(response));
    return true;
  }

  /** Where requests go: the first route, or the remote target (RFC 3261 8.1.2, 12.2.1.1). */
  destination(): Destination {
    const target = requestTarget(this.remoteTarget, this.routeSet);
    // A peer behind NAT is reached where its messages come from (dialog-init.ts natPeer).
    if (this.natPeer !== undefined && this.routeSet.length === 0) {
      return this.flowId === undefined || this.natPeer.protocol === "UDP"
        ? this.natPeer
        : { ...this.natPeer, flowId: this.flowId };
    }
    return this.ctx.destinationFor(target.nextHop, this.flowId);
  }

  private onResponse(
    request: SipRequest,
    response: SipResponse,
    first: boolean,
    options: InDialogRequestOptions,
  ): void {
    const method = request.method;
    const status = response.status;
    if (status >= 200 && method === "INVITE") {
      if (!first) {
        // RFC 3261 13.2.2.4: a retransmitted 2xx gets the same ACK again.
        if (status < 300) this.resendAck(request.cseq?.seq ?? 0);
        return;
      }
      this.inviteClientPending = false;
    }
    this.emit("response", { request, response });
    if (!first) return;
    if (status >= 200 && status < 300) {
      // RFC 3261 12.2.1.2: "When a UAC receives a 2xx response to a target refresh request, it
      // MUST replace the dialog's remote target URI with the URI from the Contact header field in
      // that response, if present."
      if (isTargetRefresh(method)) this.refreshTarget(refreshedTarget(response));
      if (allowsMethod(response, "UPDATE")) this.peerAllowsUpdate = true;
      if (method === "INVITE" && !options.manualAck) this.ack(request);
      if (method === "INVITE" || method === "UPDATE") this.session.onUacSuccess(response);
    } else if (status === 481 || (status === 408 && this.endOnTimeout)) {
      // RFC 3261 12.2.1.2: "If the response for a request within a dialog is a 481 (Call/Transaction
      // Does Not Exist) or a 408 (Request Timeout), the UAC SHOULD terminate the dialog."
      this.terminate("request-failed", status);
    }
  }

  /**
   * Sends the ACK for the 2xx to `invite` (RFC 3261 13.2.2.4, message-builder.ts buildAck). It goes
   * straight to the transport: the ACK for a 2xx has no client transaction (RFC 3261 17.1.1.3).
   */
  ack(invite: SipRequest, options: MessageOptions = {}): void {
    const seq = invite.cseq?.seq ?? 0;
    if (this.lastAck?.seq === seq) {
      this.resendAck(seq);
      return;
    }
    // RFC 3261 13.2.2.4: retransmissions of the 2xx get this ACK again, also once the INVITE
    // transaction is gone (stray responses). Only the latest INVITE's ACK is kept: an older 2xx
    // cannot be retransmitted any more once a later INVITE was answered.
    this.lastAck = new KeptAck(seq, invite, options);
    this.sendAck(this.lastAck);
  }

  private resendAck(seq: number): void {
    if (this.lastAck?.seq === seq) this.sendAck(this.lastAck);
  }

  private sendAck(ack: KeptAck): void {
    const destination = this.destination();
    const request = buildAck(this, ack, destination.protocol);
    this.ctx.transport.sendRequest(request, destination).then(undefined, this.ctx.reportError);
  }

  /** Ends the dialog with BYE (RFC 3261 15.1.1); resolves with the BYE's final response. */
  bye(options: MessageOptions = {}): Promise<SipResponse> {
    const request = this.createRequest("BYE", options);
    // RFC 3261 15.1.1: "The UAC MUST consider the session terminated (and therefore stop sending or
    // listening for media) as soon as the BYE request is passed to the client transaction."
    this.terminate("bye-sent");
    return this.send(request);
  }

  /**
   * A timer for retrying a request after a 491 (RFC 3261 14.1), with the delay the RFC sets for
   * this side: Parley owns the Call-ID when it sent the dialog-creating INVITE. Cancelled when the
   * dialog ends.
   */
  afterGlare(fn: () => void): TimerHandle {
    const delay = glareRetryDelay(this.role === "uac", this.ctx.random);
    const handle = this.ctx.clock.setTimer(delay, () => {
      this.glareTimers?.delete(handle);
      if (this.glareTimers?.size === 0) this.glareTimers = undefined;
      fn();
    });
    this.glareTimers ??= new Set();
    this.glareTimers.add(handle);
    return handle;
  }

  // --- Requests Parley receives (RFC 3261 12.2.2) ---

  /** A request within this dialog (the manager matched its dialog ID). ACK goes to receiveAck. */
  receiveRequest(rx: ReceivedMessage, tx: ServerTransaction): void {
    const request = rx.message as SipRequest;
    const method = request.method;
    const seq = request.cseq?.seq ?? 0;
    if (this.state === "terminated") {
      this.respond(tx, 481, { reason: "Call/Transaction Does Not Exist" });
      return;
    }
    // RFC 3261 12.2.2: "If the remote sequence number was not empty, but the sequence number of the
    // request is lower than the remote sequence number, the request is out of order and MUST be
    // rejected with a 500 (Server Internal Error) response."
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
      this.respond(tx, 500, { reason: "Server Internal Error" });
      return;
    }
    // RFC 3261 12.2.2: "If the remote sequence number was empty, it MUST be set to the value of the
    // sequence number in the CSeq header field value in the request."
    this.remoteSeq = seq;
    if (rx.flowId !== undefined) this.flowId = rx.flowId;
    if (allowsMethod(request, "UPDATE")) this.peerAllowsUpdate = true;
    switch (method) {
      case "BYE":
        this.receiveBye(tx);
        return;
      case "PRACK":
        if (this.prackReceiver !== undefined) this.prackReceiver.receivePrack(request, tx);
        // RFC 3262 3: a PRACK matching no unacknowledged reliable provisional gets 481.
        else this.respond(tx, 481, { reason: "Call/Transaction Does Not Exist" });
        return;
      case "INVITE": {
        // RFC 3261 14.2: a re-INVITE while another INVITE of the dialog is in progress.
        const pending = this.inviteServer?.state === "proceeding";
        const conflict = reInviteConflict(this.inviteClientPending, pending, this.ctx.random);
        if (conflict !== undefined) {
          this.respond(tx, conflict.status, conflict);
          return;
        }
        break;
      }
      default:
        break;
    }
    if (isTargetRefresh(method)) {
      // RFC 3261 12.2.2: "When a UAS receives a target refresh request, it MUST replace the
      // dialog's remote target URI with the URI from the Contact header field in that request, if
      // present."
      this.refreshTarget(refreshedTarget(request));
    }
    if ((method === "INVITE" || method === "UPDATE") && !this.session.negotiateIncoming(tx)) return;
    if (method === "INVITE") this.inviteServer = tx;
    if (method === "UPDATE" && request.body.length === 0 && this.session.running) {
      // RFC 4028 10: an UPDATE without a body is a pure session refresh: answered here.
      this.respond(tx, 200);
      return;
    }
    this.emit("request", { request, rx, tx });
  }

  /**
   * RFC 3261 15.1.2: "the UAS core ... SHOULD terminate the session ... The UAS MUST still respond
   * to any pending requests received for that dialog. It is RECOMMENDED that a 487 (Request
   * Terminated) response be generated to those pending requests."
   */
  private receiveBye(tx: ServerTransaction): void {
    if (this.inviteServer?.state === "proceeding") this.respond(this.inviteServer, 487);
    this.respond(tx, 200);
    this.terminate("bye-received");
  }

  /**
   * Answers a request received within the dialog. Adds the To tag, the Contact a 2xx or dialog
   * response needs (RFC 3261 12.1.1, 13.3.1.4; RFC 3311 5.2) and the Session-Expires the
   * negotiation granted (RFC 4028 9); a 2xx to an INVITE is retransmitted until its ACK.
   */
  respond(tx: ServerTransaction, status: number, options: ResponseOptions = {}): SipResponse {
    const request = tx.request.message as SipRequest;
    const method = request.method;
    const headers: HeaderList = [];
    const success = status >= 200 && status < 300;
    if (status > 100 && status < 300 && isTargetRefresh(method))
      headers.push(["Contact", `<${this.ctx.contact}>`]);
    if (success && (method === "INVITE" || method === "UPDATE"))
      headers.push(...this.session.responseHeaders(tx));
    const response = buildResponse(request, status, options.reason, this.localTag, headers, options);
    if (success && (method === "INVITE" || method === "UPDATE") && response.body.length > 0) {
      this.rememberLocalBody(response.body, options.contentType);
    }
    if (method === "INVITE" && status >= 200) {
      if (this.inviteServer === tx) this.inviteServer = undefined;
      if (success) {
        this.sendInviteSuccess(tx, response);
        this.session.onUasSuccess(tx);
        return response;
      }
    }
    if (tx.state === "trying" || tx.state === "proceeding") tx.respond(response);
    if (success && method === "UPDATE") this.session.onUasSuccess(tx);
    return response;
  }

  /**
   * Passes a 2xx for an INVITE to its server transaction and retransmits it until the ACK
   * (RFC 3261 13.3.1.4). Also used for the dialog-creating INVITE (UasInvite).
   */
  sendInviteSuccess(tx: ServerTransaction, response: SipResponse): void {
    this.successes ??= new InviteSuccesses(this.ctx);
    const successes = this.successes;
    successes.send(tx, response, () => {
      if (successes.empty && this.successes === successes) this.successes = undefined;
      this.emit("ackTimeout", { response });
    });
  }

  /** The ACK for a 2xx Parley sent (RFC 3261 13.3.1.4); a retransmitted ACK is absorbed. */
  receiveAck(rx: ReceivedMessage): void {
    const successes = this.successes;
    if (successes === undefined || !successes.acknowledged(rx.message.cseq?.seq ?? 0)) return;
    if (successes.empty) this.successes = undefined;
    this.emit("ack", { request: rx.message as SipRequest, rx });
  }

  /**
   * A 2xx to an INVITE that matched no client transaction (RFC 3261 13.2.2.4: "The UAC core MUST
   * generate an ACK request for each 2xx received from the transaction layer" and retransmissions
   * reach the core after the transaction ends).
   */
  receiveStrayResponse(response: SipResponse): void {
    if (response.cseq?.method === "INVITE" && response.status >= 200 && response.status < 300) {
      this.resendAck(response.cseq.seq);
    }
  }

  // --- State changes ---

  /**
   * early -> confirmed on a 2xx (RFC 3261 13.2.2.4): "If the dialog identifier in the 2xx response
   * matches the dialog identifier of an existing dialog, the dialog MUST be transitioned to the
   * "confirmed" state, and the route set for the dialog MUST be recomputed based on the 2xx
   * response using the procedures of Section 12.2.1.2." On the UAS side `response` is the 2xx
   * Parley sent and the route set stays (12.1.1).
   */
  confirm(response: SipResponse): void {
    if (this.state !== "early") return;
    if (this.role === "uac") {
      this.routeSet = uacRouteSet(response);
      this.refreshTarget(refreshedTarget(response));
      const to = response.get("to");
      if (to !== undefined) this.remoteUri = ownCopy(to);
    }
    if (allowsMethod(response, "UPDATE")) this.peerAllowsUpdate = true;
    this.state = "confirmed";
    this.emit("confirmed", { response });
  }

  private refreshTarget(target: string | undefined): void {
    if (target === undefined || target === this.remoteTarget) return;
    this.remoteTarget = ownCopy(target);
    this.emit("targetRefresh", { remoteTarget: target });
  }

  /** Keeps the session description Parley sent last (RFC 4028 7.4: a refresh re-offers it). */
  rememberLocalBody(body: Buffer, contentType: string | undefined): void {
    this.lastLocalBody = {
      body,
      contentType: contentType === undefined || contentType === SDP ? SDP : ownCopy(contentType),
    };
  }

  /** Ends the dialog once: stops every timer, leaves the manager, reports the cause. */
  terminate(cause: DialogEndCause, status?: number): void {
    if (this.state === "terminated") return;
    this.state = "terminated";
    this.successes?.stop();
    this.successes = undefined;
    this.lastAck = undefined;
    for (const t of this.glareTimers ?? []) t.cancel();
    this.glareTimers = undefined;
    this.session.stop();
    this.ctx.unregister(this);
    this.emit("terminated", status === undefined ? { cause } : { cause, status });
  }

  /** Idempotent: ends the dialog without signalling (the TU sends BYE first if it wants one). */
  close(): void {
    this.terminate("closed");
  }
}

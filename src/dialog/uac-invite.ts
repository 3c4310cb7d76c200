import { createRequest, generateCallId, generateTag, ownCopy } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import { type ClientTransaction, createCancel } from "../transaction/index.js";
import type { Destination } from "../transport/types.js";
import { Dialog } from "./dialog.js";
import { uacDialogInit } from "./dialog-init.js";
import { hasOptionTag, parseRSeq } from "./headers.js";
import { bodyParts, type HeaderList } from "./message-builder.js";
import { routeUri } from "./request-target.js";
import { intervalAfter422, uacRequestHeaders } from "./session-timer-negotiation.js";
import { TypedEmitter } from "./typed-emitter.js";
import { type DialogContext, type MessageOptions, randomInt } from "./types.js";

/** What a B2BUA leg toward a callee sends (RFC 3261 8.1.1, 13.2.1). */
export interface InviteSpec extends MessageOptions {
  /** Request-URI (the callee's binding). */
  readonly uri: string;
  /** From value without tag, e.g. `"Alice" <sip:100@pbx.example>`. */
  readonly from: string;
  /** To value, e.g. `<sip:200@pbx.example>`. */
  readonly to: string;
  /** Call-ID; a fresh one by default (each B2BUA leg has its own). */
  readonly callId?: string;
  /** A preloaded route set: Route values in order (RFC 3261 8.1.2). */
  readonly routes?: readonly string[];
  /** The next hop; by default the first route, else the Request-URI, resolved by the manager. */
  readonly destination?: Destination;
  /** Do not ACK 2xx responses automatically: the TU calls `dialog.ack(invite.request, ...)`. */
  readonly manualAck?: boolean;
  /**
   * Credentials toward a provider or peer (RFC 3261 22.2, 22.3): the Authorization or
   * Proxy-Authorization answering a 401/407, or undefined to give up and fail with it.
   */
  readonly authorize?: (challenge: SipResponse, request: SipRequest) => HeaderList | undefined;
  /** Leave 100rel out of Supported (providers that mishandle RFC 3262). */
  readonly no100rel?: boolean;
}

export type UacInviteState = "calling" | "answered" | "failed";

export interface UacInviteEvents {
  /** A provisional response; `dialog` is the early dialog it created or belongs to (RFC 3261 12.1.2). */
  provisional: { readonly response: SipResponse; readonly dialog: Dialog | undefined };
  /**
   * A 2xx confirmed a dialog (RFC 3261 13.2.2.4), already ACKed unless manualAck. A forked INVITE
   * may be answered more than once: the B2BUA keeps one dialog and sends BYE on the others.
   */
  answered: { readonly response: SipResponse; readonly dialog: Dialog };
  /** The final non-2xx response (RFC 3261 13.2.2.3); early dialogs ended. */
  failed: { readonly response: SipResponse };
}

const NO_HEADERS: readonly (readonly [name: string, value: string])[] = [];

/**
 * The spec with its own copies of the strings a B2BUA passes through from the caller's INVITE
 * (header values, Content-Type): cut from that INVITE, they would keep its whole text alive as
 * long as this INVITE and its transaction (sip ownCopy).
 */
function ownedSpec(spec: InviteSpec): InviteSpec {
  const { headers, contentType } = spec;
  return {
    ...spec,
    ...(headers === undefined
      ? {}
      : { headers: headers.map(([name, value]) => [name, ownCopy(value)] as const) }),
    ...(contentType === undefined ? {} : { contentType: ownCopy(contentType) }),
  };
}

/** RFC 4028 7.4: how many times a 422 makes Parley retry with a larger Session-Expires. */
const MAX_422_RETRIES = 2;
/** Challenges answered per INVITE (a 401 then a 407 from a proxy in front of the registrar). */
const MAX_AUTH_RETRIES = 2;

/**
 * The UAC side of a dialog-creating INVITE (RFC 3261 13.2): sends it, makes one early dialog per
 * To tag of the provisionals (forking), PRACKs reliable provisionals (RFC 3262 4), confirms and
 * ACKs on 2xx, retries on 422 (RFC 4028 7.4) and CANCELs on demand (RFC 3261 9.1).
 */
export class UacInvite extends TypedEmitter<UacInviteEvents> {
  readonly callId: string;
  readonly localTag = generateTag();
  state: UacInviteState = "calling";
  /** The INVITE as last sent (a 422 retry replaces it). */
  request: SipRequest;
  /** Dialogs by remote tag. */
  readonly dialogs = new Map<string, Dialog>();
  private readonly destination: Destination;
  private transaction: ClientTransaction | undefined;
  /** The last RSeq PRACKed per early dialog (RFC 3262 4), once there was one. */
  private rseqs: Map<string, number> | undefined;
  private provisionalSeen = false;
  /** A CANCEL waiting for the first provisional (RFC 3261 9.1), with its headers. */
  private pendingCancel: HeaderList | undefined;
  private retries422 = 0;
  private authRetries = 0;
  private authHeaders: readonly (readonly [name: string, value: string])[] = NO_HEADERS;
  /**
   * What the INVITE is built from, until its final response (retries rebuild it: RFC 3261 22.2,
   * RFC 4028 7.4); then dropped with the offer it carries (issue 13: heap per active call).
   */
  private spec: InviteSpec | undefined;
  private readonly manualAck: boolean;
  private readonly authorize: InviteSpec["authorize"];
  private sessionInterval: number;
  private minSE: number;

  constructor(
    private readonly ctx: DialogContext,
    spec: InviteSpec,
  ) {
    super(ctx.reportError);
    this.spec = ownedSpec(spec);
    this.manualAck = spec.manualAck === true;
    this.authorize = spec.authorize;
    this.callId = spec.callId ?? generateCallId();
    this.sessionInterval = ctx.sessionTimer.interval;
    this.minSE = ctx.sessionTimer.minSE;
    const firstHop =
      spec.routes !== undefined && spec.routes.length > 0 ? routeUri(spec.routes[0]) : spec.uri;
    this.destination = spec.destination ?? ctx.destinationFor(firstHop);
    // RFC 3261 8.1.1.5: the initial CSeq is below 2**31.
    this.request = this.build(randomInt(ctx.random, 1, 2 ** 30));
  }

  /** Sends the INVITE (called once by the manager). */
  send(): void {
    this.transaction = this.ctx.transactions.sendRequest(this.request, this.destination, {
      onResponse: (response) => this.onResponse(response),
      onTerminated: (tx) => this.onTerminated(tx),
    });
  }

  /**
   * CANCELs the INVITE (RFC 3261 9.1) with an optional Reason (RFC 3326), e.g.
   * `SIP;cause=200;text="Call completed elsewhere"`. "If no provisional response has been
   * received, the CANCEL request MUST NOT be sent; rather, the client MUST wait for the arrival of
   * a provisional response before sending the request." False when it is too late.
   */
  cancel(reason?: string): boolean {
    if (this.state !== "calling") return false;
    const headers: HeaderList = reason === undefined ? [] : [["Reason", reason]];
    if (!this.provisionalSeen) this.pendingCancel = headers;
    else this.sendCancel(headers);
    return true;
  }

  /** Ends every dialog of this INVITE without signalling and stops listening. */
  close(): void {
    for (const dialog of this.dialogs.values()) dialog.close();
    this.removeAllListeners();
  }

  private build(seq: number): SipRequest {
    const spec = this.spec;
    if (spec === undefined) throw new Error("the INVITE had its final response");
    const headers: HeaderList = [
      ["Max-Forwards", "70"],
      ["From", `${spec.from};tag=${this.localTag}`],
      ["To", spec.to],
      ["Call-ID", this.callId],
      ["CSeq", `${seq} INVITE`],
    ];
    for (const route of spec.routes ?? []) headers.push(["Route", route]);
    headers.push(["Contact", `<${this.ctx.contact}>`]);
    const st = this.ctx.sessionTimer;
    // RFC 3262 4 and RFC 4028 7.1: Parley supports 100rel and timer on every INVITE it sends.
    const supported = [...(spec.no100rel ? [] : ["100rel"]), ...(st.enabled ? ["timer"] : [])];
    if (supported.length > 0) headers.push(["Supported", supported.join(", ")]);
    if (st.enabled) headers.push(...uacRequestHeaders(this.sessionInterval, this.minSE));
    const { body, headers: bodyHeaders } = bodyParts(spec);
    headers.push(...this.authHeaders, ...(spec.headers ?? []), ...bodyHeaders);
    return createRequest({ method: "INVITE", uri: spec.uri, headers, body });
  }

  private sendCancel(headers: HeaderList): void {
    this.pendingCancel = undefined;
    const cancel = createCancel(this.request);
    for (const [name, value] of headers) cancel.append(name, value);
    this.ctx.transactions.sendRequest(cancel, this.destination, { onResponse: () => {} });
  }

  private onResponse(response: SipResponse): void {
    const status = response.status;
    if (status < 200) this.onProvisional(response);
    else if (status < 300) this.onSuccess(response);
    else this.onFailure(response);
  }

  private onProvisional(response: SipResponse): void {
    if (this.state !== "calling") return;
    this.provisionalSeen = true;
    if (this.pendingCancel !== undefined) this.sendCancel(this.pendingCancel);
    const tag = response.to?.tag;
    if (response.status === 100 || tag === undefined) {
      this.emit("provisional", { response, dialog: undefined });
      return;
    }
    // RFC 3261 12.1.2: a provisional with a To tag creates an early dialog, one per tag (forking).
    let dialog = this.dialogs.get(tag);
    if (dialog === undefined) dialog = this.createDialog(response, "early");
    if (dialog.state !== "early") return;
    if (hasOptionTag(response, "require", "100rel")) {
      const rseq = parseRSeq(response);
      const last = this.rseqs?.get(tag);
      // RFC 3262 4: "If the UAC receives another reliable provisional response to the same request,
      // and its RSeq value is not one higher than the value of the sequence number, that response
      // MUST NOT be acknowledged with a PRACK, and MUST NOT be processed further by the UAC."
      if (rseq === undefined || (last !== undefined && rseq !== last + 1)) return;
      this.rseqs ??= new Map();
      this.rseqs.set(tag, rseq);
      // RFC 3262 7.2: RAck carries the RSeq, then the CSeq number and method of the INVITE.
      const cseq = this.request.cseq;
      dialog
        .request("PRACK", { headers: [["RAck", `${rseq} ${cseq?.seq ?? 0} ${cseq?.method ?? "INVITE"}`]] })
        .then(undefined, (error: unknown) => this.ctx.reportError(error));
    }
    this.emit("provisional", { response, dialog });
  }

  private onSuccess(response: SipResponse): void {
    const tag = response.to?.tag ?? "";
    let dialog = this.dialogs.get(tag);
    if (dialog?.state === "confirmed") {
      // RFC 3261 13.2.2.4: a retransmission of the 2xx: the same ACK again.
      dialog.ack(this.request);
      return;
    }
    if (dialog === undefined || dialog.state === "terminated") dialog = this.createDialog(response, "early");
    this.state = "answered";
    this.pendingCancel = undefined;
    this.spec = undefined;
    dialog.confirm(response);
    // RFC 3261 13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received".
    if (!this.manualAck) dialog.ack(this.request);
    dialog.session.onUacSuccess(response);
    this.emit("answered", { response, dialog });
  }

  private onFailure(response: SipResponse): void {
    if (this.state !== "calling") return;
    const status = response.status;
    if ((status === 401 || status === 407) && this.authorize && this.authRetries < MAX_AUTH_RETRIES) {
      const headers = this.authorize(response, this.request);
      if (headers !== undefined) {
        // RFC 3261 22.2: the retry is a new transaction with the same Call-ID, From tag and the
        // next CSeq, carrying the credentials.
        this.authRetries++;
        this.authHeaders = headers;
        this.request = this.build((this.request.cseq?.seq ?? 0) + 1);
        this.send();
        return;
      }
    }
    if (response.status === 422 && this.retries422 < MAX_422_RETRIES && this.ctx.sessionTimer.enabled) {
      const raised = intervalAfter422(response, this.sessionInterval);
      if (raised !== undefined) {
        // RFC 4028 7.4: "the UAC MAY retry the request ... with Session-Expires set to the Min-SE of
        // the 422" (paraphrased); a new transaction with the next CSeq, same Call-ID and tag.
        this.retries422++;
        this.sessionInterval = raised;
        // RFC 4028 7.4: the retry also carries the Min-SE of the 422.
        this.minSE = raised;
        this.request = this.build((this.request.cseq?.seq ?? 0) + 1);
        this.send();
        return;
      }
    }
    this.state = "failed";
    this.spec = undefined;
    // RFC 3261 12.3 / 13.2.2.3: a non-2xx final response ends every early dialog of the INVITE.
    for (const dialog of this.dialogs.values()) dialog.terminate("rejected", response.status);
    this.emit("failed", { response });
  }

  /** The INVITE transaction ended: early dialogs never confirmed end with it. */
  private onTerminated(tx: ClientTransaction): void {
    if (tx !== this.transaction) return;
    for (const dialog of this.dialogs.values())
      if (dialog.state === "early") dialog.terminate("not-answered");
  }

  private createDialog(response: SipResponse, state: "early"): Dialog {
    const init = uacDialogInit(this.request, response, this.destination);
    const dialog = new Dialog(this.ctx, init, state);
    // The provider may challenge the BYE or a re-INVITE too (RFC 3261 22.2).
    dialog.authorize = this.authorize;
    if (this.request.body.length > 0) {
      dialog.rememberLocalBody(this.request.body, this.request.get("content-type"));
    }
    this.dialogs.set(dialog.remoteTag, dialog);
    this.ctx.register(dialog);
    return dialog;
  }
}

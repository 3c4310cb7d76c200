import { generateTag } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/index.js";
import type { ReceivedMessage } from "../transport/types.js";
import { Dialog } from "./dialog.js";
import { uasDialogInit } from "./dialog-init.js";
import { allowsMethod, hasOptionTag, parseRAck } from "./headers.js";
import { buildResponse, type HeaderList } from "./message-builder.js";
import { ReliableProvisionals } from "./reliable-provisionals.js";
import type { UasNegotiation } from "./session-timer-negotiation.js";
import { TypedEmitter } from "./typed-emitter.js";
import type { DialogContext, PrackReceiver, ResponseOptions } from "./types.js";

export type UasInviteState = "proceeding" | "accepting" | "accepted" | "rejected";

export interface UasInviteEvents {
  /** A PRACK acknowledged a reliable provisional (RFC 3262 3); it may carry an answer. */
  prack: { readonly request: SipRequest; readonly tx: ServerTransaction };
  /** A CANCEL ended the INVITE: 487 sent, the early dialog terminated (RFC 3261 9.2). */
  cancelled: { readonly status: 487 };
  /**
   * RFC 3262 3: no PRACK for 64*T1: the INVITE was rejected with a 5xx and the early dialog
   * ended. The B2BUA cancels the other legs.
   */
  prackTimeout: { readonly response: SipResponse };
}

export interface ProgressOptions extends ResponseOptions {
  /** Send reliably (RFC 3262); by default per the manager's policy and the INVITE's option tags. */
  readonly reliable?: boolean;
}

/**
 * The UAS side of a dialog-creating INVITE (RFC 3261 13.3): one To tag, the early dialog made by
 * the first provisional with a tag, reliable provisionals (RFC 3262), the 2xx (held until every
 * reliable provisional is PRACKed) and its retransmission, or the rejection.
 */
export class UasInvite extends TypedEmitter<UasInviteEvents> implements PrackReceiver {
  /** RFC 3261 8.2.6.2 / 19.3: the To tag of every response to this INVITE. */
  readonly localTag = generateTag();
  state: UasInviteState = "proceeding";
  /** The dialog, once a response with a tag was sent. */
  dialog: Dialog | undefined;
  /** True when provisionals go reliably by default (the INVITE asked for 100rel, RFC 3262 4). */
  readonly reliableByDefault: boolean;
  private reliable: ReliableProvisionals | undefined;
  /** Removes the early dialog's listener for a BYE before the answer. */
  private unlistenBye: (() => void) | undefined;

  constructor(
    private readonly ctx: DialogContext,
    readonly rx: ReceivedMessage,
    readonly tx: ServerTransaction,
    private readonly negotiation: UasNegotiation,
  ) {
    super(ctx.reportError);
    const requires = hasOptionTag(this.request, "require", "100rel");
    const supports = hasOptionTag(this.request, "supported", "100rel");
    // RFC 3262 3: "If the UAC ... indicated support for 100rel ... the UAS MAY send reliably"; a
    // Require leaves no choice. The policy decides for a merely supported 100rel.
    this.reliableByDefault = requires || (ctx.reliableProvisionals === "supported" && supports);
  }

  /**
   * The INVITE. Read through `rx`, whose parsed form the server transaction lets go once the
   * final response is sent (what lingers for Timer H or L is the bytes, issue 13); reading it
   * later parses it again. Copy what a call keeps of it (Call-ID, Contact, From) at the start.
   */
  get request(): SipRequest {
    return this.rx.message as SipRequest;
  }

  /** Sends a provisional (100 without tag; 101-199 create or reuse the early dialog). */
  progress(status: number, options: ProgressOptions = {}): Dialog | undefined {
    if (status < 100 || status > 199) throw new RangeError(`not a provisional status: ${status}`);
    if (this.state !== "proceeding") throw new Error(`INVITE is ${this.state}`);
    if (status === 100) {
      this.tx.respond(buildResponse(this.request, 100, options.reason, undefined, [], options));
      return undefined;
    }
    const dialog = this.ensureDialog();
    const response = buildResponse(
      this.request,
      status,
      options.reason,
      this.localTag,
      this.dialogHeaders(),
      options,
    );
    if (options.reliable ?? this.reliableByDefault) this.reliableSender().send(response);
    else this.tx.respond(response);
    return dialog;
  }

  /**
   * Sends the 2xx (RFC 3261 13.3.1.4) once every reliable provisional is acknowledged (RFC 3262 3:
   * the UAS core holds it), then retransmits it until the ACK. Returns the (soon) confirmed dialog.
   */
  accept(options: ResponseOptions = {}): Dialog {
    if (this.state !== "proceeding") throw new Error(`INVITE is ${this.state}`);
    this.state = "accepting";
    const dialog = this.ensureDialog();
    const headers = [...this.dialogHeaders(), ...dialog.session.responseHeaders(this.tx)];
    const response = buildResponse(this.request, 200, options.reason, this.localTag, headers, options);
    if (response.body.length > 0) {
      dialog.rememberLocalBody(response.body, options.contentType);
    }
    const send = (): void => {
      if (this.state !== "accepting") return;
      this.state = "accepted";
      this.reliable?.stop();
      this.reliable = undefined;
      dialog.confirm(response);
      dialog.sendInviteSuccess(this.tx, response);
      dialog.session.onUasSuccess(this.tx);
      this.leave(dialog);
    };
    if (this.reliable !== undefined) this.reliable.whenAcknowledged(send);
    else send();
    return dialog;
  }

  /**
   * Sends a final non-2xx (RFC 3261 13.3.1.3); the early dialog, if any, terminates. `stateless`:
   * sent once and nothing kept (a digest challenge, ServerTransaction.respondStateless).
   */
  reject(status: number, options: ResponseOptions & { readonly stateless?: boolean } = {}): void {
    if (status < 300 || status > 699) throw new RangeError(`not a failure status: ${status}`);
    if (this.state !== "proceeding" && this.state !== "accepting") return;
    this.state = "rejected";
    this.reliable?.stop();
    if (this.tx.state === "proceeding") {
      const response = buildResponse(this.request, status, options.reason, this.localTag, [], options);
      if (options.stateless === true) this.tx.respondStateless(response);
      else this.tx.respond(response);
    }
    this.dialog?.terminate("rejected", status);
  }

  /**
   * A CANCEL matched this INVITE (RFC 3261 9.2): "the UAS ... SHOULD respond to the INVITE with a
   * 487 (Request Terminated)" if no final response was sent. False when it came too late.
   */
  cancel(): boolean {
    if (this.state !== "proceeding" && this.state !== "accepting") return false;
    this.reject(487, { reason: "Request Terminated" });
    this.emit("cancelled", { status: 487 });
    return true;
  }

  /**
   * RFC 3262 3: "If a PRACK request is received by the UA core that does not match any
   * unacknowledged reliable provisional response, the UAS MUST respond to the PRACK with a 481
   * response. If the PRACK does match an unacknowledged reliable provisional response, it MUST be
   * responded to with a 2xx response."
   */
  receivePrack(request: SipRequest, tx: ServerTransaction): void {
    const dialog = this.dialog;
    if (dialog === undefined) return;
    const rack = parseRAck(request);
    if (rack === undefined || this.reliable === undefined || !this.reliable.matches(rack)) {
      dialog.respond(tx, 481, { reason: "Call/Transaction Does Not Exist" });
      return;
    }
    dialog.respond(tx, 200);
    this.reliable.acknowledge(rack);
    this.emit("prack", { request, tx });
  }

  /**
   * Answered: the dialog lives on without this INVITE. Every reliable provisional was PRACKed
   * before the 2xx went (RFC 3262 3), so a later PRACK matches none and the dialog answers it 481
   * itself; a BYE now ends a confirmed dialog, no longer the INVITE (RFC 3261 15.1.2).
   */
  private leave(dialog: Dialog): void {
    if (dialog.prackReceiver === this) dialog.prackReceiver = undefined;
    this.unlistenBye?.();
    this.unlistenBye = undefined;
  }

  /** RFC 3261 12.1.1: "the UAS MUST copy all Record-Route header field values from the request". */
  private dialogHeaders(): HeaderList {
    const headers: HeaderList = [];
    for (const rr of this.request.getAll("record-route")) headers.push(["Record-Route", rr]);
    headers.push(["Contact", `<${this.ctx.contact}>`]);
    return headers;
  }

  private ensureDialog(): Dialog {
    if (this.dialog !== undefined) return this.dialog;
    const dialog = new Dialog(this.ctx, uasDialogInit(this.rx, this.localTag), "early");
    dialog.prackReceiver = this;
    // RFC 3261 20.5: the caller's Allow tells whether session refreshes can use UPDATE (RFC 4028 7.4).
    dialog.peerAllowsUpdate = allowsMethod(this.request, "UPDATE");
    dialog.session.grant(this.tx, this.negotiation);
    this.unlistenBye = dialog.on("terminated", ({ cause }) => {
      // RFC 3261 15.1.2: a BYE in the early dialog; the INVITE gets 487.
      if (cause === "bye-received") this.reject(487, { reason: "Request Terminated" });
    });
    this.dialog = dialog;
    this.ctx.register(dialog);
    return dialog;
  }

  private reliableSender(): ReliableProvisionals {
    this.reliable ??= new ReliableProvisionals(
      this.ctx.clock,
      this.ctx.timers,
      this.ctx.random,
      this.request.cseq?.seq ?? 0,
      (response) => {
        if (this.tx.state === "proceeding") this.tx.respond(response);
      },
      (response) => {
        this.reject(500, { reason: "Reliable Provisional Not Acknowledged" });
        this.emit("prackTimeout", { response });
      },
    );
    return this.reliable;
  }
}

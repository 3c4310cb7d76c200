/**
 * The core: Parley's transaction user (RFC 3261 8.2, 17). It makes the UAS checks every request
 * gets, then dispatches by method to a registered handler. Handlers for REGISTER, INVITE and the
 * rest arrive with their issues; whatever has no handler yet still gets a well-formed final
 * response, never silence.
 */
import type { DialogManager } from "../dialog/dialog-manager.js";
import { createResponse, generateTag } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction, TransactionFailure, TransactionUser } from "../transaction/types.js";
import type { BadMessageContext } from "../transport/options.js";
import type { ReceivedMessage, TransportLayer } from "../transport/types.js";
import type { Logger } from "../util/logger.js";
import type { OverloadGate } from "./overload-gate.js";
import { checkRequest } from "./request-checks.js";

/** Handles one method. Must answer through `tx.respond()` (directly or later). */
export type MethodHandler = (rx: ReceivedMessage & { message: SipRequest }, tx: ServerTransaction) => void;

export interface SipCoreOptions {
  readonly transport: TransportLayer;
  readonly logger: Logger;
  /** Server header / User-Agent value. */
  readonly serverName: string;
  /** Overload control (overload-gate.ts): new work refused 503 while Parley is overloaded. */
  readonly overload?: OverloadGate;
  /** A tenant's state and limits (issue 21): a refusal answers a request before its handler. */
  readonly admission?: Admission;
}

/** The answer to refuse a request with, or undefined to let it through. */
export type Admission = (
  request: SipRequest,
  inDialog: boolean,
) => { readonly status: number; readonly reason: string } | undefined;

/** Methods answered within a dialog (RFC 3261 12.2.2, RFC 3262, RFC 3311, RFC 6086). */
const DIALOG_METHODS = ["BYE", "PRACK", "UPDATE", "INFO"] as const;

export class SipCore implements TransactionUser {
  private readonly handlers = new Map<string, MethodHandler>();
  private allowValue = "";
  /** CANCEL is the core's own (RFC 3261 9.2); the rest needs a handler. */
  private readonly handles = (method: string) => method === "CANCEL" || this.handlers.has(method);
  /** The dialog layer, once attached: it sees requests, ACKs and stray responses first. */
  private dialogs: DialogManager | undefined;
  private readonly checks = {
    handles: this.handles,
    allow: "",
  };
  /** A request with a To tag goes to its dialog, whatever its method (the dialog answers it). */
  private readonly inDialogChecks = {
    handles: () => true,
    allow: "",
  };
  private readonly serverHeader: readonly [string, string];
  /** Counters for /status and logs. */
  readonly stats = { requests: 0, rejected: 0, badMessages: 0 };

  constructor(private readonly options: SipCoreOptions) {
    this.serverHeader = ["Server", options.serverName];
    this.updateAllow();
  }

  /** Register the handler of a method; Allow follows the registered set. */
  handle(method: string, handler: MethodHandler): void {
    this.handlers.set(method, handler);
    this.updateAllow();
  }

  /**
   * Attaches the dialog layer (src/dialog): in-dialog requests, ACKs for 2xx, CANCELs of INVITEs it
   * holds and stray 2xx retransmissions go to it first. Out-of-dialog BYE, PRACK, UPDATE and INFO
   * get 481 (RFC 3261 15.1.2, 12.2.2).
   */
  useDialogs(dialogs: DialogManager): void {
    this.dialogs = dialogs;
    for (const method of DIALOG_METHODS) {
      if (this.handlers.has(method)) continue;
      this.handle(method, (rx, tx) =>
        tx.respond(this.response(rx.message, 481, "Call/Transaction Does Not Exist")),
      );
    }
  }

  /** The Allow header value: every method with a handler, plus ACK and CANCEL which the core owns. */
  get allow(): string {
    return this.allowValue;
  }

  /** A response to `request` with Parley's To tag and Server header (RFC 3261 8.2.6). */
  response(
    request: SipRequest,
    status: number,
    reason?: string,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): SipResponse {
    // RFC 3261 8.2.6.2: a UAS adds a To tag to every response except 100; one per request, so
    // retransmissions and later responses to it carry the same one.
    let toTag: string | undefined;
    if (status > 100 && !request.to?.tag) {
      toTag = request.responseTag;
      if (toTag === undefined) {
        toTag = generateTag();
        request.responseTag = toTag;
      }
    }
    // Extra headers go in at build time so Content-Length stays the last header.
    const all: Array<readonly [string, string]> = [this.serverHeader];
    for (let i = 0; i < headers.length; i++) all.push(headers[i]);
    return createResponse(request, status, reason, {
      toTag,
      headers: all,
    });
  }

  onRequest(rx: ReceivedMessage, tx: ServerTransaction): void {
    this.stats.requests++;
    const request = rx.message as SipRequest;
    const inDialog =
      this.dialogs !== undefined && request.to?.tag !== undefined && request.method !== "CANCEL";
    const rejection = checkRequest(request, inDialog ? this.inDialogChecks : this.checks);
    if (rejection) {
      this.stats.rejected++;
      this.options.logger.debug(
        { method: request.method, status: rejection.status, code: rejection.code, source: rx.source },
        "request rejected",
      );
      tx.respond(this.response(request, rejection.status, rejection.reason, rejection.headers));
      return;
    }
    if (request.method === "CANCEL") {
      this.onCancel(request, tx);
      return;
    }
    // Overloaded: new work gets 503 + Retry-After at once, sent once (RFC 3261 21.5.4).
    const retryAfter = this.options.overload?.check(request, inDialog, rx.source.address);
    if (retryAfter !== undefined) {
      tx.respondStateless(
        this.response(request, 503, "Service Unavailable", [["Retry-After", String(retryAfter)]]),
      );
      return;
    }
    const refusal = this.options.admission?.(request, inDialog);
    if (refusal !== undefined) {
      this.stats.rejected++;
      tx.respond(this.response(request, refusal.status, refusal.reason));
      return;
    }
    // The dialog layer first: a request with a To tag is in-dialog (481 when no dialog matches).
    if (inDialog && this.dialogs!.receiveRequest(rx, tx)) return;
    const handler = this.handlers.get(request.method);
    if (handler === undefined) {
      tx.respond(this.response(request, 405, "Method Not Allowed", [["Allow", this.allowValue]]));
      return;
    }
    try {
      handler(rx as ReceivedMessage & { message: SipRequest }, tx);
    } catch (err) {
      // A handler bug must not leave the peer retransmitting into silence.
      this.options.logger.error({ err, method: request.method }, "handler failed");
      if (tx.state === "trying" || tx.state === "proceeding")
        tx.respond(this.response(request, 500, "Server Internal Error"));
    }
  }

  /** RFC 3261 9.2: 200 to a CANCEL that matched an INVITE still ringing (then 487 to the INVITE); 481 otherwise. */
  private onCancel(cancel: SipRequest, tx: ServerTransaction): void {
    const target = tx.cancelTarget;
    if (!target) {
      tx.respond(this.response(cancel, 481, "Call/Transaction Does Not Exist"));
      return;
    }
    tx.respond(this.response(cancel, 200));
    // The dialog layer sends the 487 for the INVITEs it holds (and tells the call engine).
    if (this.dialogs?.receiveCancel(tx)) return;
    if (target.state === "proceeding") {
      // RFC 3261 9.2: "the UAS ... SHOULD respond to the INVITE with a 487 (Request Terminated)."
      target.respond(this.response(target.request.message as SipRequest, 487, "Request Terminated"));
    }
  }

  onAck(rx: ReceivedMessage): void {
    // RFC 3261 13.3.1.4: the ACK for a 2xx belongs to its dialog; one matching none is dropped.
    if (this.dialogs?.receiveAck(rx)) return;
    this.options.logger.debug(
      { callId: rx.message.callId, source: rx.source },
      "ACK outside any dialog ignored",
    );
  }

  onStrayResponse(rx: ReceivedMessage): void {
    // RFC 3261 13.2.2.4: a retransmitted 2xx gets its ACK again.
    if (this.dialogs?.receiveStrayResponse(rx)) return;
    this.options.logger.debug({ callId: rx.message.callId, source: rx.source }, "stray response dropped");
  }

  onServerFailure(tx: ServerTransaction, failure: TransactionFailure, error?: unknown): void {
    this.options.logger.info(
      { method: tx.method, failure, err: error, peer: tx.request.source },
      "server transaction failed",
    );
  }

  /**
   * A message the parser refused. An answerable request gets its status (400, 505, 501) with the
   * parser's reason phrase, sent statelessly; anything else is dropped (RFC 3261 16.3 / RFC 4475).
   */
  onBadMessage(ctx: BadMessageContext): void {
    this.stats.badMessages++;
    const { error } = ctx;
    this.options.logger.info(
      {
        protocol: ctx.protocol,
        source: ctx.source,
        status: error.status,
        reason: error.reason,
        code: error.code,
      },
      error.answerable ? "malformed request answered" : "malformed message dropped",
    );
    if (!error.answerable || error.message?.kind !== "request") return;
    const request = error.message;
    if (request.method === "ACK") return;
    const extra: Array<[string, string]> = error.status === 501 ? [["Allow", this.allowValue]] : [];
    const response = this.response(request, error.status, error.reason, extra);
    this.options.transport.sendResponse(response, ctx.received).catch((err: unknown) => {
      this.options.logger.debug({ err, source: ctx.source }, "could not answer a malformed request");
    });
  }

  private updateAllow(): void {
    const methods = new Set(["ACK", "CANCEL", ...this.handlers.keys()]);
    const order = [
      "INVITE",
      "ACK",
      "CANCEL",
      "BYE",
      "OPTIONS",
      "REGISTER",
      "PRACK",
      "UPDATE",
      "INFO",
      "MESSAGE",
      "REFER",
      "SUBSCRIBE",
      "NOTIFY",
      "PUBLISH",
    ];
    this.allowValue = [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(", ");
    this.checks.allow = this.allowValue;
    this.inDialogChecks.allow = this.allowValue;
  }
}

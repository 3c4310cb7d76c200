/**
 * SIP MESSAGE outside any dialog (RFC 3428, pager mode) between local users: the core's MESSAGE
 * handler. The sender is authenticated like a caller (407 before the target is looked up, so a
 * scanner learns nothing), then the message goes as a new request to every binding of the target
 * user (in-dialog MESSAGEs never come here: the dialog layer relays them within their call).
 */
import type { Authenticator } from "../auth/authenticator.js";
import { type CallStatusCode, callStatus } from "../core/status-catalogue.js";
import type { LiveBinding } from "../registrar/location-service.js";
import {
  createRequest,
  createResponse,
  generateCallId,
  generateTag,
  quoteDisplayName,
} from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { TransactionLayer } from "../transaction/index.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { Logger } from "../util/logger.js";
import { bestResponse, type FinalFailure } from "./best-response.js";
import { authenticateCaller, bindingDestination } from "./caller-auth.js";

export interface MessageRelayOptions {
  readonly transactions: Pick<TransactionLayer, "sendRequest">;
  readonly authenticator: Authenticator;
  readonly users: {
    lookup(
      domainId: number,
      name: string,
    ): Promise<{ readonly user: { readonly name: string; readonly displayName: string } } | undefined>;
  };
  readonly location: { lookup(domainId: number, user: string): readonly LiveBinding[] };
  readonly domain: { readonly id: number; readonly realm: string };
  readonly logger: Logger;
  /** Builds Parley's response to a request (SipCore.response: To tag, Server). */
  readonly response: (
    request: SipRequest,
    status: number,
    reason: string,
    headers: ReadonlyArray<readonly [string, string]>,
  ) => SipResponse;
}

type Received = ReceivedMessage & { message: SipRequest };

/** Header fields of the sender's MESSAGE copied into the relayed ones (RFC 3428 7 and 10). */
const PASSED_THROUGH = ["content-type", "content-encoding", "content-language", "subject", "date", "expires"];

export class MessageRelay {
  constructor(private readonly o: MessageRelayOptions) {}

  /** The core's MethodHandler for MESSAGE. */
  readonly handle = (rx: Received, tx: ServerTransaction): void => {
    this.process(rx, tx).catch((error: unknown) => {
      this.o.logger.error({ err: error, callId: rx.message.callId }, "MESSAGE failed");
      this.reply(tx, "internal-error");
    });
  };

  private async process(rx: Received, tx: ServerTransaction): Promise<void> {
    const request = rx.message;
    const { domain } = this.o;
    // RFC 3428 4 / RFC 3261 22.3: the sender is challenged like a caller, before any lookup.
    const auth = await authenticateCaller(this.o.authenticator, domain, rx);
    if (auth.kind === "reject") {
      this.respond(tx, auth.status, auth.reason, auth.headers);
      return;
    }
    const dialed = request.uri.user ?? "";
    const target = dialed === "" ? undefined : await this.o.users.lookup(domain.id, dialed);
    if (target === undefined) {
      this.reply(tx, "not-found");
      return;
    }
    const bindings = this.o.location.lookup(domain.id, target.user.name);
    if (bindings.length === 0) {
      this.reply(tx, "unavailable");
      return;
    }
    const sender = await this.o.users.lookup(domain.id, auth.username);
    const host = request.uri.host;
    const senderUri = `sip:${auth.username}@${host}`;
    const displayName = sender?.user.displayName ?? "";
    const from = displayName === "" ? `<${senderUri}>` : `${quoteDisplayName(displayName)} <${senderUri}>`;
    const to = `<sip:${target.user.name}@${host}>`;
    const failures: FinalFailure[] = [];
    let pending = bindings.length;
    let answered = false;
    const onFinal = (response: SipResponse): void => {
      pending--;
      if (answered) return;
      if (response.status < 300) {
        answered = true;
        // RFC 3428 7: a 2xx from the recipient's UA means the message was delivered.
        this.reply(tx, "ok");
        return;
      }
      failures.push({ status: response.status, reason: response.reason });
      if (pending > 0) return;
      // RFC 3261 16.7 step 6 (the proxy's choice among failed branches), as for a forked INVITE.
      const best = bestResponse(failures);
      this.respond(tx, best.status, best.reason);
    };
    for (const binding of bindings) {
      const message = this.build(request, binding, from, to);
      try {
        this.o.transactions.sendRequest(message, bindingDestination(binding), {
          onResponse: (response: SipResponse) => {
            if (response.status >= 200) onFinal(response);
          },
        });
      } catch (error) {
        this.o.logger.warn({ err: error, contact: binding.contactUri }, "MESSAGE not sent to a binding");
        onFinal(createResponse(message, 503, callStatus("leg-failed").reason));
      }
    }
    this.o.logger.info(
      { from: auth.username, to: target.user.name, bindings: bindings.length },
      "MESSAGE relayed",
    );
  }

  /**
   * A new request to one binding (RFC 3428 4: a MESSAGE outside a dialog establishes none, so it
   * carries a fresh Call-ID and From tag and no Contact), with the sender's body unchanged.
   */
  private build(request: SipRequest, binding: LiveBinding, from: string, to: string): SipRequest {
    const headers: Array<readonly [string, string]> = [
      ["Max-Forwards", "70"],
      ["From", `${from};tag=${generateTag()}`],
      ["To", to],
      ["Call-ID", generateCallId()],
      ["CSeq", "1 MESSAGE"],
    ];
    // RFC 3327 5: the Path of the registration becomes the preloaded route set.
    for (const route of binding.path) headers.push(["Route", route]);
    for (const name of PASSED_THROUGH) for (const value of request.getAll(name)) headers.push([name, value]);
    return createRequest({ method: "MESSAGE", uri: binding.contactUri, headers, body: request.body });
  }

  /** Answers with a status of the call catalogue. */
  private reply(tx: ServerTransaction, code: CallStatusCode): void {
    const { status, reason } = callStatus(code);
    this.respond(tx, status, reason);
  }

  private respond(
    tx: ServerTransaction,
    status: number,
    reason: string,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): void {
    if (tx.state !== "trying" && tx.state !== "proceeding") return;
    tx.respond(this.o.response(tx.request.message as SipRequest, status, reason, headers));
  }
}

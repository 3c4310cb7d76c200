/**
 * Which tenant a message on the shared SIP ports is for (issue 21). A request is bound to exactly
 * one tenant here, before any of its work starts:
 *  - a response, a retransmission, an ACK or a CANCEL: the tenant holding its transaction, else the
 *    one holding its dialog (RFC 3261 17.1.3, 17.2.3, 12.2.2);
 *  - a request inside a dialog: the tenant holding the dialog;
 *  - a new request: the tenant whose SIP domain is the Request-URI's host, else the To's (a phone
 *    that puts the server's address in the Request-URI still names its domain in To), else the
 *    tenant one of whose trunks or lines is the source;
 *  - anything else: the default tenant (a one-office install answers every host, as before).
 */
import type { SipMessage, SipRequest, SipResponse } from "../sip/types.js";
import type { ReceivedMessage } from "../transport/types.js";

/** A tenant as the router needs it. */
export interface RoutedTenant {
  readonly name: string;
  readonly sipDomain: string | undefined;
  holdsTransaction(message: SipMessage): boolean;
  holdsDialog(message: SipMessage): boolean;
  ownsPeer(source: { readonly address: string; readonly port: number }): boolean;
  /** Hands the tenant a message of the shared ports. */
  deliver(rx: ReceivedMessage): void;
}

export class TenantRouter<T extends RoutedTenant> {
  private readonly all = new Map<string, T>();
  private readonly byDomain = new Map<string, T>();
  /**
   * The domain each tenant was added under: a tenant's `sipDomain` may already read its new
   * domain when it is added again (a changed domain), so the old key is forgotten by this one.
   */
  private readonly keys = new Map<string, string>();

  constructor(private readonly fallback: () => T) {}

  add(tenant: T): void {
    this.remove(tenant.name);
    this.all.set(tenant.name, tenant);
    if (tenant.sipDomain === undefined) return;
    const key = tenant.sipDomain.toLowerCase();
    this.byDomain.set(key, tenant);
    this.keys.set(tenant.name, key);
  }

  remove(name: string): void {
    if (!this.all.delete(name)) return;
    const key = this.keys.get(name);
    this.keys.delete(name);
    if (key !== undefined && this.byDomain.get(key)?.name === name) this.byDomain.delete(key);
  }

  /** The tenant a SIP domain names, if any (the default tenant has none). */
  forDomain(host: string): T | undefined {
    return this.byDomain.get(host.toLowerCase());
  }

  route(rx: ReceivedMessage): T {
    // One tenant (the usual install): nothing to tell apart.
    if (this.all.size === 0) return this.fallback();
    const message = rx.message;
    if (message.kind === "response") return this.ofResponse(message);
    return this.ofRequest(message, rx.source);
  }

  private ofResponse(response: SipResponse): T {
    for (const t of this.all.values()) if (t.holdsTransaction(response)) return t;
    for (const t of this.all.values()) if (t.holdsDialog(response)) return t;
    return this.fallback();
  }

  private ofRequest(request: SipRequest, source: ReceivedMessage["source"]): T {
    const inDialog = request.to?.tag !== undefined;
    if (inDialog || request.method === "ACK" || request.method === "CANCEL") {
      for (const t of this.all.values()) if (t.holdsTransaction(request)) return t;
      if (inDialog) for (const t of this.all.values()) if (t.holdsDialog(request)) return t;
    }
    const named = this.forDomain(request.uri.host) ?? this.forDomain(request.to?.uri.host ?? "");
    if (named !== undefined) return named;
    for (const t of this.all.values()) if (t.ownsPeer(source)) return t;
    return this.fallback();
  }
}

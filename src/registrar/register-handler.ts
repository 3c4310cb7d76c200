/**
 * REGISTER processing (RFC 3261 10.3) over the location service: authenticate, check the
 * address-of-record, apply Contact changes atomically, answer with the current bindings.
 * Parley's policies on top of the RFC: one number, multi-devices (FEATURES.md section 2) and IP
 * address authorization.
 */
import type { Authenticator, AuthOutcome } from "../auth/authenticator.js";
import { parseUri, uriEquals } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { Logger } from "../util/logger.js";
import { type ContactChange, parseContacts } from "./contacts.js";
import type { Binding, LiveBinding, LocationService } from "./location-service.js";

export interface RegistrarDomain {
  readonly id: number;
  readonly realm: string;
}

/** What the registrar needs to know of a user (the store's UserDirectory entry satisfies it). */
export interface RegistrarUserSource {
  lookup(
    domainId: number,
    name: string,
  ): Promise<{ readonly user: { readonly multiDevice: boolean; readonly maxDevices: number } } | undefined>;
}

export interface RegistrarOptions {
  readonly location: LocationService;
  readonly authenticator: Authenticator;
  readonly users: RegistrarUserSource;
  /** The domain a request is for; undefined = not ours (RFC 3261 10.3 step 1). */
  readonly domainFor: (host: string) => RegistrarDomain | undefined;
  /** Build a response with Parley's To tag and Server header (SipCore.response). */
  readonly respond: (
    request: SipRequest,
    status: number,
    reason?: string,
    headers?: ReadonlyArray<readonly [string, string]>,
  ) => SipResponse;
  readonly now: () => number;
  readonly logger: Logger;
  readonly minExpires?: number;
  readonly maxExpires?: number;
  readonly defaultExpires?: number;
}

type Headers = Array<readonly [string, string]>;

export class RegisterHandler {
  private readonly minExpires: number;
  private readonly maxExpires: number;
  private readonly defaultExpires: number;

  constructor(private readonly o: RegistrarOptions) {
    this.minExpires = o.minExpires ?? 60;
    this.maxExpires = o.maxExpires ?? 3600;
    this.defaultExpires = o.defaultExpires ?? 3600;
  }

  /** The core's MethodHandler for REGISTER. */
  readonly handle = (rx: ReceivedMessage & { message: SipRequest }, tx: ServerTransaction): void => {
    this.process(rx).then(
      ([status, reason, headers]) => tx.respond(this.o.respond(rx.message, status, reason, headers)),
      (err: unknown) => {
        this.o.logger.error({ err, callId: rx.message.callId }, "REGISTER failed");
        tx.respond(this.o.respond(rx.message, 500, "Server Internal Error"));
      },
    );
  };

  private async process(
    rx: ReceivedMessage & { message: SipRequest },
  ): Promise<[number, string | undefined, Headers]> {
    const req = rx.message;
    // RFC 3261 10.3 step 1: the Request-URI names the domain the registrar is responsible for.
    const domain = this.o.domainFor(req.uri.host);
    if (!domain) return [404, "Domain Not Served Here", []];
    // RFC 3261 10.3 step 5: the address-of-record comes from To and must be a SIP or SIPS URI
    // (RFC 4475 3.3.4: an isbn: To is answered 400).
    const to = req.to!;
    if (to.uri.scheme !== "sip" && to.uri.scheme !== "sips")
      return [400, "Bad To header: not a SIP or SIPS URI", []];
    const user = to.uri.user;
    if (!user) return [400, "Bad To header: no user part", []];

    // RFC 3261 10.3 steps 3-4: authenticate, and the authenticated user must own the AOR.
    if (this.o.authenticator.isBanned(rx.source.address)) return [403, "Forbidden", []];
    const auth: AuthOutcome = await this.o.authenticator.authenticate({
      request: req,
      sourceAddress: rx.source.address,
      domainId: domain.id,
      realm: domain.realm,
      challenge: 401,
      claimedUser: user,
    });
    if (auth.kind === "challenge") return [auth.status, auth.reason, [...auth.headers]];
    if (auth.kind === "forbidden") return [403, auth.reason, []];
    const entry = await this.o.users.lookup(domain.id, user);
    if (!entry) return [404, "Not Found", []];

    // RFC 3261 10.3 step 6: Contact processing, all or nothing.
    const parsed = parseContacts(req, {
      defaultExpires: this.defaultExpires,
      maxExpires: this.maxExpires,
      minExpires: this.minExpires,
    });
    if (parsed.kind === "error") return [parsed.status, parsed.reason, [...(parsed.headers ?? [])]];
    const current = this.o.location.lookup(domain.id, user);
    if (parsed.kind === "fetch") return [200, "OK", this.okHeaders(req, current)];

    const plan =
      parsed.kind === "wildcard"
        ? this.planRemoveAll(req, current)
        : this.planChanges(req, rx, domain.id, user, parsed.contacts, current, entry.user);
    if ("status" in plan) return [plan.status, plan.reason, []];
    this.o.location.apply(domain.id, user, plan.remove, plan.upsert);
    const after = this.o.location.lookup(domain.id, user);
    this.o.logger.debug({ user, bindings: after.length, source: rx.source }, "registered");
    return [200, "OK", this.okHeaders(req, after)];
  }

  /** RFC 3261 10.3 step 6, Contact "*": remove every binding unless one has a newer CSeq. */
  private planRemoveAll(req: SipRequest, current: readonly LiveBinding[]) {
    for (const b of current) {
      if (b.callId === req.callId && req.cseq!.seq <= b.cseq) return outOfOrder();
    }
    return { remove: current.map((b) => b.contactUri), upsert: [] as Binding[] };
  }

  private planChanges(
    req: SipRequest,
    rx: ReceivedMessage,
    domainId: number,
    user: string,
    contacts: readonly ContactChange[],
    current: readonly LiveBinding[],
    policy: { readonly multiDevice: boolean; readonly maxDevices: number },
  ) {
    const now = this.o.now();
    const remove = new Set<string>();
    const upsert: Binding[] = [];
    let addsDevice = false;
    for (const c of contacts) {
      const uri = parseUri(c.contactUri);
      // The same device: an equal URI (RFC 3261 19.1.4) or the same RFC 5626 instance.
      const existing = current.find(
        (b) =>
          (uri !== undefined && uriEquals(b.contactUri, uri)) ||
          (c.instanceId !== undefined && b.instanceId === c.instanceId && b.regId === c.regId),
      );
      if (existing && existing.callId === req.callId && req.cseq!.seq <= existing.cseq) return outOfOrder();
      if (existing) remove.add(existing.contactUri);
      if (c.expires === 0) continue;
      if (!existing) addsDevice = true;
      upsert.push({
        domainId,
        user,
        contactUri: c.contactUri,
        q: c.q,
        expiresAt: now + c.expires * 1000,
        callId: req.callId!,
        cseq: req.cseq!.seq,
        instanceId: c.instanceId,
        regId: c.regId,
        path: req.getAll("path"),
        sourceAddress: rx.source.address,
        sourcePort: rx.source.port,
        transport: rx.protocol.toLowerCase(),
        flowId: rx.flowId,
        userAgent: req.get("user-agent"),
        updatedAt: now,
      });
    }
    for (const b of upsert) remove.delete(b.contactUri);
    const kept = current.filter(
      (b) => !remove.has(b.contactUri) && !upsert.some((u) => u.contactUri === b.contactUri),
    );
    if (addsDevice && !policy.multiDevice) {
      // One device per user without the right: the new device replaces the old binding.
      for (const b of kept) remove.add(b.contactUri);
    } else if (policy.multiDevice && kept.length + upsert.length > policy.maxDevices) {
      return { status: 403, reason: `Too many devices registered (limit ${policy.maxDevices})` };
    }
    if (!policy.multiDevice && upsert.length > 1) {
      return { status: 403, reason: "Only one device may register for this user" };
    }
    return { remove: [...remove], upsert };
  }

  /** RFC 3261 10.3 step 8: 200 with every current binding and its remaining time, and Date. */
  private okHeaders(req: SipRequest, bindings: readonly LiveBinding[]): Headers {
    const now = this.o.now();
    const headers: Headers = [];
    for (const b of bindings) {
      let v = `<${b.contactUri}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`;
      if (b.q !== undefined) v += `;q=${b.q}`;
      if (b.instanceId !== undefined) v += `;+sip.instance="${b.instanceId}"`;
      if (b.regId !== undefined) v += `;reg-id=${b.regId}`;
      headers.push(["Contact", v]);
    }
    headers.push(["Date", new Date(now).toUTCString()]);
    // RFC 3327 5.3 ("lazy" like Kamailio): echo Path when the UA said it supports it.
    const path = req.getAll("path");
    if (path.length && req.getAll("supported").some((t) => t.trim().toLowerCase() === "path")) {
      for (const p of path) headers.push(["Path", p]);
    }
    return headers;
  }
}

function outOfOrder() {
  // RFC 3261 10.3 step 7: a CSeq not higher than the stored one for the same Call-ID "MUST be
  // aborted and the request fails"; the RFC names no status, Kamailio answers 500.
  return { status: 500, reason: "Out of Order REGISTER (CSeq not higher than stored)" };
}

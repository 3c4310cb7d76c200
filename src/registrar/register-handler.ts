/**
 * REGISTER processing (RFC 3261 10.3) over the location service: authenticate, check the
 * address-of-record, apply Contact changes atomically, answer with the current bindings.
 * Parley's policies on top of the RFC: one number, multi-devices (FEATURES.md section 2) and IP
 * address authorization.
 */
import type { Authenticator, AuthOutcome } from "../auth/authenticator.js";
import { parseUri, uriEquals } from "../sip/index.js";
import type { SipRequest, SipResponse, SipUri } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { ReceivedMessage } from "../transport/types.js";
import { LogOncePerInterval } from "../util/log-once.js";
import type { Logger } from "../util/logger.js";
import { type ContactChange, parseContacts } from "./contacts.js";
import type { Binding, LiveBinding, LocationService } from "./location-service.js";

export interface RegistrarDomain {
  readonly id: number;
  readonly realm: string;
}

type DevicePolicy = { readonly multiDevice: boolean; readonly maxDevices: number };

/** What the registrar needs to know of a user (the store's UserDirectory entry satisfies it). */
export interface RegistrarUserSource {
  lookup(domainId: number, name: string): Promise<{ readonly user: DevicePolicy } | undefined>;
  /** The cached answer of `lookup` when there is one (`{ entry }`), else undefined. */
  cached(
    domainId: number,
    name: string,
  ): { readonly entry: { readonly user: DevicePolicy } | undefined } | undefined;
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
type Reply = readonly [status: number, reason: string | undefined, headers: Headers];
type Received = ReceivedMessage & { message: SipRequest };

export class RegisterHandler {
  private readonly minExpires: number;
  private readonly maxExpires: number;
  private readonly defaultExpires: number;
  /** The Date header's value and the epoch second it was formatted for. */
  private dateSecond = Number.NaN;
  private dateText = "";
  /** Refused REGISTERs (too many devices), logged once a minute per user. */
  private readonly refusals = new LogOncePerInterval(() => Date.now());

  constructor(private readonly o: RegistrarOptions) {
    this.minExpires = o.minExpires ?? 60;
    this.maxExpires = o.maxExpires ?? 3600;
    this.defaultExpires = o.defaultExpires ?? 3600;
  }

  /**
   * The core's MethodHandler for REGISTER. Answers within the same turn of the event loop when
   * the user's data is cached (the usual case); waits for the store only on a cache miss.
   */
  readonly handle = (rx: Received, tx: ServerTransaction): void => {
    let reply: Reply | Promise<Reply>;
    try {
      reply = this.process(rx);
    } catch (err) {
      this.failed(rx, tx, err);
      return;
    }
    if (reply instanceof Promise) {
      reply.then(
        (r) => this.send(rx, tx, r),
        (err: unknown) => this.failed(rx, tx, err),
      );
    } else this.send(rx, tx, reply);
  };

  private send(rx: Received, tx: ServerTransaction, [status, reason, headers]: Reply): void {
    const response = this.o.respond(rx.message, status, reason, headers);
    // A challenge keeps no transaction (issue 22): a retransmitted REGISTER is challenged again.
    if (status === 401) tx.respondStateless(response);
    else tx.respond(response);
  }

  private failed(rx: Received, tx: ServerTransaction, err: unknown): void {
    this.o.logger.error({ err, callId: rx.message.callId }, "REGISTER failed");
    tx.respond(this.o.respond(rx.message, 500, "Server Internal Error"));
  }

  private process(rx: Received): Reply | Promise<Reply> {
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
    const auth = this.o.authenticator.authenticate({
      request: req,
      sourceAddress: rx.source.address,
      domainId: domain.id,
      realm: domain.realm,
      challenge: 401,
      claimedUser: user,
    });
    if (auth instanceof Promise) return auth.then((outcome) => this.authenticated(rx, domain, user, outcome));
    return this.authenticated(rx, domain, user, auth);
  }

  private authenticated(
    rx: Received,
    domain: RegistrarDomain,
    user: string,
    auth: AuthOutcome,
  ): Reply | Promise<Reply> {
    if (auth.kind === "challenge") return [auth.status, auth.reason, [...auth.headers]];
    if (auth.kind === "forbidden") return [403, auth.reason, []];
    const hit = this.o.users.cached(domain.id, user);
    if (hit) return this.register(rx, domain.id, user, hit.entry?.user);
    return this.o.users
      .lookup(domain.id, user)
      .then((entry) => this.register(rx, domain.id, user, entry?.user));
  }

  private register(rx: Received, domainId: number, user: string, policy: DevicePolicy | undefined): Reply {
    if (!policy) return [404, "Not Found", []];
    const req = rx.message;
    // RFC 3261 10.3 step 6: Contact processing, all or nothing.
    const parsed = parseContacts(req, {
      defaultExpires: this.defaultExpires,
      maxExpires: this.maxExpires,
      minExpires: this.minExpires,
    });
    if (parsed.kind === "error") return [parsed.status, parsed.reason, [...(parsed.headers ?? [])]];
    const current = this.o.location.lookup(domainId, user);
    if (parsed.kind === "fetch") return [200, "OK", this.okHeaders(req, current)];

    const plan =
      parsed.kind === "wildcard"
        ? this.planRemoveAll(req, current)
        : this.planChanges(req, rx, domainId, user, parsed.contacts, current, policy);
    if ("status" in plan) {
      const refused = this.refusals.count(`${domainId}:${user}`);
      if (refused !== undefined)
        this.o.logger.warn(
          { user, source: rx.source, reason: plan.reason, refused },
          "REGISTER refused (logged once a minute per user)",
        );
      return [plan.status, plan.reason, []];
    }
    this.o.location.apply(domainId, user, plan.remove, plan.upsert);
    const after = this.o.location.lookup(domainId, user);
    if (this.o.logger.isLevelEnabled("debug")) {
      this.o.logger.debug({ user, bindings: after.length, source: rx.source }, "registered");
    }
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
    policy: DevicePolicy,
  ) {
    const now = this.o.now();
    const remove = new Set<string>();
    const upsert: Binding[] = [];
    let addsDevice = false;
    const path = req.getAll("path");
    const userAgent = req.get("user-agent");
    const transport = rx.protocol.toLowerCase();
    for (const c of contacts) {
      // The same device: an equal URI (RFC 3261 19.1.4) or the same RFC 5626 instance. The same
      // text is the same URI, so the usual refresh needs no URI comparison.
      const existing =
        current.find((b) => b.contactUri === c.contactUri) ?? sameDevice(current, c, parseUri(c.contactUri));
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
        path,
        sourceAddress: rx.source.address,
        sourcePort: rx.source.port,
        transport,
        flowId: rx.flowId,
        userAgent,
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

  /** RFC 1123 date of `now` (RFC 3261 20.17), formatted once per second. */
  private dateHeader(now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateText = new Date(second * 1000).toUTCString();
    }
    return this.dateText;
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
    headers.push(["Date", this.dateHeader(now)]);
    // RFC 3327 5.3 ("lazy" like Kamailio): echo Path when the UA said it supports it.
    const path = req.getAll("path");
    if (path.length && req.getAll("supported").some((t) => t.trim().toLowerCase() === "path")) {
      for (const p of path) headers.push(["Path", p]);
    }
    return headers;
  }
}

/** A binding of the same device by URI equality (RFC 3261 19.1.4) or RFC 5626 instance. */
function sameDevice(
  current: readonly LiveBinding[],
  c: ContactChange,
  uri: SipUri | undefined,
): LiveBinding | undefined {
  return current.find(
    (b) =>
      (uri !== undefined && uriEquals(b.contactUri, uri)) ||
      (c.instanceId !== undefined && b.instanceId === c.instanceId && b.regId === c.regId),
  );
}

function outOfOrder() {
  // RFC 3261 10.3 step 7: a CSeq not higher than the stored one for the same Call-ID "MUST be
  // aborted and the request fails"; the RFC names no status, Kamailio answers 500.
  return { status: 500, reason: "Out of Order REGISTER (CSeq not higher than stored)" };
}

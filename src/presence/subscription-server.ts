/**
 * The notifier side of SIP events (RFC 6665 4.2): the core's SUBSCRIBE handler and the table of
 * live subscriptions, whatever their event package. A new SUBSCRIBE is checked (Event, Contact,
 * Expires), authenticated with digest, admitted by its package, answered 200 with a dialog and
 * followed at once by a NOTIFY with the full state; SUBSCRIBEs within that dialog refresh or end
 * it. Packages tell the table when a resource changes (`notify`).
 */
import type { Authenticator } from "../auth/authenticator.js";
import type { MethodHandler } from "../core/sip-core.js";
import type { Dialog, DialogRequestEvent } from "../dialog/index.js";
import { unescapeUri } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import { LogOncePerInterval } from "../util/log-once.js";
import type { Logger } from "../util/logger.js";
import type { EventPackage } from "./event-package.js";
import { type EventHeader, negotiateExpires, parseEvent, sameEvent } from "./subscribe-request.js";
import { Subscription, type SubscriptionContext } from "./subscription.js";

type Headers = ReadonlyArray<readonly [string, string]>;
type Received = ReceivedMessage & { message: SipRequest };

export interface SubscriptionServerOptions {
  /** Makes the dialog a SUBSCRIBE creates (DialogManager). */
  readonly dialogs: { createUasDialog(rx: ReceivedMessage): Dialog };
  readonly authenticator: Authenticator;
  readonly domain: { readonly id: number; readonly realm: string };
  readonly packages: readonly EventPackage[];
  /** Builds Parley's response to an out-of-dialog request (SipCore.response: To tag, Server). */
  readonly response: (request: SipRequest, status: number, reason?: string, headers?: Headers) => SipResponse;
  readonly clock: Clock;
  /** Epoch milliseconds now (for `list()`); Date.now by default. */
  readonly now?: () => number;
  readonly logger: Logger;
  /** Shorter subscriptions get 423 (default 60 s). */
  readonly minExpires?: number;
  /** Longer ones are shortened to this (default 3600 s, the registrar's maximum). */
  readonly maxExpires?: number;
  /**
   * Subscriptions at once, in all and per subscribing user (defaults 10,000 and 100): beyond
   * them a new SUBSCRIBE is refused (503 with Retry-After; 403 for one user's excess), so a storm
   * costs bounded memory and the subscriptions already there are served.
   */
  readonly maxSubscriptions?: number;
  readonly maxPerUser?: number;
}

/** A live subscription as the API shows it. */
export interface SubscriptionView {
  readonly id: string;
  readonly domainId: number;
  /** The subscriber (authenticated user). */
  readonly user: string;
  readonly resource: string;
  readonly package: string;
  /** The subscriber's Contact (the dialog's remote target). */
  readonly contact: string;
  readonly transport: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

function resourceKey(packageName: string, domainId: number, resource: string): string {
  return `${packageName}\u0000${domainId}\u0000${resource}`;
}

export class SubscriptionServer {
  private readonly packages = new Map<string, EventPackage>();
  private readonly allowEvents: string;
  private readonly byId = new Map<string, Subscription>();
  /** Refused SUBSCRIBEs, logged once a minute per user. */
  private readonly refusals: LogOncePerInterval;
  private readonly byResource = new Map<string, Set<Subscription>>();
  private readonly minExpires: number;
  private readonly maxExpires: number;
  private readonly now: () => number;
  private nextId = 1;
  private readonly context: SubscriptionContext;
  /** Active subscriptions per subscribing user (domain and name). */
  private readonly perUser = new Map<string, number>();

  constructor(private readonly o: SubscriptionServerOptions) {
    for (const p of o.packages) this.packages.set(p.name, p);
    this.allowEvents = [...this.packages.keys()].join(", ");
    this.minExpires = o.minExpires ?? 60;
    this.maxExpires = o.maxExpires ?? 3600;
    this.now = o.now ?? Date.now;
    this.refusals = new LogOncePerInterval(() => o.clock.now());
    this.context = { clock: o.clock, logger: o.logger, ended: (s) => this.forget(s) };
  }

  /** The core's MethodHandler for SUBSCRIBE outside a dialog. */
  readonly handle: MethodHandler = (rx, tx) => {
    this.subscribe(rx, tx).catch((err: unknown) => {
      this.o.logger.error({ err, callId: rx.message.callId }, "SUBSCRIBE failed");
      this.respond(tx, 500, "Server Internal Error");
    });
  };

  /** Sends the current state to every subscriber of `resource` in `packageName`. */
  notify(packageName: string, domainId: number, resource: string): void {
    for (const s of this.subscriptionsOf(packageName, domainId, resource)) s.notify();
  }

  /** Sends the current state to every subscriber of a `packageName` resource that `test` picks. */
  notifyWhere(packageName: string, domainId: number, test: (resource: string) => boolean): void {
    for (const s of this.byId.values())
      if (s.active && s.package.name === packageName && s.domainId === domainId && test(s.resource))
        s.notify();
  }

  /** The active subscriptions to one resource. */
  subscriptionsOf(packageName: string, domainId: number, resource: string): Subscription[] {
    const set = this.byResource.get(resourceKey(packageName, domainId, resource));
    return set === undefined ? [] : [...set].filter((s) => s.active);
  }

  /** Every active subscription (the API's live view). */
  list(): SubscriptionView[] {
    const wallOffset = this.now() - this.o.clock.now();
    return [...this.byId.values()]
      .filter((s) => s.active)
      .map((s) => ({
        id: s.id,
        domainId: s.domainId,
        user: s.watcher,
        resource: s.resource,
        package: s.package.name,
        contact: s.dialog.remoteTarget,
        transport: s.source.protocol.toLowerCase(),
        sourceAddress: s.source.address,
        sourcePort: s.source.port,
        expiresAt: s.expiresAt + wallOffset,
      }));
  }

  get size(): number {
    return this.byId.size;
  }

  /** Ends every subscription without signalling (Parley stops). */
  close(): void {
    for (const s of [...this.byId.values()]) s.close();
  }

  private async subscribe(rx: Received, tx: ServerTransaction): Promise<void> {
    const request = rx.message;
    const checked = this.check(request);
    if ("status" in checked) {
      this.respond(tx, checked.status, checked.reason, checked.headers);
      return;
    }
    const { pkg, event, expires } = checked;
    const { authenticator, domain } = this.o;
    if (authenticator.isBanned(rx.source.address)) {
      this.respond(tx, 403, "Forbidden");
      return;
    }
    // RFC 6665 4.2.1.3 / RFC 3261 22: the subscriber proves who it is; Parley is the UAS here, so
    // it challenges with 401 as the registrar does. The From user is the one acting.
    const auth = await authenticator.authenticate({
      request,
      sourceAddress: rx.source.address,
      domainId: domain.id,
      realm: domain.realm,
      challenge: 401,
      claimedUser: request.from?.uri.user,
    });
    if (auth.kind === "challenge") {
      this.respond(tx, auth.status, auth.reason, auth.headers);
      return;
    }
    if (auth.kind === "forbidden") {
      this.respond(tx, 403, auth.reason);
      return;
    }
    const target = {
      domainId: domain.id,
      watcher: auth.username,
      resource: unescapeUri(request.uri.user ?? ""),
      eventlist: /(^|,)\s*eventlist\s*(,|$)/i.test(request.getAll("supported").join(",")),
    };
    const limit = this.overLimit(target.domainId, target.watcher);
    if (limit !== undefined) {
      const refused = this.refusals.count(`${target.domainId}:${target.watcher}`);
      if (refused !== undefined)
        this.o.logger.warn(
          { user: target.watcher, source: rx.source, limit: limit.reason, refused },
          "SUBSCRIBE refused (logged once a minute per user)",
        );
      this.respond(tx, limit.status, limit.reason, limit.headers);
      return;
    }
    const admission = await pkg.admit(target);
    if (!admission.ok) {
      this.respond(tx, admission.status, admission.reason, admission.headers);
      return;
    }
    if (tx.state !== "trying" && tx.state !== "proceeding") return;
    const dialog = this.o.dialogs.createUasDialog(rx);
    const subscription = new Subscription(this.context, {
      ...target,
      id: String(this.nextId++),
      package: pkg,
      event,
      dialog,
      source: { protocol: rx.protocol, address: rx.source.address, port: rx.source.port },
      expires,
    });
    this.remember(subscription);
    dialog.on("request", (e) => this.inDialog(subscription, e));
    // RFC 6665 8.3.1: 202 is deprecated; 200 accepts a subscription. The 200 carries the granted
    // duration (4.2.1.1) and, from the dialog, Parley's Contact.
    dialog.respond(tx, 200, { headers: [["Expires", String(expires)], ...(admission.headers ?? [])] });
    this.o.logger.info(
      { subscription: subscription.id, package: pkg.name, user: target.watcher, expires, source: rx.source },
      "subscription created",
    );
    // RFC 6665 4.2.1: a NOTIFY follows at once; with Expires: 0 (a fetch) it is also the last.
    if (expires === 0) subscription.end("timeout");
    else subscription.notify();
  }

  /** The checks that need no credentials: Event (489), Contact (400), Expires (400, 423). */
  private check(
    request: SipRequest,
  ):
    | { readonly pkg: EventPackage; readonly event: EventHeader; readonly expires: number }
    | { readonly status: number; readonly reason: string; readonly headers: Headers } {
    const event = parseEvent(request.get("event"));
    const pkg = event === undefined ? undefined : this.packages.get(event.name);
    if (event === undefined || pkg === undefined) return this.badEvent();
    // RFC 3261 8.1.1.8: a request that can create a dialog carries a Contact.
    if (request.nameAddrs("contact").length === 0)
      return { status: 400, reason: "Missing Contact", headers: [] };
    const expires = this.expiresFor(request, pkg);
    if ("status" in expires) return expires;
    return { pkg, event, expires: expires.expires };
  }

  /** RFC 6665 4.2.1.1: a missing or unknown package gets 489 (Bad Event), with Allow-Events. */
  private badEvent(): { status: number; reason: string; headers: Headers } {
    return { status: 489, reason: "Bad Event", headers: [["Allow-Events", this.allowEvents]] };
  }

  private expiresFor(
    request: SipRequest,
    pkg: EventPackage,
  ): { readonly expires: number } | { status: number; reason: string; headers: Headers } {
    const verdict = negotiateExpires(request.get("expires"), {
      defaultExpires: pkg.defaultExpires,
      minExpires: this.minExpires,
      maxExpires: this.maxExpires,
    });
    if (verdict.kind === "bad") return { status: 400, reason: "Bad Expires", headers: [] };
    if (verdict.kind === "too-brief") {
      return {
        status: 423,
        reason: "Interval Too Brief",
        headers: [["Min-Expires", String(verdict.minExpires)]],
      };
    }
    return { expires: verdict.expires };
  }

  /** A request within a subscription's dialog: a refresh or un-subscribe (RFC 6665 4.2.1.4, 4.1.2.3). */
  private inDialog(subscription: Subscription, { request, tx }: DialogRequestEvent): void {
    const dialog = subscription.dialog;
    if (request.method !== "SUBSCRIBE") {
      dialog.respond(tx, 405, { reason: "Method Not Allowed", headers: [["Allow", "SUBSCRIBE"]] });
      return;
    }
    const event = parseEvent(request.get("event"));
    const pkg = event === undefined ? undefined : this.packages.get(event.name);
    if (event === undefined || pkg === undefined) {
      const bad = this.badEvent();
      dialog.respond(tx, bad.status, { reason: bad.reason, headers: bad.headers });
      return;
    }
    if (!sameEvent(event, subscription.event)) {
      // NOTE: RFC 6665 4.5.2 discourages sharing a dialog between subscriptions; Parley keeps one
      // subscription per dialog and refuses a second one in it.
      dialog.respond(tx, 403, { reason: "One Subscription Per Dialog" });
      return;
    }
    if (!subscription.active) {
      dialog.respond(tx, 481, { reason: "Subscription Does Not Exist" });
      return;
    }
    const expires = this.expiresFor(request, pkg);
    if ("status" in expires) {
      // RFC 6665 4.2.1.4: a refused refresh leaves the subscription as it was.
      dialog.respond(tx, expires.status, { reason: expires.reason, headers: expires.headers });
      return;
    }
    dialog.respond(tx, 200, { headers: [["Expires", String(expires.expires)]] });
    this.o.logger.debug(
      { subscription: subscription.id, expires: expires.expires },
      expires.expires === 0 ? "un-subscribe" : "subscription refreshed",
    );
    subscription.refresh(expires.expires);
  }

  /** The refusal of one more subscription, when the total or the user's limit is reached. */
  private overLimit(
    domainId: number,
    watcher: string,
  ): { status: number; reason: string; headers: Headers } | undefined {
    if (this.byId.size >= (this.o.maxSubscriptions ?? 10_000))
      return { status: 503, reason: "Too Many Subscriptions", headers: [["Retry-After", "60"]] };
    if ((this.perUser.get(`${domainId}:${watcher}`) ?? 0) >= (this.o.maxPerUser ?? 100))
      return { status: 403, reason: "Too Many Subscriptions For This User", headers: [] };
    return undefined;
  }

  private remember(s: Subscription): void {
    this.byId.set(s.id, s);
    const user = `${s.domainId}:${s.watcher}`;
    this.perUser.set(user, (this.perUser.get(user) ?? 0) + 1);
    const key = resourceKey(s.package.name, s.domainId, s.resource);
    let set = this.byResource.get(key);
    if (set === undefined) {
      set = new Set();
      this.byResource.set(key, set);
    }
    set.add(s);
  }

  private forget(s: Subscription): void {
    if (!this.byId.delete(s.id)) return;
    const user = `${s.domainId}:${s.watcher}`;
    const count = (this.perUser.get(user) ?? 1) - 1;
    if (count > 0) this.perUser.set(user, count);
    else this.perUser.delete(user);
    const key = resourceKey(s.package.name, s.domainId, s.resource);
    const set = this.byResource.get(key);
    set?.delete(s);
    if (set?.size === 0) this.byResource.delete(key);
    this.o.logger.info(
      { subscription: s.id, package: s.package.name, user: s.watcher, reason: s.endReason ?? "dialog ended" },
      "subscription ended",
    );
  }

  private respond(tx: ServerTransaction, status: number, reason: string, headers: Headers = []): void {
    if (tx.state !== "trying" && tx.state !== "proceeding") return;
    tx.respond(this.o.response(tx.request.message as SipRequest, status, reason, headers));
  }
}

/**
 * One subscription (RFC 6665): a usage of a dialog Parley holds as notifier. It sends the NOTIFYs
 * of its resource's state one at a time, within the dialog, each with the state current when it
 * leaves (a change that arrives while one is in flight is sent after it, intermediate states are
 * skipped); it expires unless refreshed; its last NOTIFY says "terminated".
 *
 * NOTIFY failures: a 481 ends the subscription (RFC 6665 4.2.2: the subscriber no longer has it).
 * NOTE: RFC 6665 4.2.2 lets a notifier drop a subscription after a single failed NOTIFY; Parley
 * keeps it through up to MAX_FAILURES - 1 failures in a row (a lost burst, a phone rebooting) and
 * sends again on the next change or after a back-off, whichever comes first (issue 19).
 */
import type { Dialog } from "../dialog/index.js";
import type { TransportProtocol } from "../transport/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { EventPackage, PackageBody, SubscriptionTarget } from "./event-package.js";
import { type EventHeader, formatEvent } from "./subscribe-request.js";

/** Failed NOTIFYs in a row that end a subscription. */
export const MAX_FAILURES = 3;
/** The back-off before a failed NOTIFY is sent again, by failures so far (1, 2, ...), ms. */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000];

/**
 * RFC 6665 4.1.3: why a subscription ended, as the "reason" of Subscription-State: terminated.
 * "timeout": not refreshed in time, or un-subscribed (Expires: 0); "noresource": the resource is
 * gone; "deactivated": the notifier ends it (the subscriber may subscribe again at once).
 */
export type EndReason = "timeout" | "noresource" | "deactivated";

/** Where the subscriber's SUBSCRIBE came from (the NAT-observed address). */
export interface SubscriberSource {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

export interface SubscriptionInit extends SubscriptionTarget {
  readonly id: string;
  readonly package: EventPackage;
  readonly event: EventHeader;
  readonly dialog: Dialog;
  readonly source: SubscriberSource;
  /** The granted duration, seconds (0: a fetch, ended by its first NOTIFY). */
  readonly expires: number;
}

export interface SubscriptionContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The subscription is over (its final NOTIFY sent, or given up): forget it. */
  ended(subscription: Subscription): void;
}

type Outcome = "ok" | "failed" | "gone" | "skipped" | "unchanged";

export class Subscription implements SubscriptionTarget {
  readonly id: string;
  readonly domainId: number;
  readonly watcher: string;
  readonly resource: string;
  readonly package: EventPackage;
  readonly event: EventHeader;
  readonly dialog: Dialog;
  readonly source: SubscriberSource;
  readonly eventlist: boolean;
  /** When it expires, clock ms. */
  expiresAt = 0;
  /** Set once it is ending: the reason its final NOTIFY carries. */
  endReason: EndReason | undefined;
  private finished = false;
  /** A NOTIFY is in flight; `pending` says another one is due after it. */
  private sending = false;
  private pending = false;
  private failures = 0;
  private expiry: TimerHandle | undefined;
  private retry: TimerHandle | undefined;
  private readonly unlisten: () => void;
  /**
   * The next NOTIFY goes even if the package says nothing changed (the first, a refresh's, RFC
   * 6665 4.2.1.4, and a retry: the subscriber may have missed the state).
   */
  private force = true;

  constructor(
    private readonly ctx: SubscriptionContext,
    init: SubscriptionInit,
  ) {
    this.id = init.id;
    this.domainId = init.domainId;
    this.watcher = init.watcher;
    this.resource = init.resource;
    this.package = init.package;
    this.event = init.event;
    this.dialog = init.dialog;
    this.source = init.source;
    this.eventlist = init.eventlist === true;
    // The subscription counts its own NOTIFY failures; a lost one must not end the dialog.
    this.dialog.endOnTimeout = false;
    // A BYE, or a 481 to a NOTIFY: the dialog, and with it the subscription, is gone.
    this.unlisten = this.dialog.on("terminated", () => this.finish());
    this.extend(init.expires);
  }

  /** True until the subscription has ended. */
  get active(): boolean {
    return !this.finished && this.endReason === undefined;
  }

  /** Seconds left, rounded up (the "expires" of Subscription-State: active, RFC 6665 4.1.3). */
  get remainingSeconds(): number {
    return Math.max(0, Math.ceil((this.expiresAt - this.ctx.clock.now()) / 1000));
  }

  /**
   * A refresh granted `expires` seconds (RFC 6665 4.2.1.4): the timer restarts and the current
   * state goes out in a NOTIFY. 0 ends the subscription (an un-subscribe, 4.1.2.3).
   */
  refresh(expires: number): void {
    if (!this.active) return;
    if (expires === 0) {
      this.end("timeout");
      return;
    }
    this.extend(expires);
    this.force = true;
    this.notify();
  }

  /** The resource changed (or the subscription is new): send its current state. */
  notify(): void {
    if (!this.active) return;
    this.pending = true;
    this.pump();
  }

  /** Ends with a final NOTIFY "terminated;reason=<reason>" (sent after the one in flight). */
  end(reason: EndReason): void {
    if (!this.active) return;
    this.endReason = reason;
    this.expiry?.cancel();
    this.expiry = undefined;
    this.pending = true;
    this.pump();
  }

  /** Ends at once without signalling (Parley stops). Idempotent. */
  close(): void {
    this.finish();
  }

  private extend(expires: number): void {
    this.expiry?.cancel();
    this.expiresAt = this.ctx.clock.now() + expires * 1000;
    this.expiry =
      expires === 0
        ? undefined
        : this.ctx.clock.setTimer(expires * 1000, () => {
            this.expiry = undefined;
            // RFC 6665 4.2.2 / 4.1.3: a subscription not refreshed in time ends, reason "timeout".
            this.end("timeout");
          });
  }

  private pump(): void {
    if (this.finished || this.sending || !this.pending) return;
    this.pending = false;
    this.retry?.cancel();
    this.retry = undefined;
    this.sending = true;
    const final = this.endReason !== undefined;
    void this.send(final).then((outcome) => {
      this.sending = false;
      this.settle(outcome, final);
    });
  }

  /** Sends one NOTIFY with the state current now; never rejects. */
  private async send(final: boolean): Promise<Outcome> {
    let body: PackageBody | undefined;
    try {
      const mustSend = final || this.force;
      const made = await this.package.body(this, mustSend);
      if (made === null && !mustSend) return "unchanged";
      if (made !== null)
        body = typeof made === "string" ? { body: made, contentType: this.package.contentType } : made;
      this.force = false;
    } catch (err) {
      this.ctx.logger.error(
        { err, subscription: this.id, resource: this.resource },
        "event state unavailable",
      );
      // The final NOTIFY still goes (its Subscription-State is what matters); a state update waits.
      if (!final) return "skipped";
    }
    if (this.finished || this.dialog.state === "terminated") return "gone";
    const state =
      this.endReason === undefined
        ? `active;expires=${this.remainingSeconds}`
        : `terminated;reason=${this.endReason}`;
    try {
      const response = await this.dialog.request("NOTIFY", {
        headers: [
          ["Event", formatEvent(this.event)],
          ["Subscription-State", state],
          ...(body?.headers ?? []),
        ],
        ...(body === undefined ? {} : { body: body.body, contentType: body.contentType }),
      });
      if (response.status >= 200 && response.status < 300) return "ok";
      this.ctx.logger.info(
        { subscription: this.id, status: response.status, watcher: this.watcher },
        "NOTIFY failed",
      );
      return response.status === 481 ? "gone" : "failed";
    } catch (err) {
      this.ctx.logger.info({ err, subscription: this.id, watcher: this.watcher }, "NOTIFY not sent");
      return "failed";
    }
  }

  private settle(outcome: Outcome, final: boolean): void {
    if (this.finished) return;
    if (final || outcome === "gone") {
      this.finish();
      return;
    }
    if (outcome === "ok") this.failures = 0;
    if (outcome === "failed") {
      this.force = true;
      this.failures++;
      if (this.failures >= MAX_FAILURES) {
        this.ctx.logger.info(
          { subscription: this.id, watcher: this.watcher, failures: this.failures },
          "subscription dropped: its NOTIFYs keep failing",
        );
        this.finish();
        return;
      }
      if (!this.pending) {
        const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length) - 1]!;
        this.retry = this.ctx.clock.setTimer(delay, () => {
          this.retry = undefined;
          this.notify();
        });
      }
    }
    this.pump();
  }

  /** Over: timers stopped, the dialog closed (no BYE: a subscription dialog has none), forgotten. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.expiry?.cancel();
    this.retry?.cancel();
    this.expiry = undefined;
    this.retry = undefined;
    this.unlisten();
    this.dialog.close();
    this.ctx.ended(this);
  }
}

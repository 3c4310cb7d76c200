import type { SipRequest, SipResponse } from "../sip/types.js";
import type { ServerTransaction } from "../transaction/index.js";
import type { Dialog } from "./dialog.js";
import type { HeaderList } from "./message-builder.js";
import { SessionTimer, type SessionTimerUser } from "./session-timer.js";
import {
  intervalAfter422,
  negotiateAsUas,
  type UasNegotiation,
  uacOutcome,
  uacRequestHeaders,
  uasResponseHeaders,
} from "./session-timer-negotiation.js";
import type { DialogContext } from "./types.js";

/**
 * RFC 4028 for one dialog: negotiates Session-Expires on every INVITE / UPDATE it sends or
 * answers, runs the SessionTimer, sends the refresh when Parley is the refresher (UPDATE when the
 * peer allows it, else a re-INVITE with the last session description), and reports expiry.
 */
export class SessionRefresher implements SessionTimerUser {
  private readonly timer: SessionTimer;
  /**
   * What was granted to INVITE / UPDATE server transactions not yet answered with a 2xx. Made on
   * the first grant and dropped once every grant was used (issue 13: heap per active call); an
   * entry a failure response left behind goes with its transaction (weak keys).
   */
  private granted: WeakMap<ServerTransaction, UasNegotiation> | undefined;
  private grants = 0;
  /** The interval Parley asks for; raised by a 422 (RFC 4028 7.4). */
  private requested: number;
  private minSE: number;

  constructor(
    private readonly ctx: DialogContext,
    private readonly dialog: Dialog,
  ) {
    this.timer = new SessionTimer(ctx.clock, this);
    this.requested = ctx.sessionTimer.interval;
    this.minSE = ctx.sessionTimer.minSE;
  }

  get running(): boolean {
    return this.timer.running;
  }

  get interval(): number | undefined {
    return this.timer.interval;
  }

  get localRefresher(): boolean {
    return this.timer.localRefresher;
  }

  /** RFC 4028 7.1, 7.4: Supported, Session-Expires and Min-SE of an INVITE or UPDATE Parley sends. */
  requestHeaders(): HeaderList {
    if (!this.ctx.sessionTimer.enabled) return [];
    const interval = this.timer.interval ?? this.requested;
    // RFC 4028 7.4: a refresh keeps the refresher where it is; "uac" is Parley for this request.
    const refresher = this.timer.running ? (this.timer.localRefresher ? "uac" : "uas") : undefined;
    return [
      ["Supported", "timer"],
      ...uacRequestHeaders(Math.max(interval, this.requested), this.minSE, refresher),
    ];
  }

  /**
   * RFC 4028 9 for an INVITE or UPDATE received in the dialog: false when it was answered 422
   * (RFC 4028 6), true when the TU may go on.
   */
  negotiateIncoming(tx: ServerTransaction): boolean {
    const request = tx.request.message as SipRequest;
    const current = this.timer.running ? { localRefresher: this.timer.localRefresher } : undefined;
    const negotiation = negotiateAsUas(request, this.ctx.sessionTimer, current);
    if (negotiation.kind === "reject") {
      // RFC 4028 6: "the 422 response MUST contain a Min-SE header field with the minimum timer".
      this.dialog.respond(tx, 422, {
        reason: "Session Interval Too Small",
        headers: [["Min-SE", String(negotiation.minSE)]],
      });
      return false;
    }
    this.grant(tx, negotiation);
    return true;
  }

  /** Records what the negotiation granted (the initial INVITE's in UasInvite). */
  grant(tx: ServerTransaction, negotiation: UasNegotiation): void {
    this.granted ??= new WeakMap();
    if (!this.granted.has(tx)) this.grants++;
    this.granted.set(tx, negotiation);
  }

  responseHeaders(tx: ServerTransaction): HeaderList {
    const negotiation = this.granted?.get(tx);
    return negotiation === undefined ? [] : uasResponseHeaders(negotiation);
  }

  /** RFC 4028 10: Parley sent a 2xx to a session refresh: restart the timers with what it granted. */
  onUasSuccess(tx: ServerTransaction): void {
    const negotiation = this.granted?.get(tx);
    if (negotiation === undefined) return;
    this.granted?.delete(tx);
    if (--this.grants === 0) this.granted = undefined;
    if (negotiation.kind === "accept") this.start(negotiation.interval, negotiation.refresher === "uas");
  }

  /** RFC 4028 7.2, 10: a 2xx to an INVITE / UPDATE Parley sent sets or restarts the timers. */
  onUacSuccess(response: SipResponse): void {
    if (!this.ctx.sessionTimer.enabled) return;
    const outcome = uacOutcome(response);
    if (outcome !== undefined) this.start(outcome.interval, outcome.localRefresher);
    else if (this.timer.running && this.timer.localRefresher && this.timer.interval !== undefined) {
      // NOTE: a peer that never supported timer (Parley refreshes as UAS, RFC 4028 9) answers the
      // refresh without Session-Expires. The 2xx still proves the session alive: keep refreshing.
      this.start(this.timer.interval, true);
    }
  }

  /** Starts (or restarts) the session timer and reports the refresh. */
  start(interval: number, localRefresher: boolean): void {
    if (this.dialog.state === "terminated") return;
    this.timer.start(interval, localRefresher);
    this.dialog.emit("sessionRefreshed", { interval, localRefresher });
  }

  stop(): void {
    this.timer.stop();
  }

  /** SessionTimerUser: half the interval passed and Parley refreshes. */
  onRefreshDue(): void {
    this.refresh();
  }

  /** SessionTimerUser: RFC 4028 10: the session expired; the TU ends it with BYE. */
  onExpired(interval: number): void {
    this.dialog.emit("sessionExpired", { interval });
  }

  /**
   * RFC 4028 7.4 / 10: the refresher sends a session refresh: UPDATE when the peer allows it
   * (no body, no offer), else a re-INVITE carrying the last session description unchanged.
   */
  private refresh(): void {
    const dialog = this.dialog;
    if (dialog.state !== "confirmed") return;
    let sent: Promise<SipResponse>;
    if (dialog.peerAllowsUpdate) sent = dialog.request("UPDATE");
    else if (!dialog.invitePending) {
      const last = dialog.lastLocalBody;
      sent = dialog.request(
        "INVITE",
        last === undefined ? {} : { body: last.body, contentType: last.contentType },
      );
    } else {
      // RFC 3261 14.1: no re-INVITE while another INVITE is in progress: try again shortly.
      dialog.afterGlare(() => this.refresh());
      return;
    }
    sent.then(
      (response) => this.afterRefresh(response),
      (error: unknown) => this.ctx.reportError(error),
    );
  }

  private afterRefresh(response: SipResponse): void {
    if (response.status === 422) {
      // RFC 4028 7.4 / 8.1: retry with the Min-SE of the 422.
      const raised = intervalAfter422(response, this.timer.interval ?? this.requested);
      if (raised !== undefined) {
        this.requested = raised;
        this.minSE = raised;
        this.refresh();
      }
    } else if (response.status === 491) {
      // RFC 3261 14.1: glare; retry after the random delay.
      this.dialog.afterGlare(() => this.refresh());
    }
    // Anything else: the expiry timer still runs and reports sessionExpired in time.
  }
}

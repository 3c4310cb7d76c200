/**
 * One call of the back-to-back user agent (RFC 3261 6, "Back-to-Back User Agent"): the caller's
 * leg (Parley as UAS, a UasInvite) paired with one callee leg per binding rung (Parley as UAC, a
 * UacInvite each), every leg its own dialog with its own Call-ID, tags and CSeq. What crosses
 * from leg to leg is the LegPolicy. Reads like the call flow (STYLE.md, drachtio-srf):
 * ring → first 2xx wins → bridge → hang up; or every fork fails → best response.
 */
import type { ActiveCall } from "./call-view-types.js";
import type {
  Dialog,
  DialogEndCause,
  DialogManager,
  DialogRequestEvent,
  UasInvite,
} from "../dialog/index.js";
import { quoteDisplayName } from "../sip/index.js";
import type { SipMessage, SipResponse } from "../sip/types.js";
import type { NewCallRecord } from "../store/cdr-model.js";
import type { Destination } from "../transport/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import { bestResponse } from "./best-response.js";
import { type CallFacts, callRecord, callView } from "./call-views.js";
import { allowedHeaders, type LegPolicy, type SdpContext } from "./leg-policy.js";
import type { OutboundLeg } from "./outbound-leg.js";
import { type CalleeLeg, type CallOutcome, type CallParty, failureDisposition } from "./types.js";

/** RFC 3326 2: the Reason of the CANCELs sent to the forks that lost (RFC 3261 16.7 step 10). */
export const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

/** One binding to ring: its Contact, where it is really reached (NAT-observed) and its Path. */
export interface CallTarget {
  readonly uri: string;
  readonly destination: Destination;
  /** RFC 3327 5: the Path of the REGISTER becomes the Route set of requests to the binding. */
  readonly routes: readonly string[];
  /** A leg through an external line or SIP trunk (issue 5). */
  readonly outbound?: OutboundLeg;
}

export interface CallOptions {
  readonly id: string;
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  /** Wall-clock epoch milliseconds, for the CDR and the API. */
  readonly now: () => number;
  readonly policy: LegPolicy;
  /** The Allow value Parley puts on its INVITEs and in-dialog OPTIONS answers. */
  readonly allow: string;
  readonly caller: CallParty;
  readonly callee: CallParty;
  readonly dialed: string;
  /** The host of the From and To URIs Parley writes (its domain). */
  readonly host: string;
  readonly uas: UasInvite;
  readonly targets: readonly CallTarget[];
  /** Targets are tried one after another, not in parallel: an outgoing call's lines or trunks. */
  readonly sequential?: boolean;
  /** Ringing time before 480 to the caller. */
  readonly noAnswerMs: number;
  /** Longest answered duration; 0 = none. */
  readonly maxDurationMs: number;
  readonly onChange: (call: Call) => void;
  readonly onEnd: (call: Call, record: NewCallRecord) => void;
  /** A REFER on a bridged dialog (RFC 3515): `to` is the other side, the transferee. */
  readonly onRefer?: (call: Call, event: DialogRequestEvent, from: Dialog, to: Dialog) => void;
  readonly onError: (error: unknown) => void;
}

export type CallState = "ringing" | "answered" | "ending" | "ended";

export class Call {
  state: CallState = "ringing";
  readonly startedAt: number;
  answeredAt: number | undefined;
  readonly legs: CalleeLeg[] = [];
  private callerDialog: Dialog | undefined;
  private calleeDialog: Dialog | undefined;
  private callerParty: CallParty;
  private calleeParty: CallParty;
  /** The listeners each bridged dialog holds, removed when it leaves the call (transfer). */
  private readonly bridged = new Map<Dialog, Array<() => void>>();
  /** A transfer is in progress: its transferor's hang-up does not end the call (RFC 5589 6). */
  transferor: Dialog | undefined;
  private noAnswerTimer: TimerHandle | undefined;
  private durationTimer: TimerHandle | undefined;
  private lastRelayed = 0;
  private callerStatus = 0;
  /** Sequential mode: the next target, the leg ringing now and its own no-answer timer. */
  private nextTarget = 0;
  private current: CalleeLeg | undefined;
  private attemptTimer: TimerHandle | undefined;
  private lateOffer = false;
  /** Releases of the line or trunk counts held by outbound legs. */
  private readonly releases = new Map<CalleeLeg, () => void>();

  constructor(private readonly o: CallOptions) {
    this.startedAt = o.now();
    this.callerParty = o.caller;
    this.calleeParty = o.callee;
  }

  get id(): string {
    return this.o.id;
  }
  /** The party on the caller's side (changes when it is transferred away). */
  get caller(): CallParty {
    return this.callerParty;
  }
  /** The party on the callee's side: the final callee once transfers are done. */
  get callee(): CallParty {
    return this.calleeParty;
  }

  /** Rings every target in parallel (RFC 3261 16.6: parallel forking) and arms the no-answer timer. */
  start(): void {
    const { uas } = this.o;
    uas.on("cancelled", () => this.callerCancelled());
    uas.on("prackTimeout", () => this.abandon({ disposition: "failed", status: 500, reason: "No PRACK" }));
    const offer = uas.request.body;
    const lateOffer = offer.length === 0;
    this.lateOffer = lateOffer;
    if (this.o.sequential) {
      if (!this.tryNext()) return;
    } else {
      for (const target of this.o.targets) this.ring(target, lateOffer);
      if (this.legs.every((l) => l.state === "failed")) {
        this.rejectCaller();
        return;
      }
    }
    this.noAnswerTimer = this.o.clock.setTimer(this.o.noAnswerMs, () => this.noAnswer());
    this.o.onChange(this);
  }

  /**
   * Sequential mode: rings the next target (a line's chain, a trunk's failover); when every one
   * has failed, the best of their responses goes to the caller (RFC 3261 16.7 step 6).
   */
  private tryNext(): boolean {
    this.attemptTimer?.cancel();
    this.attemptTimer = undefined;
    while (this.nextTarget < this.o.targets.length) {
      const target = this.o.targets[this.nextTarget++]!;
      const leg = this.ring(target, this.lateOffer);
      if (leg.state === "failed") continue;
      this.current = leg;
      const ms = target.outbound?.noAnswerMs ?? 0;
      if (ms > 0) this.attemptTimer = this.o.clock.setTimer(ms, () => this.attemptExpired(leg));
      return true;
    }
    this.current = undefined;
    this.rejectCaller();
    return false;
  }

  /** FEATURES.md section 3: a line's no-answer timer expired: release the attempt, try the next. */
  private attemptExpired(leg: CalleeLeg): void {
    this.attemptTimer = undefined;
    if (this.state !== "ringing" || leg !== this.current) return;
    leg.state = "ending";
    leg.status = 480;
    leg.reason = "No Answer";
    leg.invite?.cancel();
    this.releaseCarrier(leg);
    this.tryNext();
  }

  private releaseCarrier(leg: CalleeLeg): void {
    const release = this.releases.get(leg);
    this.releases.delete(leg);
    release?.();
  }

  private ring(target: CallTarget, lateOffer: boolean): CalleeLeg {
    const { uas, policy, caller } = this.o;
    const request = uas.request;
    const uri = `sip:${caller.user}@${this.o.host}`;
    const leg: CalleeLeg = {
      peer: target.uri,
      invite: undefined,
      state: "calling",
      status: 0,
      reason: "",
      startedAt: this.o.now(),
    };
    let invite: CalleeLeg["invite"];
    try {
      invite = this.o.dialogs.invite({
        uri: target.uri,
        // The caller's configured display name is what the callee sees (issue 4).
        from:
          target.outbound?.from ??
          (caller.displayName === "" ? `<${uri}>` : `${quoteDisplayName(caller.displayName)} <${uri}>`),
        to: target.outbound?.to ?? `<sip:${this.o.dialed}@${this.o.host}>`,
        ...(target.outbound === undefined
          ? {}
          : { authorize: target.outbound.authorize, no100rel: target.outbound.no100rel }),
        routes: target.routes,
        destination: target.destination,
        manualAck: lateOffer,
        headers: [["Allow", this.o.allow], ...allowedHeaders(policy, (n) => request.getAll(n))],
        ...this.body(request, "caller-to-callee"),
      });
    } catch (error) {
      this.o.onError(error);
      const failed: CalleeLeg = { ...leg, state: "failed", status: 503, reason: "Service Unavailable" };
      this.legs.push(failed);
      return failed;
    }
    const live: CalleeLeg = { ...leg, invite };
    this.legs.push(live);
    if (target.outbound !== undefined) this.releases.set(live, target.outbound.acquire());
    invite.on("provisional", ({ response }) => {
      if (this.state !== "ringing" || (live.state !== "calling" && live.state !== "ringing")) return;
      if (response.status > 100 && live.state === "calling") {
        live.state = "ringing";
        this.o.onChange(this);
      }
      if (!policy.relayProvisionals.has(response.status)) return;
      const body = this.body(response, "callee-to-caller");
      // A repeated 180 without a body tells the caller nothing new.
      if (body.body === undefined && response.status === this.lastRelayed) return;
      this.lastRelayed = response.status;
      const early = uas.progress(response.status, { reason: response.reason, ...body });
      early?.once("terminated", ({ cause }) => {
        // RFC 3261 15.1.2: a BYE in the caller's early dialog ends the call like a CANCEL.
        if (cause === "bye-received" && this.state === "ringing") this.callerCancelled();
      });
    });
    invite.on("answered", ({ response, dialog }) => this.answered(live, dialog, response));
    invite.on("failed", ({ response }) => {
      live.state = "failed";
      live.status = response.status;
      live.reason = response.reason;
      live.endedAt = this.o.now();
      this.releaseCarrier(live);
      if (this.state !== "ringing") return;
      this.o.onChange(this);
      if (this.o.sequential) {
        // FEATURES.md section 3: "chain to next line on failure".
        if (live === this.current) this.tryNext();
        return;
      }
      if (this.legs.every((l) => l.state === "failed")) this.rejectCaller();
    });
    return live;
  }

  /** RFC 3261 16.7 step 10 (as a B2BUA): the first 2xx wins; the other forks are cancelled. */
  private answered(leg: CalleeLeg, dialog: Dialog, answer: SipResponse): void {
    const invite = leg.invite!;
    const late = invite.request.body.length === 0;
    if (this.state !== "ringing") {
      // Another fork answered first, or the call ended: ACK (RFC 3261 13.2.2.4) and BYE this one.
      if (late) dialog.ack(invite.request);
      dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
      return;
    }
    this.clearNoAnswer();
    const now = this.o.now();
    leg.state = "answered";
    leg.status = 200;
    leg.reason = "OK";
    leg.answeredAt = now;
    leg.dialog = dialog;
    this.state = "answered";
    this.answeredAt = now;
    for (const other of this.legs) {
      if (other === leg || other.state === "failed") continue;
      other.state = "ending";
      other.invite?.cancel(COMPLETED_ELSEWHERE);
    }
    let callerDialog: Dialog;
    try {
      callerDialog = this.o.uas.accept(this.body(answer, "callee-to-caller"));
    } catch (error) {
      this.o.onError(error);
      this.state = "ending";
      if (late) dialog.ack(invite.request);
      dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
      this.finish({ disposition: "cancelled", status: 487, reason: "Request Terminated" });
      return;
    }
    this.callerStatus = 200;
    this.callerDialog = callerDialog;
    this.calleeDialog = dialog;
    this.bridge(callerDialog, dialog, "caller-to-callee");
    this.bridge(dialog, callerDialog, "callee-to-caller");
    if (late) {
      // RFC 3261 13.2.2.4 / RFC 3264: late offer; the caller's answer comes in its ACK.
      callerDialog.once("ack", ({ request }) =>
        dialog.ack(invite.request, this.body(request, "caller-to-callee")),
      );
    }
    if (this.o.maxDurationMs > 0) {
      this.durationTimer = this.o.clock.setTimer(this.o.maxDurationMs, () => this.hangup());
    }
    this.o.onChange(this);
  }

  /** What one dialog of the bridged pair does to the other. */
  private bridge(from: Dialog, to: Dialog, direction: SdpContext["direction"]): void {
    this.bridged.set(from, [
      from.on("request", (event) => this.relay(event, from, to, direction)),
      from.on("terminated", ({ cause }) => this.dialogEnded(from, cause)),
      // RFC 3261 13.3.1.4: no ACK for the 2xx: "the session SHOULD be terminated ... with a BYE".
      from.on("ackTimeout", () => this.hangup()),
      // RFC 4028 10: no refresh before the session expired.
      from.on("sessionExpired", () => this.hangup()),
    ]);
  }

  private unbridge(dialog: Dialog): void {
    for (const remove of this.bridged.get(dialog) ?? []) remove();
    this.bridged.delete(dialog);
  }

  /** True when `dialog` is one of the two bridged dialogs of this answered call. */
  has(dialog: Dialog): boolean {
    return this.bridged.has(dialog);
  }

  /** The other bridged dialog. */
  otherSide(dialog: Dialog): Dialog | undefined {
    if (dialog === this.callerDialog) return this.calleeDialog;
    if (dialog === this.calleeDialog) return this.callerDialog;
    return undefined;
  }

  /** The host of the From and To URIs Parley writes for this call. */
  get host(): string {
    return this.o.host;
  }

  /** True when `dialog` is the caller's side. */
  isCallerSide(dialog: Dialog): boolean {
    return dialog === this.callerDialog;
  }

  /** The party on the side of `dialog`. */
  partyOf(dialog: Dialog): CallParty {
    return dialog === this.callerDialog ? this.callerParty : this.calleeParty;
  }

  /**
   * Transfer (RFC 5589): `replacement` takes the place of `old` (the transferor, which stays up
   * but leaves the call) and is bridged to the other side; `leg` joins the record.
   */
  replaceSide(old: Dialog, replacement: Dialog, party: CallParty, leg: CalleeLeg): void {
    const other = this.otherSide(old);
    if (other === undefined || this.state !== "answered") throw new Error("not a side of this call");
    const callerSide = old === this.callerDialog;
    this.unbridge(old);
    this.unbridge(other);
    if (callerSide) {
      this.callerDialog = replacement;
      this.callerParty = party;
      this.bridge(replacement, other, "caller-to-callee");
      this.bridge(other, replacement, "callee-to-caller");
    } else {
      this.calleeDialog = replacement;
      this.calleeParty = party;
      this.bridge(other, replacement, "caller-to-callee");
      this.bridge(replacement, other, "callee-to-caller");
    }
    this.legs.push(leg);
    this.o.onChange(this);
  }

  /**
   * Attended transfer (RFC 5589 7): this call gives both its dialogs away (one is replaced, the
   * other joins the transferee's call) and ends without BYE; its record says it was transferred.
   */
  release(): void {
    if (this.state !== "answered") return;
    for (const dialog of [...this.bridged.keys()]) this.unbridge(dialog);
    this.state = "ending";
    this.finish({ disposition: "answered", status: 200, reason: "Transferred" });
  }

  /** The SDP direction of a body sent toward `dialog`. */
  directionToward(dialog: Dialog): SdpContext["direction"] {
    return dialog === this.callerDialog ? "callee-to-caller" : "caller-to-callee";
  }

  /** A body through the leg policy, on its way toward `dialog` (transfer re-INVITEs). */
  bodyToward(message: SipMessage, dialog: Dialog): { body?: Buffer; contentType?: string } {
    return this.body(message, this.directionToward(dialog));
  }

  /**
   * An in-dialog request from one side: re-INVITE and UPDATE (hold, resume, codec change; RFC
   * 3261 14, RFC 3311), INFO (RFC 6086) and MESSAGE (RFC 3428) go to the other side and its final
   * answer comes back; in-dialog OPTIONS is answered here (RFC 3261 11.2).
   */
  private relay(
    event: DialogRequestEvent,
    from: Dialog,
    to: Dialog,
    direction: SdpContext["direction"],
  ): void {
    const { request, tx } = event;
    if (request.method === "REFER" && this.o.onRefer !== undefined && this.state === "answered") {
      this.o.onRefer(this, event, from, to);
      return;
    }
    if (request.method === "OPTIONS") {
      from.respond(tx, 200, {
        headers: [
          ["Allow", this.o.allow],
          ["Accept", "application/sdp"],
        ],
      });
      return;
    }
    if (!this.o.policy.relayedMethods.has(request.method)) {
      from.respond(tx, 405, { reason: "Method Not Allowed", headers: [["Allow", this.o.allow]] });
      return;
    }
    if (to.state === "terminated" || this.state !== "answered") {
      from.respond(tx, 481, { reason: "Call/Transaction Does Not Exist" });
      return;
    }
    const back: SdpContext["direction"] =
      direction === "caller-to-callee" ? "callee-to-caller" : "caller-to-callee";
    const body = this.body(request, direction);
    const out = to.createRequest(request.method, {
      ...body,
      headers: allowedHeaders(this.o.policy, (n) => request.getAll(n)),
    });
    const late = request.method === "INVITE" && body.body === undefined;
    to.send(out, { manualAck: late }).then(
      (response) => {
        if (from.state === "terminated") return;
        // A challenge from the other side is not the caller's business (RFC 3261 16.7 spirit).
        const status = response.status === 401 || response.status === 407 ? 500 : response.status;
        from.respond(tx, status, { reason: response.reason, ...this.body(response, back) });
        if (late && status >= 200 && status < 300) {
          from.once("ack", ({ request: ack }) => to.ack(out, this.body(ack, direction)));
        }
      },
      // RFC 3261 14.1: an INVITE already in progress on the other dialog: glare, 491.
      () => from.respond(tx, 491, { reason: "Request Pending" }),
    );
  }

  /**
   * A bridged dialog ended (BYE received, request failed): BYE the other one, end the call. The
   * transferor of a transfer in progress may hang up without ending it (RFC 5589 6).
   */
  private dialogEnded(dialog: Dialog, cause: DialogEndCause): void {
    if (this.state !== "answered") return;
    if (cause === "bye-sent") return;
    if (dialog === this.transferor) {
      this.unbridge(dialog);
      return;
    }
    this.hangup();
  }

  /**
   * Ends the call from Parley's side (maximum duration, ACK or session timeout, the API): BYE both
   * legs once answered, else CANCEL the forks and 480 to the caller. False when already ending.
   */
  hangup(): boolean {
    if (this.state === "ringing") {
      this.abandon({ disposition: "failed", status: 480, reason: "Call Ended By Server" });
      return true;
    }
    if (this.state !== "answered") return false;
    this.state = "ending";
    for (const dialog of [this.callerDialog, this.calleeDialog, this.transferor]) {
      if (dialog !== undefined && dialog.state !== "terminated")
        dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
    }
    this.finish({ disposition: "answered", status: 200, reason: "OK" });
    return true;
  }

  /** The caller's CANCEL (487 already sent by the dialog layer, RFC 3261 9.2). */
  private callerCancelled(): void {
    if (this.state !== "ringing") return;
    this.callerStatus = 487;
    this.cancelForks();
    this.finish({ disposition: "cancelled", status: 487, reason: "Request Terminated" });
  }

  /** The no-answer time passed: 480 to the caller, CANCEL to the forks (issue 4). */
  private noAnswer(): void {
    this.noAnswerTimer = undefined;
    this.abandon({ disposition: "no-answer", status: 480, reason: "No Answer" });
  }

  /** Gives up ringing: CANCEL every fork, the outcome's failure to the caller. */
  private abandon(outcome: CallOutcome): void {
    if (this.state !== "ringing") return;
    this.cancelForks();
    this.callerStatus = outcome.status;
    this.o.uas.reject(outcome.status, { reason: outcome.reason });
    this.finish(outcome);
  }

  /** RFC 3261 16.7 step 6: every fork failed; the best of their responses goes to the caller. */
  private rejectCaller(): void {
    const best = bestResponse(this.legs.map((l) => ({ status: l.status, reason: l.reason })));
    this.callerStatus = best.status;
    this.o.uas.reject(best.status, { reason: best.reason });
    this.finish({ disposition: failureDisposition(best.status), ...best });
  }

  private cancelForks(): void {
    for (const leg of this.legs) {
      if (leg.state === "failed" || leg.state === "answered") continue;
      leg.state = "ending";
      leg.invite?.cancel();
    }
  }

  private clearNoAnswer(): void {
    this.noAnswerTimer?.cancel();
    this.noAnswerTimer = undefined;
    this.attemptTimer?.cancel();
    this.attemptTimer = undefined;
  }

  private finish(outcome: CallOutcome): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.clearNoAnswer();
    this.durationTimer?.cancel();
    for (const leg of [...this.releases.keys()]) this.releaseCarrier(leg);
    this.o.onEnd(this, this.record(outcome));
  }

  /** A message's body through the SDP hook, with its Content-Type (nothing when it has none). */
  private body(
    message: SipMessage,
    direction: SdpContext["direction"],
  ): { body?: Buffer; contentType?: string } {
    if (message.body.length === 0) return {};
    const body = this.o.policy.sdp(message.body, { callId: this.o.id, direction });
    return { body, contentType: message.get("content-type") ?? "application/sdp" };
  }

  /** The live view for GET /api/v1/calls. */
  view(): ActiveCall {
    return callView(this.facts());
  }

  /** The call detail record (store/cdr-model.ts). */
  private record(outcome: CallOutcome): NewCallRecord {
    return callRecord(this.facts(), outcome, this.o.now());
  }

  private facts(): CallFacts {
    return {
      id: this.o.id,
      state: this.state,
      caller: this.o.caller,
      callerParty: this.callerParty,
      calleeParty: this.calleeParty,
      dialed: this.o.dialed,
      callerRequest: this.o.uas.request,
      callerStatus: this.callerStatus,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      legs: this.legs,
    };
  }
}

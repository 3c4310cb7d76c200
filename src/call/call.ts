/**
 * One call of the back-to-back user agent (RFC 3261 6, "Back-to-Back User Agent"): the caller's
 * leg (Parley as UAS, a UasInvite) paired with the callee legs a fork rings (Parley as UAC, a
 * UacInvite each), every leg its own dialog with its own Call-ID, tags and CSeq. What crosses
 * from leg to leg is the LegPolicy. Reads like the call flow (STYLE.md, drachtio-srf):
 * fork → first 2xx wins → bridge → hang up; or the fork fails → a service may ring other targets
 * (busy / no answer / unreachable) → else the best response to the caller.
 */
import { callStatus } from "../core/status-catalogue.js";
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
import type { Clock, TimerHandle } from "../util/clock.js";
import { CallBridge } from "./call-bridge.js";
import type { CallEventSink, CallSubject } from "./call-events.js";
import type { ActiveCall } from "./call-view-types.js";
import { type CallFacts, callRecord, callView } from "./call-views.js";
import { Fork, type ForkResult } from "./fork.js";
import { allowedHeaders, type LegPolicy, type SdpContext } from "./leg-policy.js";
import {
  type CalleeLeg,
  type CallOutcome,
  type CallParty,
  type CallTarget,
  failureDisposition,
  type TargetSet,
} from "./types.js";

export { COMPLETED_ELSEWHERE } from "./fork.js";
export type { CallTarget } from "./types.js";

/** A fork that failed: why, for the busy / no-answer / unreachable detection points. */
export type Unanswered = Extract<ForkResult, { kind: "failed" }>;

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
  readonly dialed: string;
  /** The host of the From and To URIs Parley writes (its domain). */
  readonly host: string;
  readonly uas: UasInvite;
  /** The first targets to ring (the "resolve targets" stage's result). */
  readonly targets: TargetSet;
  /** Longest answered duration; 0 = none. */
  readonly maxDurationMs: number;
  readonly events: CallEventSink;
  /**
   * The fork failed (busy, no answer, unreachable): other targets to ring instead (a service at
   * that detection point), or undefined for the failure to reach the caller.
   */
  readonly onUnanswered?: (call: Call, failure: Unanswered) => Promise<TargetSet | undefined>;
  /** A REFER on a bridged dialog (RFC 3515): `to` is the other side, the transferee. */
  readonly onRefer?: (call: Call, event: DialogRequestEvent, from: Dialog, to: Dialog) => void;
  readonly onError: (error: unknown) => void;
}

export type CallState = "ringing" | "answered" | "ending" | "ended";

export class Call implements CallSubject {
  state: CallState = "ringing";
  readonly startedAt: number;
  answeredAt: number | undefined;
  /** Every callee leg rung, across forks, for the CDR. */
  readonly legs: CalleeLeg[] = [];
  private callerParty: CallParty;
  private calleeParty: CallParty;
  /** The caller's INVITE transaction until it is answered or rejected (then dropped). */
  private uas: UasInvite | undefined;
  /** What the CDR and live view keep of the caller's INVITE. */
  private readonly callerPeer: string;
  private readonly callerCallId: string;
  private fork: Fork | undefined;
  private bridge: CallBridge | undefined;
  /** A transfer is in progress: its transferor's hang-up does not end the call (RFC 5589 6). */
  transferor: Dialog | undefined;
  private durationTimer: TimerHandle | undefined;
  private lastRelayed = 0;
  private callerStatus = 0;
  private readonly lateOffer: boolean;

  private readonly o: Omit<CallOptions, "uas">;

  constructor(options: CallOptions) {
    const { uas, ...o } = options;
    this.o = o;
    this.startedAt = o.now();
    this.callerParty = o.caller;
    this.calleeParty = o.targets.callee;
    this.uas = uas;
    const request = uas.request;
    this.callerPeer = request.get("contact") ?? request.from?.uri.raw ?? "";
    this.callerCallId = request.callId ?? "";
    this.lateOffer = request.body.length === 0;
  }

  get id(): string {
    return this.o.id;
  }
  get dialed(): string {
    return this.o.dialed;
  }
  /** The party on the caller's side (changes when it is transferred away). */
  get caller(): CallParty {
    return this.callerParty;
  }
  /** The party on the callee's side: the final callee once transfers are done. */
  get callee(): CallParty {
    return this.calleeParty;
  }
  /** The host of the From and To URIs Parley writes for this call. */
  get host(): string {
    return this.o.host;
  }

  /** Rings the first targets and listens for the caller giving up. */
  start(): void {
    const uas = this.uas!;
    uas.on("cancelled", () => this.callerCancelled());
    uas.on("prackTimeout", () => this.abandon({ disposition: "failed", ...callStatus("no-prack") }));
    this.ring(this.o.targets);
  }

  /** Starts a fork over `set`; its result comes back through forkSettled. */
  private ring(set: TargetSet): void {
    const fork = new Fork({
      targets: set.targets,
      mode: set.mode,
      clock: this.o.clock,
      now: this.o.now,
      noAnswerMs: set.noAnswerMs,
      legs: this.legs,
      invite: (target) => this.invite(target, set.callee),
      onProvisional: (_leg, response) => this.relayProvisional(response),
      onLegChange: (leg) =>
        this.o.events(leg.state === "failed" ? "legFailed" : "ringing", { call: this, leg }),
      onSettled: (result) => this.forkSettled(result),
      onError: this.o.onError,
    });
    this.fork = fork;
    fork.start();
  }

  private invite(target: CallTarget, callee: CallParty) {
    const request = this.uas!.request;
    const { caller } = this.o;
    const uri = `sip:${caller.user}@${this.o.host}`;
    return this.o.dialogs.invite({
      uri: target.uri,
      // The caller's configured display name is what the callee sees (issue 4).
      from:
        target.outbound?.from ??
        (caller.displayName === "" ? `<${uri}>` : `${quoteDisplayName(caller.displayName)} <${uri}>`),
      to: target.outbound?.to ?? `<sip:${this.toUser(callee)}@${this.o.host}>`,
      ...(target.outbound === undefined
        ? {}
        : { authorize: target.outbound.authorize, no100rel: target.outbound.no100rel }),
      routes: target.routes,
      destination: target.destination,
      manualAck: this.lateOffer,
      headers: [["Allow", this.o.allow], ...allowedHeaders(this.o.policy, (n) => request.getAll(n))],
      ...this.body(request, "caller-to-callee"),
    });
  }

  /** The To user of a callee leg: the number dialled for the first targets, then the new callee's. */
  private toUser(callee: CallParty): string {
    return callee === this.o.targets.callee ? this.o.dialed : callee.user;
  }

  /** RFC 3261 13.3.1.1: 180 and 183 (with their early media) reach the caller. */
  private relayProvisional(response: SipResponse): void {
    const uas = this.uas;
    if (this.state !== "ringing" || uas === undefined) return;
    if (!this.o.policy.relayProvisionals.has(response.status)) return;
    const body = this.body(response, "callee-to-caller");
    // A repeated 180 without a body tells the caller nothing new.
    if (body.body === undefined && response.status === this.lastRelayed) return;
    this.lastRelayed = response.status;
    const early = uas.progress(response.status, { reason: response.reason, ...body });
    early?.once("terminated", ({ cause }) => {
      // RFC 3261 15.1.2: a BYE in the caller's early dialog ends the call like a CANCEL.
      if (cause === "bye-received" && this.state === "ringing") this.callerCancelled();
    });
  }

  private forkSettled(result: ForkResult): void {
    if (this.state !== "ringing") return;
    if (result.kind === "answered") {
      this.answered(result.leg, result.dialog, result.response, result.invite.request.body.length === 0);
      return;
    }
    const next = this.o.onUnanswered?.(this, result);
    if (next === undefined) {
      this.rejectCaller(result);
      return;
    }
    next.then(
      (set) => {
        if (this.state !== "ringing" || this.uas?.state !== "proceeding") return;
        if (set === undefined || set.targets.length === 0) {
          this.rejectCaller(result);
          return;
        }
        const before = this.calleeParty;
        this.calleeParty = set.callee;
        this.o.events("retargeted", { call: this, before, after: set.callee });
        this.ring(set);
      },
      (error: unknown) => {
        this.o.onError(error);
        if (this.state === "ringing") this.rejectCaller(result);
      },
    );
  }

  /** The fork's winner answered: accept the caller's INVITE with its answer and bridge them. */
  private answered(leg: CalleeLeg, dialog: Dialog, answer: SipResponse, late: boolean): void {
    const invite = leg.invite!;
    const now = this.o.now();
    this.state = "answered";
    this.answeredAt = now;
    let callerDialog: Dialog;
    try {
      callerDialog = this.uas!.accept(this.body(answer, "callee-to-caller"));
    } catch (error) {
      this.o.onError(error);
      this.state = "ending";
      if (late) dialog.ack(invite.request);
      dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
      this.finish({ disposition: "cancelled", ...callStatus("request-terminated") });
      return;
    }
    this.uas = undefined;
    this.callerStatus = 200;
    this.bridge = new CallBridge(this.bridgeHost(), callerDialog, dialog);
    if (late) {
      // RFC 3261 13.2.2.4 / RFC 3264: late offer; the caller's answer comes in its ACK.
      callerDialog.once("ack", ({ request }) => {
        dialog.ack(invite.request, this.body(request, "caller-to-callee"));
        leg.invite = undefined;
      });
    } else {
      leg.invite = undefined;
    }
    if (this.o.maxDurationMs > 0) {
      this.durationTimer = this.o.clock.setTimer(this.o.maxDurationMs, () => this.hangup());
    }
    this.o.events("answered", { call: this });
  }

  private bridgeHost() {
    return {
      policy: this.o.policy,
      allow: this.o.allow,
      isAnswered: () => this.state === "answered",
      body: (message: SipMessage, direction: SdpContext["direction"]) => this.body(message, direction),
      ...(this.o.onRefer === undefined
        ? {}
        : {
            refer: (event: DialogRequestEvent, from: Dialog, to: Dialog) =>
              this.o.onRefer?.(this, event, from, to),
          }),
      sideEnded: (dialog: Dialog, cause: DialogEndCause) => this.sideEnded(dialog, cause),
      hangup: () => this.hangup(),
      held: (from: Dialog, held: boolean) =>
        this.o.events("held", { call: this, by: this.partyOf(from), held }),
      onError: this.o.onError,
    };
  }

  /** True when `dialog` is one of the two bridged dialogs of this answered call. */
  has(dialog: Dialog): boolean {
    return this.bridge?.has(dialog) ?? false;
  }

  /** The other bridged dialog. */
  otherSide(dialog: Dialog): Dialog | undefined {
    return this.bridge?.otherSide(dialog);
  }

  /** True when `dialog` is the caller's side. */
  isCallerSide(dialog: Dialog): boolean {
    return this.bridge?.isCallerSide(dialog) ?? false;
  }

  /** The party on the side of `dialog`. */
  partyOf(dialog: Dialog): CallParty {
    return this.isCallerSide(dialog) ? this.callerParty : this.calleeParty;
  }

  /**
   * Transfer (RFC 5589): `replacement` takes the place of `old` (the transferor, which stays up
   * but leaves the call) and is bridged to the other side; `leg` joins the record.
   */
  replaceSide(old: Dialog, replacement: Dialog, party: CallParty, leg: CalleeLeg): void {
    const bridge = this.bridge;
    if (bridge === undefined || !bridge.has(old) || this.state !== "answered")
      throw new Error("not a side of this call");
    const callerSide = bridge.replace(old, replacement);
    const before = callerSide ? this.callerParty : this.calleeParty;
    if (callerSide) this.callerParty = party;
    else this.calleeParty = party;
    this.legs.push(leg);
    this.o.events("transferred", {
      call: this,
      before,
      after: party,
      side: callerSide ? "caller" : "callee",
    });
  }

  /**
   * Attended transfer (RFC 5589 7): this call gives both its dialogs away (one is replaced, the
   * other joins the transferee's call) and ends without BYE; its record says it was transferred.
   */
  release(): void {
    if (this.state !== "answered") return;
    this.bridge?.unlinkAll();
    this.state = "ending";
    this.finish({ disposition: "answered", ...callStatus("transferred") });
  }

  /** The SDP direction of a body sent toward `dialog`. */
  directionToward(dialog: Dialog): SdpContext["direction"] {
    return this.bridge?.directionToward(dialog) ?? "caller-to-callee";
  }

  /** A body through the leg policy, on its way toward `dialog` (transfer re-INVITEs). */
  bodyToward(message: SipMessage, dialog: Dialog): { body?: Buffer; contentType?: string } {
    return this.body(message, this.directionToward(dialog));
  }

  /**
   * A bridged dialog ended (BYE received, request failed): BYE the other one, end the call. The
   * transferor of a transfer in progress may hang up without ending it (RFC 5589 6).
   */
  private sideEnded(dialog: Dialog, cause: DialogEndCause): void {
    if (this.state !== "answered") return;
    if (cause === "bye-sent") return;
    if (dialog === this.transferor) {
      this.bridge?.unlink(dialog);
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
      this.abandon({ disposition: "failed", ...callStatus("ended-by-server") });
      return true;
    }
    if (this.state !== "answered") return false;
    this.state = "ending";
    const bridge = this.bridge;
    for (const dialog of [bridge?.callerDialog, bridge?.calleeDialog, this.transferor]) {
      if (dialog !== undefined && dialog.state !== "terminated")
        dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
    }
    this.finish({ disposition: "answered", ...callStatus("ok") });
    return true;
  }

  /** The caller's CANCEL (487 already sent by the dialog layer, RFC 3261 9.2). */
  private callerCancelled(): void {
    if (this.state !== "ringing") return;
    this.callerStatus = 487;
    this.uas = undefined;
    this.fork?.abort();
    this.finish({ disposition: "cancelled", ...callStatus("request-terminated") });
  }

  /** Gives up ringing: CANCEL every fork, the outcome's failure to the caller. */
  private abandon(outcome: CallOutcome): void {
    if (this.state !== "ringing") return;
    this.fork?.abort();
    this.callerStatus = outcome.status;
    this.uas?.reject(outcome.status, { reason: outcome.reason });
    this.uas = undefined;
    this.finish(outcome);
  }

  /** RFC 3261 16.7 step 6: the fork failed; its best response goes to the caller. */
  private rejectCaller(failure: Unanswered): void {
    const { status, reason } = failure;
    this.callerStatus = status;
    this.uas?.reject(status, { reason });
    this.uas = undefined;
    this.finish({ disposition: failureDisposition(status), status, reason });
  }

  private finish(outcome: CallOutcome): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.durationTimer?.cancel();
    this.fork?.abort();
    this.fork?.releaseAll();
    this.o.events("ended", { call: this, record: this.record(outcome) });
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
      callerPeer: this.callerPeer,
      callerCallId: this.callerCallId,
      callerStatus: this.callerStatus,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      legs: this.legs,
    };
  }
}

/**
 * One call of the back-to-back user agent (RFC 3261 6, "Back-to-Back User Agent"): the caller's
 * leg (Parley as UAS, a UasInvite) paired with the callee legs a fork rings (Parley as UAC, a
 * UacInvite each), every leg its own dialog with its own Call-ID, tags and CSeq. What crosses
 * from leg to leg is the LegPolicy. Reads like the call flow (STYLE.md, drachtio-srf):
 * fork → first 2xx wins → bridge → hang up; or the fork fails → a service may ring other targets
 * (busy / no answer / unreachable) → else the best response to the caller.
 */
import { callStatus } from "../core/status-catalogue.js";
import type { Dialog, DialogEndCause, UasInvite } from "../dialog/index.js";
import { ownCopy } from "../sip/index.js";
import type { SipMessage, SipResponse } from "../sip/types.js";
import type { HangupCause } from "../store/cdr-model.js";
import type { TimerHandle } from "../util/clock.js";
import { type BridgeHost, CallBridge } from "./call-bridge.js";
import { callBridgeHost } from "./call-bridge-host.js";
import type { CallSubject } from "./call-events.js";
import { callFork } from "./call-fork.js";
import type { CallOptions } from "./call-options.js";
import type { ActiveCall } from "./call-view-types.js";
import { type CallFacts, callerPeerUri, callRecord, callView } from "./call-views.js";
import { type HandOffRequest, handOffFrom } from "./endpoint-handoff.js";
import { answerWithEndpoint } from "./endpoint-leg.js";
import { COMPLETED_ELSEWHERE, type Fork, type ForkResult } from "./fork.js";
import { leavingCause, NO_PRACK, sideCause } from "./hangup-cause.js";
import { dialogLocal, receivedOn } from "./leg-address.js";
import { bodyToCaller, bodyToDialog, bodyToTarget, type LegBody } from "./leg-bodies.js";
import type { EndpointTarget, FinalStatus, MediaEndpoint } from "./media-endpoint.js";
import { ProvisionalRelay } from "./provisional-relay.js";
import { type SideFates, SideLegs } from "./side-legs.js";
import {
  type CalleeLeg,
  type CallOutcome,
  type CallParty,
  calleeOf,
  failureDisposition,
  type NextHop,
  newLeg,
  type TargetSet,
} from "./types.js";
import { unansweredHop } from "./unanswered-hop.js";

export type { CallOptions, Unanswered } from "./call-options.js";
export type { CallTarget } from "./types.js";

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
  /** The answered leg's line or trunk count, released when the call ends. */
  private carrierReleases: Array<() => void> = [];
  private bridge: CallBridge | undefined;
  /** The sides talking to Parley's media: an endpoint's caller, or sides moved off the bridge. */
  private sides: SideLegs | undefined;
  /** An endpoint not yet answered (early media plays): closed if the call ends first. */
  private pendingEndpoint: MediaEndpoint | undefined;
  /** A transfer is in progress: its transferor's hang-up does not end the call (RFC 5589 6). */
  transferor: Dialog | undefined;
  private durationTimer: TimerHandle | undefined;
  private readonly provisionals = new ProvisionalRelay({
    relays: () => this.o.policy.relayProvisionals,
    uas: () => this.uas,
    ringing: () => this.state === "ringing",
    body: (response) => bodyToCaller(this.o, response, this.uas?.rx),
    callerLeft: () => this.callerCancelled(),
  });
  private callerStatus = 0;

  private readonly o: Omit<CallOptions, "uas">;

  constructor(options: CallOptions) {
    const { uas, ...o } = options;
    this.o = o;
    this.startedAt = o.now();
    this.callerParty = o.caller;
    this.calleeParty = calleeOf(o.first);
    this.uas = uas;
    const request = uas.request;
    // Own copies: a slice of the INVITE's text would keep the whole message alive for the call.
    this.callerPeer = ownCopy(callerPeerUri(request));
    this.callerCallId = ownCopy(request.callId ?? "");
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
    uas.on("prackTimeout", () => this.abandon(NO_PRACK));
    this.proceed(this.o.first);
  }

  private proceed(next: NextHop): void {
    if (next.kind === "ring") this.ring(next.set);
    else this.connectEndpoint(next.target);
  }

  /** Starts a fork over `set` (call-fork.ts); its result comes back through forkSettled. */
  private ring(set: TargetSet): void {
    const request = this.uas!.request;
    const uas = this.uas;
    const fork = callFork(
      {
        ...this.o,
        request,
        body: (target) => bodyToTarget(this.o, request, target.destination),
        progress: (status, options) => {
          if (uas?.state === "proceeding") uas.progress(status, options);
        },
        legs: this.legs,
        onProvisional: (response) => this.provisionals.relay(response),
        onLegChange: (leg) =>
          this.o.events(leg.state === "failed" ? "legFailed" : "ringing", { call: this, leg }),
        onSettled: (result) => this.forkSettled(result),
      },
      set,
    );
    this.fork = fork;
    fork.start();
  }

  private forkSettled(result: ForkResult): void {
    if (this.state !== "ringing") return;
    if (result.kind === "answered") {
      // Once answered the fork is not needed: keep only the line or trunk count it held.
      this.carrierReleases = this.fork?.detachReleases() ?? [];
      this.fork = undefined;
      this.answered(result.leg, result.dialog, result.response, result.invite.request.body.length === 0);
      return;
    }
    const next = this.o.onUnanswered?.(this, result);
    if (next === undefined) {
      this.rejectCaller(result);
      return;
    }
    next.then(
      (hop) => {
        const action = unansweredHop(
          hop,
          result,
          this.state === "ringing" && this.uas?.state === "proceeding",
        );
        if (action.kind === "go") this.retarget(action.hop);
        else if (action.kind === "refuse") this.rejectCaller(action.with);
        else action.close?.close().then(undefined, this.o.onError);
      },
      (error: unknown) => {
        this.o.onError(error);
        if (this.state === "ringing") this.rejectCaller(result);
      },
    );
  }

  /** A ringing call goes elsewhere (the fork failed and a service chose, or a pick-up). */
  private retarget(hop: NextHop): void {
    const before = this.calleeParty;
    this.calleeParty = calleeOf(hop);
    this.o.events("retargeted", { call: this, before, after: this.calleeParty });
    this.proceed(hop);
  }

  /** Pick-up: the ringing devices see CANCEL (RFC 3326 Reason) and `target` answers the caller. */
  pickUp(target: EndpointTarget): boolean {
    if (this.state !== "ringing" || this.uas?.state !== "proceeding") return false;
    this.fork?.abort(COMPLETED_ELSEWHERE);
    this.fork = undefined;
    this.retarget({ kind: "endpoint", target });
    return true;
  }

  /** The fork's winner (a group member becomes the callee) answered: accept the caller and bridge. */
  private answered(leg: CalleeLeg, dialog: Dialog, answer: SipResponse, late: boolean): void {
    const invite = leg.invite!;
    this.state = "answered";
    const before = this.calleeParty;
    this.calleeParty = leg.party ?? before;
    if (leg.party !== undefined) this.o.events("retargeted", { call: this, before, after: leg.party });
    let callerDialog: Dialog;
    try {
      callerDialog = this.uas!.accept(bodyToCaller(this.o, answer, this.uas?.rx));
    } catch (error) {
      this.o.onError(error);
      this.state = "ending";
      if (late) dialog.ack(invite.request);
      dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
      this.finish({ disposition: "cancelled", ...callStatus("request-terminated"), cause: "error" });
      return;
    }
    this.bridge = new CallBridge(this.bridgeHost(), callerDialog, dialog);
    if (late) {
      // RFC 3261 13.2.2.4 / RFC 3264: late offer; the caller's answer comes in its ACK.
      callerDialog.once("ack", ({ request }) => {
        dialog.ack(invite.request, bodyToDialog(this.o, request, "caller-to-callee", dialog));
        leg.invite = undefined;
      });
    } else {
      leg.invite = undefined;
    }
    this.connected();
  }

  /** The caller's INVITE was answered (by a callee or an endpoint): the call is up. */
  private connected(): void {
    this.uas = undefined;
    this.callerStatus = 200;
    this.state = "answered";
    this.answeredAt = this.o.now();
    if (this.o.maxDurationMs > 0) {
      this.durationTimer = this.o.clock.setTimer(this.o.maxDurationMs, () => this.hangup("max-duration"));
    }
    this.o.events("answered", { call: this });
  }

  /** The caller is answered by a media endpoint (RFC 3264: the endpoint's answer in the 200). */
  private connectEndpoint(target: EndpointTarget): void {
    const { endpoint } = target;
    const uas = this.uas;
    if (uas === undefined || this.state !== "ringing") {
      endpoint.close().then(undefined, this.o.onError);
      return;
    }
    const leg = newLeg(endpoint.peer, this.o.now());
    // Parley's media takes part in the caller's own dialog: the leg's SIP call is the caller's.
    leg.callId = uas.request.callId ?? "";
    this.legs.push(leg);
    this.pendingEndpoint = endpoint;
    const local = receivedOn(this.o.addressing, uas.rx)?.();
    answerWithEndpoint(uas, endpoint, () => this.state === "ringing", local).then(
      (result) => {
        this.pendingEndpoint = undefined;
        if (result === undefined) return; // the caller gave up meanwhile
        if (!result.ok) {
          Object.assign(leg, { state: "failed", status: result.status, reason: result.reason });
          this.rejectCaller(result, result.headers);
          return;
        }
        Object.assign(leg, { state: "answered", ...callStatus("ok"), answeredAt: this.o.now() });
        // The caller's one side talks to the endpoint (side-legs.ts); its end is the call's.
        this.sideLegs().attach(result.dialog, endpoint, this.callerParty);
        this.connected();
      },
      (error: unknown) => {
        this.o.onError(error);
        this.abandon({ disposition: "failed", ...callStatus("internal-error"), cause: "error" });
      },
    );
  }

  private bridgeHost(): BridgeHost {
    return callBridgeHost(this, this.o, {
      body: (message, direction, toward) => bodyToDialog(this.o, message, direction, toward),
      sideEnded: (dialog, cause) => this.sideEnded(dialog, cause),
    });
  }

  /** True when `dialog` is one of the two bridged dialogs of this answered call. */
  has = (dialog: Dialog): boolean => this.bridge?.has(dialog) ?? false;
  /** The other bridged dialog. */
  otherSide = (dialog: Dialog): Dialog | undefined => this.bridge?.otherSide(dialog);

  /** The party on the side of `dialog`. */
  partyOf(dialog: Dialog): CallParty {
    return this.bridge?.isCallerSide(dialog) === true ? this.callerParty : this.calleeParty;
  }

  /**
   * Transfer (RFC 5589): `replacement` takes the place of `old` (the transferor, which stays up
   * but leaves the call) and is bridged to the other side; `leg` joins the record.
   */
  replaceSide(old: Dialog, replacement: Dialog, party: CallParty, leg: CalleeLeg): void {
    const bridge = this.bridge;
    if (bridge === undefined || !bridge.has(old) || this.state !== "answered")
      throw new Error("not a side of this call");
    this.legs.push(leg);
    this.replaceParty(bridge.replace(old, replacement) ? "caller" : "callee", party);
  }

  /**
   * Park, break-in, overstep, join: both sides leave the bridge, each to its fate (side-legs.ts);
   * the relay, if any, is let go. False when this is not a bridged, answered call.
   */
  async moveSides(fates: SideFates): Promise<boolean> {
    const bridge = this.bridge;
    if (bridge === undefined || this.state !== "answered") return false;
    this.bridge = undefined;
    this.transferor = undefined;
    this.o.onSidesMoved?.(this);
    await this.sideLegs().moveFrom(bridge, { caller: this.callerParty, callee: this.calleeParty }, fates);
    return true;
  }

  /** A dialog already talking to `endpoint` (a ring-back Parley made) joins the moved sides. */
  attachSide(dialog: Dialog, endpoint: MediaEndpoint, party: CallParty): boolean {
    if (this.sides === undefined || this.state !== "answered") return false;
    this.sides.attach(dialog, endpoint, party);
    return true;
  }

  /** Whether the caller talks to `endpoint` now (an auto-attendant's). */
  talksTo = (endpoint: MediaEndpoint): boolean => this.sides?.dialogOf(endpoint) !== undefined;
  /** An auto-attendant's caller goes on (endpoint-handoff.ts); `note` marks its CDR leg. */
  handOff(endpoint: MediaEndpoint, to: HandOffRequest): Promise<FinalStatus> {
    return handOffFrom(this, this.o, this.sides, endpoint, to, (caller, callee, releases) => {
      this.bridge = new CallBridge(this.bridgeHost(), caller, callee);
      this.carrierReleases.push(...releases);
    });
  }

  /** Who is on a side now (a parked call's retriever, an operator overstepping). */
  replaceParty(side: "caller" | "callee", party: CallParty): void {
    const before = side === "caller" ? this.callerParty : this.calleeParty;
    if (side === "caller") this.callerParty = party;
    else this.calleeParty = party;
    this.o.events("transferred", { call: this, before, after: party, side });
  }

  private sideLegs(): SideLegs {
    this.sides ??= new SideLegs({
      allow: this.o.allow,
      digit: (party, digit) => this.o.onDigit?.(this, party, digit),
      empty: () => this.sidesGone(),
      isCaller: (party) => party === this.callerParty,
      local: (dialog) => dialogLocal(this.o.addressing, dialog)?.(),
      onError: this.o.onError,
    });
    return this.sides;
  }

  private sidesGone(): void {
    if (this.state !== "answered") return;
    this.state = "ending";
    this.finish({ disposition: "answered", ...callStatus("ok"), cause: leavingCause(this.sides?.lastLeft) });
  }

  /**
   * Attended transfer (RFC 5589 7): this call gives both its dialogs away (one is replaced, the
   * other joins the transferee's call) and ends without BYE; its record says it was transferred.
   */
  release(): void {
    if (this.state !== "answered") return;
    this.bridge?.unlinkAll();
    this.state = "ending";
    this.finish({ disposition: "answered", ...callStatus("transferred"), cause: "transfer" });
  }

  /**
   * A body through the leg policy, on its way toward `dialog` (transfer re-INVITEs). A transfer's
   * joining dialog is not bridged yet: `across` names the bridged dialog it will face (the
   * transferee), so the body goes to the side the joining party takes over.
   */
  bodyToward(message: SipMessage, dialog: Dialog, across?: Dialog): LegBody {
    const facing = across === undefined ? undefined : this.bridge?.directionToward(across);
    const direction =
      facing === undefined
        ? (this.bridge?.directionToward(dialog) ?? "caller-to-callee")
        : facing === "caller-to-callee"
          ? "callee-to-caller"
          : "caller-to-callee";
    return bodyToDialog(this.o, message, direction, dialog);
  }

  /**
   * A bridged dialog ended (BYE received, request failed): BYE the other one, end the call. The
   * transferor of a transfer in progress may hang up without ending it (RFC 5589 6).
   */
  private sideEnded(dialog: Dialog, cause: DialogEndCause): void {
    if (this.state !== "answered" || cause === "bye-sent") return;
    if (dialog === this.transferor) {
      this.bridge?.unlink(dialog);
      return;
    }
    this.hangup(sideCause(this.bridge?.isCallerSide(dialog) === true, cause));
  }

  /**
   * Ends the call from Parley's side (maximum duration, ACK or session timeout, the API): BYE both
   * legs once answered, else CANCEL the forks and 480 to the caller. False when already ending.
   */
  hangup(cause: HangupCause): boolean {
    if (this.state === "ringing") {
      this.abandon({ disposition: "failed", ...callStatus("ended-by-server"), cause });
      return true;
    }
    if (this.state !== "answered") return false;
    this.state = "ending";
    const bridge = this.bridge;
    this.sides?.close();
    for (const dialog of [bridge?.callerDialog, bridge?.calleeDialog, this.transferor]) {
      if (dialog !== undefined && dialog.state !== "terminated")
        dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
    }
    this.finish({ disposition: "answered", ...callStatus("ok"), cause });
    return true;
  }

  /** The caller's CANCEL (487 already sent by the dialog layer, RFC 3261 9.2). */
  private callerCancelled(): void {
    if (this.state !== "ringing") return;
    this.callerStatus = 487;
    this.uas = undefined;
    this.fork?.abort();
    this.finish({ disposition: "cancelled", ...callStatus("request-terminated"), cause: "cancel" });
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
  private rejectCaller(
    failure: { readonly status: number; readonly reason: string },
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): void {
    const { status, reason } = failure;
    this.callerStatus = status;
    this.uas?.reject(status, { reason, headers });
    this.uas = undefined;
    this.finish({ disposition: failureDisposition(status), status, reason });
  }

  private finish(outcome: CallOutcome): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.durationTimer?.cancel();
    this.fork?.abort();
    this.fork?.releaseAll();
    this.pendingEndpoint?.close().then(undefined, this.o.onError);
    this.bridge?.stopHoldMusic();
    for (const release of this.carrierReleases.splice(0)) release();
    // The call detail record (store/cdr-model.ts).
    this.o.events("ended", { call: this, record: callRecord(this.facts(), outcome, this.o.now()) });
  }

  /** The live view for GET /api/v1/calls. */
  view(): ActiveCall {
    return callView(this.facts());
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

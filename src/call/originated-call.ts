/**
 * A call Parley places itself (click-to-call, issue 18; POST /api/v1/calls), third party call
 * control as RFC 3725 describes it:
 *   ring A (all its devices, with a "black hole" session: RFC 3725 section 4's `bh` SDP, whose
 *   connection address 0.0.0.0 sends nowhere, RFC 4566 5.7) → A answers → route B as if A had
 *   dialled it (A's call rights) → ring B with an offerless INVITE; B's offer reaches A in a
 *   re-INVITE and A's answer goes back in B's ACK (endpoint-handoff.ts, RFC 3725 flow I for B)
 *   → the two dialogs are bridged like any answered call (call-bridge.ts).
 * A that does not answer within the timeout is cancelled (RFC 3261 9.1) and B is never called;
 * B that fails ends A's dialog with BYE and a Reason (RFC 3326) saying why. The call's record is
 * written like any call's: A is the caller, B's number the number dialled.
 * NOTE: its media always flows phone to phone (no relay, no recording), A hears silence while B
 * rings (the media server's ring-back is not wired here), and REFER on it is refused: a transfer
 * needs the engine's Call, which has a caller INVITE Parley received.
 */
import { callStatus } from "../core/status-catalogue.js";
import type { Dialog, DialogManager } from "../dialog/index.js";
import { quoteDisplayName } from "../sip/index.js";
import type { HangupCause, NewCallRecord } from "../store/cdr-model.js";
import type { Clock } from "../util/clock.js";
import type { BridgeHost } from "./call-bridge.js";
import { CallBridge } from "./call-bridge.js";
import type { ActiveCall } from "./call-view-types.js";
import { type CallFacts, callRecord, callView } from "./call-views.js";
import { handOff } from "./endpoint-handoff.js";
import { Fork, type ForkResult } from "./fork.js";
import { sideCause } from "./hangup-cause.js";
import { type LegPolicy, sdpBody } from "./leg-policy.js";
import type { FinalStatus } from "./media-endpoint.js";
import type { Refusal, StageResult } from "./refusal.js";
import { SideLegs } from "./side-legs.js";
import type { Plan } from "./stages/plan.js";
import {
  type CalleeLeg,
  type CallOutcome,
  type CallParty,
  failureDisposition,
  type NextHop,
  type TargetSet,
} from "./types.js";

/** RFC 3725 4: the "black hole" session A answers first (it sends its media nowhere). */
export function blackHoleSdp(host: string): Buffer {
  return Buffer.from(
    [
      "v=0",
      `o=parley 0 0 IN IP4 ${host}`,
      "s=-",
      "c=IN IP4 0.0.0.0",
      "t=0 0",
      "m=audio 9 RTP/AVP 0 8 101",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=sendrecv",
      "",
    ].join("\r\n"),
  );
}

export interface OriginatedCallOptions {
  readonly id: string;
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly allow: string;
  readonly policy: LegPolicy;
  /** The host of the From and To URIs Parley writes (its domain). */
  readonly host: string;
  /** A: the user rung first, and its devices. */
  readonly a: { readonly party: CallParty; readonly set: TargetSet };
  /** B's number, routed once A answers. */
  readonly to: string;
  /** What A's phone shows as calling (a number). */
  readonly callerId: string;
  /** Header fields that make a desk phone answer by itself (none: A's phone rings). */
  readonly autoAnswer: ReadonlyArray<readonly [string, string]>;
  /** How long A rings before it is cancelled. */
  readonly timeoutMs: number;
  /** B through the dial plan as if A had dialled it. */
  readonly plan: () => Promise<StageResult<Plan>>;
  /** B's ringing failed: what a service at busy / no answer / unreachable names instead. */
  readonly unanswered: (
    callee: CallParty,
    failure: Extract<ForkResult, { kind: "failed" }>,
  ) => Promise<NextHop | FinalStatus | undefined>;
  readonly record: (record: NewCallRecord) => void;
  /** The call is over (its record written): it leaves the list of calls. */
  readonly ended: (call: OriginatedCall) => void;
  readonly onError: (error: unknown) => void;
}

type State = "ringing" | "connecting" | "answered" | "ending" | "ended";

export class OriginatedCall {
  private state: State = "ringing";
  private readonly startedAt: number;
  private answeredAt: number | undefined;
  /** A's legs (one per device); the answered one becomes the record's caller leg. */
  private readonly aLegs: CalleeLeg[] = [];
  /** B's legs, for the record. */
  private readonly bLegs: CalleeLeg[] = [];
  private calleeParty: CallParty;
  private fork: Fork | undefined;
  private aDialog: Dialog | undefined;
  private bridge: CallBridge | undefined;
  private sides: SideLegs | undefined;
  private releases: Array<() => void> = [];
  /** Why the call is being ended while B rings (the API's hang-up). */
  private endCause: HangupCause | undefined;
  private aStatus = 0;
  /** B is being rung (its fork watches A's dialog and gives up when A's ends). */
  private ringingB = false;

  constructor(private readonly o: OriginatedCallOptions) {
    this.startedAt = o.now();
    this.calleeParty = { domainId: o.a.party.domainId, user: o.to, displayName: "" };
  }

  get id(): string {
    return this.o.id;
  }

  /** Rings A's devices (the first 2xx wins, RFC 3261 16.7); A's answer starts B. */
  start(): void {
    const { o } = this;
    const fromUri = `sip:${o.callerId}@${o.host}`;
    const from = `${quoteDisplayName(o.callerId)} <${fromUri}>`;
    this.fork = new Fork({
      targets: o.a.set.targets,
      mode: o.a.set.mode,
      clock: o.clock,
      now: o.now,
      noAnswerMs: o.timeoutMs,
      legs: this.aLegs,
      invite: (target) =>
        o.dialogs.invite({
          uri: target.uri,
          from,
          to: `<sip:${o.a.party.user}@${o.host}>`,
          routes: target.routes,
          destination: target.destination,
          body: blackHoleSdp(o.host),
          contentType: "application/sdp",
          headers: [["Allow", o.allow], ...o.autoAnswer],
        }),
      onSettled: (result) => this.aSettled(result),
      onError: o.onError,
    });
    this.fork.start();
  }

  private aSettled(result: ForkResult): void {
    this.fork = undefined;
    if (this.state !== "ringing") return;
    if (result.kind === "failed") {
      this.aStatus = result.status;
      const cause = this.endCause ?? (result.cause === "no-answer" ? "no-answer" : undefined);
      this.finish({
        disposition: failureDisposition(result.status),
        status: result.status,
        reason: result.reason,
        ...(cause === undefined ? {} : { cause }),
      });
      return;
    }
    this.aStatus = 200;
    this.aDialog = result.dialog;
    this.state = "connecting";
    this.connectB(result.dialog).catch((error: unknown) => {
      this.o.onError(error);
      this.failB({ status: 500, reason: callStatus("internal-error").reason }, "error");
    });
  }

  /** A answered: B through the dial plan, then rung and bridged (endpoint-handoff.ts). */
  private async connectB(aDialog: Dialog): Promise<void> {
    const unwatch = aDialog.on("terminated", () => {
      // A hung up before B was rung (B's own ringing watches A itself).
      if (this.state === "connecting" && this.bridge === undefined) this.endCause ??= "caller-bye";
    });
    const plan = await this.o.plan();
    if (this.state !== "connecting") {
      unwatch();
      return;
    }
    if (!plan.ok) {
      unwatch();
      this.failB(plan.refusal, undefined, plan.refusal);
      return;
    }
    if (aDialog.state === "terminated") {
      unwatch();
      this.failB(callStatus("request-terminated"), this.endCause ?? "caller-bye");
      return;
    }
    this.ringingB = true;
    const outcome = await handOff(
      {
        dialogs: this.o.dialogs,
        clock: this.o.clock,
        now: this.o.now,
        allow: this.o.allow,
        host: this.o.host,
        caller: this.o.a.party,
        legs: this.bLegs,
        callerDialog: aDialog,
        detach: () => {},
        moveTo: (endpoint, party) => {
          // B's voicemail (a service at busy / unreachable): A talks to it.
          this.calleeParty = party;
          this.sides ??= new SideLegs({
            allow: this.o.allow,
            digit: () => {},
            empty: () => this.hangup("callee-bye"),
            isCaller: (p) => p === this.o.a.party,
            onError: this.o.onError,
          });
          return this.sides.add(aDialog, endpoint, party).then((joined) => {
            if (joined) this.up();
            return joined;
          });
        },
        bridge: (callee, party, releases) => {
          this.calleeParty = party;
          this.releases = releases;
          this.bridge = new CallBridge(this.bridgeHost(), aDialog, callee);
          this.up();
        },
        unanswered: (callee, failure) => this.o.unanswered(callee, failure),
        onError: this.o.onError,
      },
      plan.value.next,
    );
    unwatch();
    if (outcome.status >= 300) this.failB(outcome, this.endCause);
  }

  private up(): void {
    if (this.state !== "connecting") return;
    this.state = "answered";
    this.answeredAt = this.o.now();
  }

  /** B could not be reached (or A left meanwhile): A's dialog ends with BYE saying why (RFC 3326). */
  private failB(failure: FinalStatus, cause: HangupCause | undefined, refusal?: Refusal): void {
    if (this.state !== "connecting") return;
    const a = this.aDialog;
    if (a !== undefined && a.state !== "terminated") {
      const text = failure.reason.replace(/["\\]/g, "");
      a.bye({ headers: [["Reason", `SIP;cause=${failure.status};text="${text}"`]] }).then(
        undefined,
        this.o.onError,
      );
    }
    this.finish({
      disposition: refusal?.disposition ?? failureDisposition(failure.status),
      status: failure.status,
      reason: failure.reason,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  private bridgeHost(): BridgeHost {
    return {
      policy: this.o.policy,
      allow: this.o.allow,
      isAnswered: () => this.state === "answered",
      body: (message, direction) => sdpBody(this.o, message, direction, undefined),
      sideEnded: (dialog, cause) => {
        if (this.state !== "answered" || cause === "bye-sent") return;
        this.hangup(sideCause(this.bridge?.isCallerSide(dialog) === true, cause));
      },
      hangup: (cause) => this.hangup(cause),
      digit: () => {},
      held: () => {},
      onError: this.o.onError,
    };
  }

  /**
   * Ends the call from Parley's side (the API, shutdown): CANCEL A's devices while they ring, BYE
   * A while B rings (B's ringing is then cancelled), BYE both once bridged. False when ending.
   */
  hangup(cause: HangupCause): boolean {
    if (this.state === "ringing") {
      this.endCause = cause;
      this.fork?.abort();
      this.fork = undefined;
      this.finish({ disposition: "cancelled", ...callStatus("request-terminated"), cause });
      return true;
    }
    if (this.state === "connecting") {
      this.endCause = cause;
      const a = this.aDialog;
      if (a !== undefined && a.state !== "terminated") a.bye().then(undefined, this.o.onError);
      // Not ringing B yet (routing): the call ends here; else B's fork is cancelled as A's dialog ends.
      if (!this.ringingB) this.failB(callStatus("request-terminated"), cause);
      return true;
    }
    if (this.state !== "answered") return false;
    this.state = "ending";
    this.sides?.close();
    for (const dialog of [this.bridge?.callerDialog, this.bridge?.calleeDialog]) {
      if (dialog !== undefined && dialog.state !== "terminated") dialog.bye().then(undefined, this.o.onError);
    }
    this.finish({ disposition: "answered", ...callStatus("ok"), cause });
    return true;
  }

  private finish(outcome: CallOutcome): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.fork?.abort();
    this.fork?.releaseAll();
    for (const release of this.releases.splice(0)) release();
    this.o.record(callRecord(this.facts(), outcome, this.o.now()));
    this.o.ended(this);
  }

  /** The live view for GET /api/v1/calls. */
  view(): ActiveCall {
    return callView(this.facts());
  }

  private facts(): CallFacts {
    const a = this.aLegs.find((l) => l.state === "answered") ?? this.aLegs[0];
    const state = this.state === "connecting" ? "ringing" : this.state;
    return {
      id: this.o.id,
      state,
      caller: this.o.a.party,
      callerParty: this.o.a.party,
      calleeParty: this.calleeParty,
      dialed: this.o.to,
      callerPeer: a?.peer ?? "",
      callerCallId: this.aDialog?.callId ?? a?.callId ?? a?.invite?.callId ?? "",
      callerStatus: this.aStatus,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      legs: this.bLegs,
    };
  }
}

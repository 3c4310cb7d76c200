/**
 * The fork: rings a set of targets, in parallel (RFC 3261 16.6: one branch per target, "parallel
 * search") or one after another ("sequential search"), each with its own timer, and settles once:
 * to the first 2xx (the other branches are cancelled with a Reason, RFC 3261 16.7 step 10 and RFC
 * 3326), or to the best failure of all branches (RFC 3261 16.7 step 6). A call's callee legs, a
 * transfer's target and (later) groups and follow-me all ring through it.
 *
 * The fork acts as a B2BUA's UAC side: after it settled, a late 2xx from a losing branch is
 * acknowledged and ended with BYE (RFC 3261 13.2.2.4 / 15), never connected.
 */

import { callStatus as callStatusOf } from "../core/status-catalogue.js";
import type { Dialog, UacInvite } from "../dialog/index.js";
import { parseNameAddr } from "../sip/index.js";
import type { SipResponse } from "../sip/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import { bestResponse } from "./best-response.js";
import { type CalleeLeg, type CallTarget, newLeg } from "./types.js";

/** RFC 3326 2: the Reason of the CANCELs sent to the branches that lost (RFC 3261 16.7 step 10). */
export const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

/** Why a fork failed, for the detection points (busy, no answer, unreachable) and the CDR. */
export type ForkFailureCause = "busy" | "no-answer" | "unreachable" | "cancelled";

export type ForkResult =
  | {
      readonly kind: "answered";
      readonly leg: CalleeLeg;
      readonly dialog: Dialog;
      readonly invite: UacInvite;
      readonly response: SipResponse;
    }
  | {
      readonly kind: "failed";
      readonly status: number;
      readonly reason: string;
      readonly cause: ForkFailureCause;
      /**
       * The best response was a redirect (3xx, RFC 3261 21.3): the user part of its first Contact,
       * where the phone asks the call to go (a phone's own forwarding or deflection).
       */
      readonly redirect?: string;
    };

export interface ForkOptions {
  readonly targets: readonly CallTarget[];
  /**
   * "sequential": the next target rings when the current one fails or its own timer expires.
   * Consecutive targets of one group member (the same `party`) are one step: a hunt group member's
   * devices ring together.
   */
  readonly mode: "parallel" | "sequential";
  readonly clock: Clock;
  /** Wall-clock epoch milliseconds, for the legs' times. */
  readonly now: () => number;
  /** Sends the INVITE of one branch; a throw fails that branch with 503. */
  readonly invite: (target: CallTarget) => UacInvite;
  /** Ringing time of the whole fork; it settles with 480 No Answer when it runs out. 0 = none. */
  readonly noAnswerMs: number;
  /** Sequential: each target's ringing time when it has none of its own (follow-me). 0 = none. */
  readonly attemptMs?: number;
  /** The users whose forwarding led to these targets, first to last (for the CDR's legs). */
  readonly forwardedBy?: readonly string[];
  /** Where the branches are recorded (the call's legs, for its CDR); a fresh array by default. */
  readonly legs?: CalleeLeg[];
  /** A provisional response of a branch still ringing (state already updated). */
  readonly onProvisional?: (leg: CalleeLeg, response: SipResponse) => void;
  /** A branch changed state (calling -> ringing, failed). */
  readonly onLegChange?: (leg: CalleeLeg) => void;
  /** Settles exactly once, synchronously with the event that decided it. */
  readonly onSettled: (result: ForkResult) => void;
  readonly onError: (error: unknown) => void;
}

export class Fork {
  readonly legs: CalleeLeg[];
  private settled = false;
  private next = 0;
  /** Sequential: the legs of the step ringing now. */
  private current: CalleeLeg[] = [];
  private noAnswerTimer: TimerHandle | undefined;
  private attemptTimer: TimerHandle | undefined;
  /** Releases of the line or trunk counts held by outbound branches (FEATURES.md section 3). */
  private readonly releases = new Map<CalleeLeg, () => void>();
  /** The Contact user of each branch that answered 3xx. */
  private redirects: Map<CalleeLeg, string> | undefined;

  constructor(private readonly o: ForkOptions) {
    this.legs = o.legs ?? [];
  }

  get done(): boolean {
    return this.settled;
  }

  /** Sends the INVITEs (all of them, or the first of a sequence) and arms the no-answer timer. */
  start(): void {
    if (this.o.mode === "sequential") {
      if (!this.tryNext()) return;
    } else {
      const mine: CalleeLeg[] = [];
      for (const target of this.o.targets) mine.push(this.ring(target));
      if (mine.every((l) => l.state === "failed")) {
        this.fail(mine, "unreachable");
        return;
      }
    }
    if (this.o.noAnswerMs > 0)
      this.noAnswerTimer = this.o.clock.setTimer(this.o.noAnswerMs, () => {
        this.noAnswerTimer = undefined;
        this.cancel();
        this.settle({ kind: "failed", ...callStatusOf("no-answer"), cause: "no-answer" });
      });
  }

  /** Gives up: CANCEL every branch still ringing (the caller cancelled, or the fork timed out). */
  cancel(reason?: string): void {
    for (const leg of this.legs) {
      if (leg.state === "failed" || leg.state === "answered" || leg.state === "ending") continue;
      leg.state = "ending";
      leg.invite?.cancel(reason);
    }
  }

  /** Ends the fork without a result (the call ended elsewhere): cancels and releases. */
  abort(reason?: string): void {
    this.cancel(reason);
    this.settled = true;
    this.clearTimers();
  }

  /**
   * The releases still held (the answered branch's line or trunk count), handed to the call so
   * it can drop the fork once answered; the fork holds none afterwards.
   */
  detachReleases(): Array<() => void> {
    const releases = [...this.releases.values()];
    this.releases.clear();
    return releases;
  }

  /** Releases every line or trunk count still held (the call ended). */
  releaseAll(): void {
    for (const leg of [...this.releases.keys()]) this.release(leg);
  }

  /** Sequential: rings the next target; false (and settled) when none is left. */
  private tryNext(): boolean {
    this.attemptTimer?.cancel();
    this.attemptTimer = undefined;
    while (this.next < this.o.targets.length) {
      const target = this.o.targets[this.next++]!;
      const step = [this.ring(target)];
      const party = target.party;
      while (party !== undefined && this.o.targets[this.next]?.party?.user === party.user)
        step.push(this.ring(this.o.targets[this.next++]!));
      const ringing = step.filter((l) => l.state !== "failed");
      if (ringing.length === 0) continue;
      this.current = ringing;
      const ms = target.outbound?.noAnswerMs || this.o.attemptMs || 0;
      if (ms > 0) this.attemptTimer = this.o.clock.setTimer(ms, () => this.attemptExpired(ringing));
      return true;
    }
    this.current = [];
    this.fail(this.legs, "unreachable");
    return false;
  }

  /** FEATURES.md section 3: a line's own no-answer timer expired: release it, try the next. */
  private attemptExpired(step: readonly CalleeLeg[]): void {
    this.attemptTimer = undefined;
    if (this.settled || step !== this.current) return;
    const { status, reason } = callStatusOf("no-answer");
    for (const leg of step) {
      if (leg.state === "failed") continue;
      leg.state = "ending";
      leg.status = status;
      leg.reason = reason;
      leg.invite?.cancel();
      this.release(leg);
    }
    this.tryNext();
  }

  private ring(target: CallTarget): CalleeLeg {
    const base: CalleeLeg = {
      ...newLeg(target.uri, this.o.now()),
      ...(this.o.forwardedBy === undefined ? {} : { forwardedBy: this.o.forwardedBy }),
      ...(target.party === undefined ? {} : { party: target.party }),
    };
    let invite: UacInvite;
    try {
      invite = this.o.invite(target);
    } catch (error) {
      this.o.onError(error);
      const failed: CalleeLeg = { ...base, state: "failed", ...callStatusOf("leg-failed") };
      this.legs.push(failed);
      return failed;
    }
    const leg: CalleeLeg = { ...base, invite, callId: invite.callId };
    this.legs.push(leg);
    if (target.outbound !== undefined) this.releases.set(leg, target.outbound.acquire());
    invite.on("provisional", ({ response }) => {
      if (this.settled || (leg.state !== "calling" && leg.state !== "ringing")) return;
      if (response.status > 100 && leg.state === "calling") {
        leg.state = "ringing";
        this.o.onLegChange?.(leg);
      }
      this.o.onProvisional?.(leg, response);
    });
    invite.on("answered", ({ response, dialog }) => this.answered(leg, invite, dialog, response));
    invite.on("failed", ({ response }) => this.failed(leg, response));
    return leg;
  }

  private answered(leg: CalleeLeg, invite: UacInvite, dialog: Dialog, response: SipResponse): void {
    if (this.settled) {
      // Another branch won, or the fork gave up: ACK (late offer: RFC 3261 13.2.2.4) and BYE this one.
      if (invite.request.body.length === 0) dialog.ack(invite.request);
      dialog.bye().then(undefined, (e: unknown) => this.o.onError(e));
      return;
    }
    leg.state = "answered";
    leg.status = response.status;
    leg.reason = response.reason;
    leg.answeredAt = this.o.now();
    leg.dialog = dialog;
    // RFC 3261 16.7 step 10: the first 2xx wins; CANCEL the others with RFC 3326 Reason.
    for (const other of this.legs) {
      if (other === leg || other.state === "failed" || other.state === "answered") continue;
      other.state = "ending";
      other.invite?.cancel(COMPLETED_ELSEWHERE);
    }
    this.settle({ kind: "answered", leg, dialog, invite, response });
  }

  private failed(leg: CalleeLeg, response: SipResponse): void {
    if (response.status >= 300 && response.status < 400) {
      const user = parseNameAddr(response.get("contact") ?? "")?.uri.user;
      if (user !== undefined && user !== "") {
        this.redirects ??= new Map();
        this.redirects.set(leg, decodeURIComponent(user));
      }
    }
    leg.state = "failed";
    leg.status = response.status;
    leg.reason = response.reason;
    leg.endedAt = this.o.now();
    leg.invite = undefined;
    this.release(leg);
    if (this.settled) return;
    this.o.onLegChange?.(leg);
    if (this.o.mode === "sequential") {
      // FEATURES.md section 3: "chain to next line on failure".
      if (this.current.includes(leg) && this.current.every((l) => l.state === "failed")) this.tryNext();
      return;
    }
    if (this.legs.every((l) => l.state === "failed")) this.fail(this.legs, "unreachable");
  }

  /** RFC 3261 16.7 step 6: every branch failed; the best of their responses is the result. */
  private fail(legs: readonly CalleeLeg[], fallback: ForkFailureCause): void {
    const best = bestResponse(legs.map((l) => ({ status: l.status, reason: l.reason })));
    const busy = best.status === 486 || best.status === 600;
    const redirected = legs.find((l) => l.status === best.status && this.redirects?.has(l) === true);
    const redirect = redirected === undefined ? undefined : this.redirects?.get(redirected);
    this.settle({
      kind: "failed",
      ...best,
      cause: busy ? "busy" : fallback,
      ...(redirect === undefined ? {} : { redirect }),
    });
  }

  private settle(result: ForkResult): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimers();
    this.o.onSettled(result);
  }

  private clearTimers(): void {
    this.noAnswerTimer?.cancel();
    this.noAnswerTimer = undefined;
    this.attemptTimer?.cancel();
    this.attemptTimer = undefined;
  }

  private release(leg: CalleeLeg): void {
    const release = this.releases.get(leg);
    this.releases.delete(leg);
    release?.();
  }
}

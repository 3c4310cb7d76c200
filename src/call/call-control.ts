/**
 * What services may do with the calls in progress (ARCHITECTURE.md: the engine knows detection
 * points, never services; services get this narrow view instead of the engine): find the calls
 * ringing a user (pick-up), the call a user talks in and move its sides onto Parley's media (park,
 * break-in, overstep, a second device joining), and ring a user from Parley (a parked call's
 * ring-back).
 */

import { callStatus } from "../core/status-catalogue.js";
import type { DialogManager } from "../dialog/index.js";
import type { Clock } from "../util/clock.js";
import type { Call } from "./call.js";
import type { CallSubject } from "./call-events.js";
import type { Verdict } from "./detection-points.js";
import type { LegAddressing } from "./leg-address.js";
import type { FinalStatus, MediaEndpoint } from "./media-endpoint.js";
import type { PartyIndex } from "./party-index.js";
import { type RingBack, ringBack } from "./ring-back.js";
import type { RingingMembers } from "./ringing-members.js";
import type { ResolvedTarget } from "./transfer.js";
import type { CallParty, NextHop, TargetSet } from "./types.js";

export type CallSide = "caller" | "callee";

/** One call of a user as a busy lamp shows it (RFC 4235 dialog state). */
export interface UserDialog {
  /** Parley's call id. */
  readonly id: string;
  /** Ringing (not yet answered) or answered. */
  readonly state: "ringing" | "answered";
  /** RFC 4235 4.1.2: "initiator" when the user called, "recipient" when it is called. */
  readonly direction: "initiator" | "recipient";
  /** The other party (the caller, for a call ringing the user: a BLF key picks it up). */
  readonly remote: CallParty;
  /** Epoch ms the call started. */
  readonly startedAt: number;
}

/** An answered call as a service may steer it (a Call). */
export type ControlledCall = CallSubject &
  Pick<Call, "moveSides" | "attachSide" | "replaceParty" | "hangup" | "host">;

export interface CallControl {
  /** The calls ringing a user now, oldest first (its own, and group calls ringing it). */
  ringingTo(domainId: number, user: string): Call[];
  /** Every call ringing now, oldest first. */
  ringing(): Call[];
  /** The users a ringing call rings now: its callee, and the members a group call rings. */
  partiesOf(call: CallSubject): CallParty[];
  /** The answered call a user talks in now (the oldest), and the user's side of it. */
  talkingCall(domainId: number, user: string): { call: ControlledCall; side: CallSide } | undefined;
  /**
   * The caller of the answered call that `endpoint` talks to (an auto-attendant) goes on to what
   * `verdict` names, routed as that caller's call (endpoint-handoff.ts): 200, or why not (the
   * caller is then still with the endpoint). `dialed` is the number the verdict stands for.
   */
  handOff(
    endpoint: MediaEndpoint,
    verdict: Verdict,
    to: { readonly dialed: string; readonly note: string },
  ): Promise<FinalStatus>;
  /** The answered call whose caller talks to `endpoint` now (a service script's call). */
  callTalkingTo?(endpoint: MediaEndpoint): ControlledCall | undefined;
  /** The user's calls now, ringing or answered, oldest first (busy lamps). */
  dialogsOf(domainId: number, user: string): UserDialog[];
  /**
   * Rings `number`, routed through the dial plan as the caller of the call whose caller talks to
   * `from` (a service script's endpoint), with `endpoint` on Parley's side: the script keeps the
   * media (a calling card's warning tone) and attaches the answered dialog to the call itself.
   */
  ringNumber?(
    from: MediaEndpoint,
    number: string,
    endpoint: MediaEndpoint,
  ): Promise<RingBack | { readonly status: number; readonly reason: string }>;
  /** Rings a local user's devices from Parley, `endpoint` on Parley's side; `host` as in From/To. */
  ringUser(
    user: string,
    from: CallParty,
    endpoint: MediaEndpoint,
    host: string,
  ): Promise<RingBack | { readonly status: number; readonly reason: string }>;
}

export interface EngineCallControlDeps {
  readonly calls: ReadonlyMap<string, Call>;
  readonly index: PartyIndex;
  readonly members: RingingMembers;
  readonly dialogs: DialogManager;
  readonly clock: Clock;
  readonly now: () => number;
  readonly allow: () => string;
  /** A local user's devices, as for a transfer target. */
  readonly resolve: (number: string) => Promise<ResolvedTarget>;
  /** Where a service's verdict goes for a call's caller: the next hop, or the refusal. */
  readonly plan: (call: Call, verdict: Verdict) => Promise<NextHop | FinalStatus>;
  /** Each leg's local address, for the endpoint's offer of a ring-back (issue 23). */
  readonly addressing?: LegAddressing;
  readonly onError: (error: unknown) => void;
}

export class EngineCallControl implements CallControl {
  constructor(private readonly o: EngineCallControlDeps) {}

  ringingTo(domainId: number, name: string): Call[] {
    const calls = new Set<Call>();
    for (const [subject, side] of this.o.index.callsOf(domainId, name)) {
      const call = this.o.calls.get(subject.id);
      if (side.callee && call?.state === "ringing") calls.add(call);
    }
    // A member rung by a group call (ringing or hunt group) is not that call's callee.
    for (const subject of this.o.members.callsOf(domainId, name)) {
      const call = this.o.calls.get(subject.id);
      if (call?.state === "ringing") calls.add(call);
    }
    return [...calls].sort((a, b) => a.startedAt - b.startedAt);
  }

  ringing(): Call[] {
    return [...this.o.calls.values()].filter((c) => c.state === "ringing");
  }

  partiesOf(call: CallSubject): CallParty[] {
    return [call.callee, ...this.o.members.partiesOf(call)];
  }

  talkingCall(domainId: number, name: string): { call: ControlledCall; side: CallSide } | undefined {
    let found: { call: Call; side: CallSide } | undefined;
    for (const [subject, side] of this.o.index.callsOf(domainId, name)) {
      const call = this.o.calls.get(subject.id);
      if (call?.state !== "answered") continue;
      if (found === undefined || call.startedAt < found.call.startedAt)
        found = { call, side: side.callee ? "callee" : "caller" };
    }
    return found;
  }

  callTalkingTo(endpoint: MediaEndpoint): Call | undefined {
    return [...this.o.calls.values()].find((c) => c.state === "answered" && c.talksTo(endpoint));
  }

  async handOff(
    endpoint: MediaEndpoint,
    verdict: Verdict,
    to: { readonly dialed: string; readonly note: string },
  ): Promise<FinalStatus> {
    const call = this.callTalkingTo(endpoint);
    if (call === undefined) return callStatus("no-such-call");
    const next = await this.o.plan(call, verdict);
    if ("status" in next) return next;
    return call.handOff(endpoint, { next, ...to });
  }

  dialogsOf(domainId: number, name: string): UserDialog[] {
    const out = new Map<string, UserDialog>();
    const add = (call: Call, recipient: boolean) => {
      if (call.state !== "ringing" && call.state !== "answered") return;
      out.set(call.id, {
        id: call.id,
        state: call.state,
        direction: recipient ? "recipient" : "initiator",
        remote: recipient ? call.caller : call.callee,
        startedAt: call.startedAt,
      });
    };
    for (const [subject, side] of this.o.index.callsOf(domainId, name)) {
      const call = this.o.calls.get(subject.id);
      if (call !== undefined) add(call, side.callee);
    }
    for (const subject of this.o.members.callsOf(domainId, name)) {
      const call = this.o.calls.get(subject.id);
      if (call !== undefined && !out.has(call.id)) add(call, true);
    }
    return [...out.values()].sort((a, b) => a.startedAt - b.startedAt);
  }

  async ringNumber(
    from: MediaEndpoint,
    number: string,
    endpoint: MediaEndpoint,
  ): Promise<RingBack | { readonly status: number; readonly reason: string }> {
    const call = this.callTalkingTo(from);
    if (call === undefined) return callStatus("no-such-call");
    const next = await this.o.plan(call, { kind: "route", number });
    if ("status" in next) return next;
    // Another of Parley's own endpoints (voicemail, a script): not a party to anchor media with.
    if (next.kind !== "ring") return callStatus("not-acceptable-here");
    return this.ringSet(next.set, call.caller, endpoint, call.host);
  }

  async ringUser(
    user: string,
    from: CallParty,
    endpoint: MediaEndpoint,
    host: string,
  ): Promise<RingBack | { readonly status: number; readonly reason: string }> {
    const target = await this.o.resolve(user);
    if (!target.ok) return { status: target.status, reason: target.reason };
    return this.ringSet(target.set, from, endpoint, host);
  }

  private ringSet(set: TargetSet, from: CallParty, endpoint: MediaEndpoint, host: string): RingBack {
    // One offer rings every device: it names the address facing the first (issue 23).
    const first = set.targets[0];
    const local = first === undefined ? undefined : this.o.addressing?.localAddressToward(first.destination);
    return ringBack({
      dialogs: this.o.dialogs,
      clock: this.o.clock,
      now: this.o.now,
      allow: this.o.allow(),
      host,
      from,
      set,
      endpoint,
      ...(local === undefined ? {} : { local }),
      onError: this.o.onError,
    });
  }
}

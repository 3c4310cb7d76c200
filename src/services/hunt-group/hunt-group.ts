/**
 * Hunt group (multi-line hunting; issue 16, FEATURES.md sections 5 and 6). A call rings a hunt
 * group when its called number matches a detection record of the caller's dial plan (a local
 * user's plan, or the plan of the external line or SIP trunk it came in on: hunt group detection
 * has priority over a line's auto-attendant or destination number, worked example 3), or when
 * it dials the group's own number. The members ring by the group's strategy:
 * - linear: one after another in the listed order, each for the ring time;
 * - circular: the same, starting after the member that answered the group's last call (kept in
 *   memory; a deleted member's place is taken by the next);
 * - parallel: all at once for the ring time.
 * Members in do-not-disturb, busy (talking without call waiting) or deleted are skipped; the
 * member that answers becomes the call's callee. When nobody answers (or nobody can ring), the
 * group's no-answer action applies: 486 Busy Here, the voicemail of a user, or another number
 * routed through the dial plan with the caller's rights.
 */
import type {
  DetectionPointTable,
  NotificationPayloads,
  PointContext,
  Verdict,
} from "../../call/detection-points.js";
import type { HuntGroup } from "../../store/hunt-group-model.js";
import type { RoutingSnapshot } from "../../store/routing-validation.js";
import type { LocalUser } from "../../store/user-model.js";
import { VOICEMAIL_DEPOSIT_SERVICE } from "../voicemail/deposit.js";
import { HuntTableCache, type HuntTableSource, type HuntTables } from "./hunt-tables.js";
import { availableMembers, huntOrder, type LastAnswered } from "./hunting.js";

/** At "attempted": after the black and white lists (5), which bar the door first. */
export const HUNT_GROUP_ORDER = 10;
/** At the failure points: before forwarding on failure (50) and voicemail (60) of anyone. */
export const HUNT_NO_ANSWER_ORDER = 5;

/** Calls ringing a group are remembered this long at most (a call that never reports its end). */
const PENDING_MS = 3_600_000;

export interface HuntGroupDeps {
  readonly repository: HuntTableSource;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  /** The dial plans of users, lines and trunks. */
  readonly routing: { snapshot(domainId: number): Promise<RoutingSnapshot> };
  /** Whether a user is in an answered call now. */
  readonly talking: (domainId: number, user: string) => boolean;
  readonly now?: () => number;
}

export class HuntGroupService {
  private readonly tables: HuntTableCache;
  /** Circular hunting: the member that answered each group's last call, by domain and number. */
  private readonly lastAnswered = new Map<string, LastAnswered>();
  /** Calls ringing a group, by caller and dialled number: which group, its members then, since when. */
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;

  constructor(private readonly deps: HuntGroupDeps) {
    this.tables = new HuntTableCache(deps.repository);
    this.now = deps.now ?? Date.now;
  }

  register(points: DetectionPointTable): () => void {
    const failure = (context: PointContext) => this.noAnswer(points, context);
    const removals = [
      points.decide(
        "attempted",
        "hunt-group",
        (context) => this.attempted(points, context),
        HUNT_GROUP_ORDER,
      ),
      points.decide("busy", "hunt-group.busy", failure, HUNT_NO_ANSWER_ORDER),
      points.decide("noAnswer", "hunt-group.noAnswer", failure, HUNT_NO_ANSWER_ORDER),
      points.decide("unreachable", "hunt-group.unreachable", failure, HUNT_NO_ANSWER_ORDER),
      points.notify("answered", "hunt-group", (payload) => this.answered(payload)),
      points.notify("ended", "hunt-group", ({ call }) =>
        this.pending.delete(callKey(call.caller, call.dialed)),
      ),
    ];
    return () => {
      for (const remove of removals) remove();
    };
  }

  /** The member that answered a group's last call and its place then (circular hunting). */
  lastAnsweredOf(domainId: number, group: string): LastAnswered | undefined {
    return this.lastAnswered.get(`${domainId}\u0000${group}`);
  }

  /** The member that answered a group's last call, for the API's live view. */
  lastAnsweredMember(domainId: number, group: string): string | undefined {
    return this.lastAnsweredOf(domainId, group)?.member;
  }

  private async attempted(points: DetectionPointTable, context: PointContext): Promise<Verdict | undefined> {
    const domainId = context.caller.domainId;
    const tables = await this.tables.tables(domainId);
    if (tables.groups.size === 0) return undefined;
    const group = (await this.detected(context, tables)) ?? tables.groups.get(context.dialed);
    if (group === undefined) return undefined;
    const order = huntOrder(group, this.lastAnsweredOf(domainId, group.number));
    const users = new Map<string, LocalUser>();
    for (const name of new Set(order)) {
      const found = await this.deps.users.lookup(domainId, name);
      if (found !== undefined) users.set(name, found.user);
    }
    const members = availableMembers(order, users, (u) => this.deps.talking(u.domainId, u.name));
    const callee = { domainId, user: group.number, displayName: group.name };
    // A group with nobody to ring goes straight to what it does when nobody answers.
    if (members.length === 0) return this.noAnswerAction(points, { ...context, callee }, group);
    this.remember(callKey(context.caller, context.dialed), group);
    const ringMs = group.ringTime * 1000;
    return group.strategy === "parallel"
      ? { kind: "group", callee, members, mode: "parallel", attemptMs: 0, noAnswerMs: ringMs }
      : { kind: "group", callee, members, mode: "sequential", attemptMs: ringMs, noAnswerMs: 0 };
  }

  /**
   * The group a detection record of the caller's dial plan names for this call: the number it
   * dialled, or, for a call in on an external line, the line's own number (its account) even
   * when the line sends its calls to a destination number or the auto-attendant.
   */
  private async detected(context: PointContext, tables: HuntTables): Promise<HuntGroup | undefined> {
    const called = [context.dialed];
    if (context.inbound?.kind === "line") called.push(context.inbound.name);
    const records = called.flatMap((n) => tables.detections.get(n) ?? []);
    if (records.length === 0) return undefined;
    const plan = await this.dialPlanOf(context);
    const record = records.find((r) => r.dialPlan === plan);
    return record === undefined ? undefined : tables.groups.get(record.huntGroup);
  }

  /** The caller's dial plan: its line's or trunk's, the plan listing the user, else `default`. */
  private async dialPlanOf(context: PointContext): Promise<string> {
    const snapshot = await this.deps.routing.snapshot(context.caller.domainId);
    const inbound = context.inbound;
    if (inbound?.kind === "line")
      return snapshot.lines.find((l) => l.account === inbound.name)?.dialPlan ?? "";
    if (inbound?.kind === "trunk")
      return snapshot.trunks.find((t) => t.trunkId === inbound.name)?.dialPlan ?? "";
    const user = context.caller.user;
    return snapshot.dialPlans.find((p) => p.users.includes(user))?.name ?? "default";
  }

  /** Nobody answered a group's call: the group's no-answer action. */
  private async noAnswer(points: DetectionPointTable, context: PointContext): Promise<Verdict | undefined> {
    const callee = context.callee;
    const pending = this.pending.get(callKey(context.caller, context.dialed));
    if (callee === undefined || pending === undefined || pending.group !== callee.user) return undefined;
    const group = (await this.tables.tables(callee.domainId)).groups.get(pending.group);
    return group === undefined ? undefined : this.noAnswerAction(points, context, group);
  }

  private async noAnswerAction(
    points: DetectionPointTable,
    context: PointContext,
    group: HuntGroup,
  ): Promise<Verdict> {
    if (group.noAnswer === "number") return { kind: "route", number: group.noAnswerTarget };
    if (group.noAnswer === "voicemail") {
      const deposit = points.serviceNamed(VOICEMAIL_DEPOSIT_SERVICE);
      if (deposit !== undefined)
        return deposit({ ...context, number: group.noAnswerTarget, argument: group.noAnswerTarget });
    }
    return { kind: "refuse", code: "busy" };
  }

  private answered({ call }: NotificationPayloads["answered"]): void {
    const pending = this.pending.get(callKey(call.caller, call.dialed));
    if (pending === undefined) return;
    const index = pending.members.indexOf(call.callee.user);
    if (index >= 0)
      this.lastAnswered.set(`${call.callee.domainId}\u0000${pending.group}`, {
        member: call.callee.user,
        index,
      });
  }

  private remember(key: string, group: HuntGroup): void {
    const now = this.now();
    if (this.pending.size >= 1000)
      for (const [k, v] of this.pending) if (now - v.at > PENDING_MS) this.pending.delete(k);
    this.pending.set(key, { group: group.number, members: group.members, at: now });
  }
}

interface Pending {
  readonly group: string;
  readonly members: readonly string[];
  readonly at: number;
}

function callKey(caller: { readonly domainId: number; readonly user: string }, dialed: string): string {
  return `${caller.domainId}\u0000${caller.user}\u0000${dialed}`;
}

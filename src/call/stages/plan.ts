/**
 * Stages 4 to 6 for one number: route it (feature codes, then the dial plan), resolve its
 * targets, and let the services attached at "reachesCallee", "busy" and "unreachable" change
 * them. The result is the plan of who to ring first, or the refusal that ends the call. A
 * service's verdict to route another number (forwarding to a number) comes back here with the
 * forwarding user's rights, at most MAX_HOPS times and never to a user twice.
 */

import type { CallRouting } from "../call-routing.js";
import type { DecisionPoint, DetectionPointTable, PointContext, Verdict } from "../detection-points.js";
import type { PartyIndex } from "../party-index.js";
import { accept, refuse, type StageResult } from "../refusal.js";
import type { CallParty, CallTarget, NextHop } from "../types.js";
import type { CallerIdentity } from "./context.js";
import { groupPlan } from "./group.js";
import { findCallee, outboundTargets, type ResolveDeps, userTargets } from "./resolve-targets.js";
import { type FeatureCodes, routeCall } from "./route.js";

/** RFC 3261 16.3 spirit, FEATURES.md forwarding: a chain of services ends after this many hops. */
export const MAX_HOPS = 5;

/** Who to ring first and what the call needs to know about it. */
export interface Plan {
  readonly next: NextHop;
  /** The callee asked for relayed media (a local user's setting, a line's or trunk's). */
  readonly calleeRelayMedia: boolean;
  /** A line's maximum call duration; 0 = none. */
  readonly maxDurationMs: number;
  /** A call out through lines or trunks (sequential attempts), for the log. */
  readonly outbound: boolean;
  /** A line or trunk the call goes out through records its calls (issue 17). */
  readonly recordCalls?: boolean;
}

export interface PlanDeps extends ResolveDeps {
  readonly routing: CallRouting | undefined;
  readonly features: FeatureCodes | undefined;
  readonly points: DetectionPointTable;
  readonly index: PartyIndex;
}

/** The point context of a caller (and, once known, a callee). */
export function pointContext(
  caller: CallerIdentity,
  visited: readonly string[],
  more: Partial<PointContext> = {},
): PointContext {
  return {
    caller: caller.party,
    callerUser: caller.user,
    inbound: caller.inbound,
    dialed: caller.dialed,
    visited,
    ...more,
  };
}

export async function planNumber(
  deps: PlanDeps,
  caller: CallerIdentity,
  number: string,
  visited: readonly string[],
): Promise<StageResult<Plan>> {
  const routed = await routeCall(deps.routing, deps.features, caller, number);
  if (!routed.ok) return routed;
  const route = routed.value;
  if (route.kind === "outbound")
    return accept({
      next: { kind: "ring", set: outboundTargets(caller.party, route) },
      calleeRelayMedia: route.relayMedia === true,
      maxDurationMs: route.maxDurationMs,
      outbound: true,
      recordCalls: route.recordCalls === true,
    });
  if (route.kind === "service") {
    const service = deps.points.serviceNamed(route.service);
    if (service === undefined) return refuse("route", "no-service");
    const verdict = await service({ ...pointContext(caller, visited), number, argument: route.argument });
    return follow(deps, caller, verdict, visited);
  }
  const found = await findCallee(deps, route.number);
  if (!found.ok) return found;
  const callee = found.value;
  if (visited.includes(callee.party.user)) return refuse("services", "loop-detected");
  const context = pointContext(caller, visited, { callee: callee.party, calleeUser: callee.user });
  const reached = await ask(deps, "reachesCallee", context);
  if (reached !== undefined) return follow(deps, caller, reached, [...visited, callee.party.user]);
  const targets = userTargets(deps, deps.index, callee);
  if (targets.kind === "unreached") {
    const failure = { status: targets.refusal.status, reason: targets.refusal.reason };
    const verdict = await ask(deps, targets.cause, { ...context, failure });
    if (verdict === undefined) return { ok: false, refusal: targets.refusal };
    return follow(deps, caller, verdict, [...visited, callee.party.user]);
  }
  return accept({
    next: { kind: "ring", set: targets.set },
    calleeRelayMedia: callee.user.relayMedia,
    maxDurationMs: 0,
    outbound: false,
  });
}

/** Acts on a service's verdict: its targets, a number routed with the forwarding user's rights, or a refusal. */
export async function follow(
  deps: PlanDeps,
  caller: CallerIdentity,
  verdict: Verdict,
  visited: readonly string[],
): Promise<StageResult<Plan>> {
  if (verdict.kind === "refuse") return refuse("services", verdict.code);
  if (verdict.kind === "targets")
    return accept({
      next: { kind: "ring", set: verdict.set },
      calleeRelayMedia: false,
      maxDurationMs: 0,
      outbound: false,
    });
  if (verdict.kind === "endpoint")
    return accept({ next: verdict, calleeRelayMedia: false, maxDurationMs: 0, outbound: false });
  if (verdict.kind === "destinations") return destinations(deps, caller, verdict, visited);
  if (verdict.kind === "group") return groupPlan(deps, verdict);
  if (visited.length >= MAX_HOPS) return refuse("services", "loop-detected");
  const as =
    verdict.asUser === undefined ? undefined : await deps.users.lookup(deps.domainId, verdict.asUser);
  // Toll fraud guard: the number is routed with the forwarding user's call right, not the caller's.
  const rights: CallerIdentity =
    as === undefined
      ? caller
      : {
          ...caller,
          user: as.user,
          inbound: undefined,
          party: { domainId: deps.domainId, user: as.user.name, displayName: as.user.displayName },
        };
  const plan = await planNumber(deps, rights, verdict.number, visited);
  if (!plan.ok || plan.value.next.kind !== "ring") return plan;
  // The forwarded legs are addressed to their new callee (the caller dialled someone else), and
  // carry the diversions that led there, the latest first (RFC 5806 4).
  const inner = plan.value.next.set;
  const diversions = [
    ...(inner.diversions ?? []),
    ...(verdict.diversion === undefined ? [] : [verdict.diversion]),
  ];
  const set = { ...inner, toUser: inner.callee.user, ...(diversions.length === 0 ? {} : { diversions }) };
  return accept({ ...plan.value, next: { kind: "ring", set } });
}

/**
 * Follow-me's destinations as one target set: each number routed as `asUser` dialled it (its call
 * right, no toll fraud), the user's own number ringing its own devices; the destinations that
 * cannot be reached are left out, and when none can, the first refusal ends the call.
 */
async function destinations(
  deps: PlanDeps,
  caller: CallerIdentity,
  verdict: Extract<Verdict, { kind: "destinations" }>,
  visited: readonly string[],
): Promise<StageResult<Plan>> {
  const owner = await findCallee(deps, verdict.asUser);
  if (!owner.ok) return owner;
  const targets: CallTarget[] = [];
  let relay = false;
  let firstRefusal: StageResult<Plan> | undefined;
  for (const number of verdict.numbers) {
    if (number === verdict.asUser) {
      const own = userTargets(deps, deps.index, owner.value);
      if (own.kind === "targets") targets.push(...own.set.targets);
      else firstRefusal ??= { ok: false, refusal: own.refusal };
      relay ||= owner.value.user.relayMedia;
      continue;
    }
    const plan = await follow(deps, caller, { kind: "route", number, asUser: verdict.asUser }, [
      ...visited,
      verdict.asUser,
    ]);
    if (!plan.ok) firstRefusal ??= plan;
    else if (plan.value.next.kind === "ring") {
      targets.push(...plan.value.next.set.targets);
      relay ||= plan.value.calleeRelayMedia;
    }
  }
  if (targets.length === 0) return firstRefusal ?? refuse("services", "unavailable");
  return accept({
    next: {
      kind: "ring",
      set: {
        callee: owner.value.party,
        targets,
        mode: verdict.mode,
        noAnswerMs: verdict.noAnswerMs,
        attemptMs: verdict.attemptMs,
      },
    },
    calleeRelayMedia: relay,
    maxDurationMs: 0,
    outbound: false,
  });
}

/** The targets a service names after a fork failed (busy, no answer, unreachable), if any. */
export async function replan(
  deps: PlanDeps,
  caller: CallerIdentity,
  point: "busy" | "noAnswer" | "unreachable",
  context: {
    readonly callId: string;
    readonly callee: CallParty;
    readonly failure: { status: number; reason: string };
  },
  visited: readonly string[],
): Promise<NextHop | { readonly status: number; readonly reason: string } | undefined> {
  if (!deps.points.has(point)) return undefined;
  const verdict = await deps.points.ask(point, pointContext(caller, visited, context));
  if (verdict === undefined) return undefined;
  const plan = await follow(deps, caller, verdict, [...visited, context.callee.user]);
  if (plan.ok) return plan.value.next;
  // A service that chose to refuse (a hunt group's "busy" when nobody answered) says what the
  // caller gets; a failed attempt to ring elsewhere leaves the fork's own failure.
  return verdict.kind === "refuse" ? { status: plan.refusal.status, reason: plan.refusal.reason } : undefined;
}

/**
 * RFC 3261 21.3: the callee's phone redirected the call (3xx, its own forwarding or a deflect key):
 * the Contact's number is routed as if the callee dialled it, like a forwarding (its call right,
 * at most MAX_HOPS, never a user twice), with diversion reason "deflection".
 */
export async function followRedirect(
  deps: PlanDeps,
  caller: CallerIdentity,
  callee: CallParty,
  number: string,
  visited: readonly string[],
): Promise<NextHop | { readonly status: number; readonly reason: string }> {
  const verdict: Verdict = {
    kind: "route",
    number,
    asUser: callee.user,
    diversion: { from: callee, reason: "deflection" },
  };
  const plan = await follow(deps, caller, verdict, [...visited, callee.user]);
  return plan.ok ? plan.value.next : { status: plan.refusal.status, reason: plan.refusal.reason };
}

function ask(deps: PlanDeps, point: DecisionPoint, context: PointContext): Promise<Verdict | undefined> {
  return deps.points.has(point) ? deps.points.ask(point, context) : Promise.resolve(undefined);
}

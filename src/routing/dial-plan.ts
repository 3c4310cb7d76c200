/**
 * The dial plan engine: a called number and who is calling in, a Route and the steps that led
 * to it out. Pure: no sockets, no clock, no database (ARCHITECTURE.md, routing/).
 *
 * Analyze (longest prefix in the caller's dial plan) → call right → transition → re-analyze when
 * the record says so (at most MAX_ANALYSIS_ROUNDS rounds) → route. No record: a local user,
 * unless the number starts with the out-group prefix, which is removed and the call leaves on an
 * external line.
 */
import { prefixIndex } from "./prefix.js";
import { outGroupSkip } from "./route-explainer.js";
import { applyTransition } from "./transition.js";
import {
  type AnalyzeRecord,
  DEFAULT_DIAL_PLAN,
  type DialPlanTables,
  MAX_ANALYSIS_ROUNDS,
  type RefineRecord,
  type Route,
  type RoutingContext,
  type RoutingResult,
  type RoutingStep,
  type Transition,
} from "./types.js";

/** The dial plan a caller uses: its own when it exists, else `default`. */
export function effectiveDialPlan(tables: DialPlanTables, name: string): string {
  return tables.dialPlans.includes(name) ? name : DEFAULT_DIAL_PLAN;
}

function transitionById(tables: DialPlanTables, id: number): Transition | undefined {
  return tables.transitions.find((t) => t.id === id);
}

/** Routes a called number (the dry run and the SIP path both call this). */
export function routeNumber(tables: DialPlanTables, dialed: string, context: RoutingContext): RoutingResult {
  const dialPlan = effectiveDialPlan(tables, context.dialPlan);
  const records = prefixIndex(tables.analyze, (r) => r.dialPlan);
  const steps: RoutingStep[] = [];
  const done = (route: Route): RoutingResult => ({ route, steps });
  let number = dialed;
  for (let round = 0; round < MAX_ANALYSIS_ROUNDS; round++) {
    const record = records.match(dialPlan, number);
    steps.push({ step: "analyze", dialPlan, number, record });
    if (record === undefined) return done(defaultRoute(tables, number, context, steps));
    if (record.callRight > context.callRight) {
      steps.push({ step: "call-right", required: record.callRight, caller: context.callRight });
      return done({ kind: "reject", status: 403, reason: "Insufficient Call Right" });
    }
    if (record.changeNumber) {
      const transition = transitionById(tables, record.transitionId);
      if (transition === undefined) {
        return done({ kind: "reject", status: 500, reason: `Missing Transition ${record.transitionId}` });
      }
      const after = applyTransition(number, transition);
      steps.push({ step: "transition", transitionId: transition.id, before: number, after });
      number = after;
      if (record.reanalyze) continue;
    }
    return done(routeOf(record, number));
  }
  return done({ kind: "reject", status: 500, reason: "Dial Plan Loop" });
}

function routeOf(record: AnalyzeRecord, number: string): Route {
  switch (record.routeType) {
    case "local-user":
      return { kind: "local-user", number };
    case "external-line":
      return {
        kind: "external-line",
        number,
        line: record.externalLine,
        outgoingGroupId: record.outgoingGroupId,
      };
    case "sip-trunk":
      return { kind: "sip-trunk", number, trunk: record.sipTrunk };
    case "ringing-group":
      return { kind: "ringing-group", number, groupId: record.ringingGroupId ?? 0 };
    case "auto-attendant":
      return { kind: "auto-attendant", number };
    case "script":
      return { kind: "script", number, script: record.script ?? "" };
    case "reject":
      return { kind: "reject", status: record.rejectStatus, reason: "Rejected By Dial Plan" };
  }
}

/** FEATURES.md section 5: "When no record matches". */
function defaultRoute(
  tables: DialPlanTables,
  number: string,
  context: RoutingContext,
  steps: RoutingStep[],
): Route {
  const prefix = tables.outGroupPrefix;
  // The explainer tells why this rule does not apply with the same function.
  if (outGroupSkip(prefix, number, context.origin) === undefined) {
    const outside = number.slice(prefix.length);
    steps.push({
      step: "default",
      rule: `out-group prefix "${prefix}" removed: any external line`,
      number: outside,
    });
    return { kind: "external-line", number: outside, line: "", outgoingGroupId: 0 };
  }
  steps.push({ step: "default", rule: "no record matched: a local user", number });
  return { kind: "local-user", number };
}

/**
 * Refine called number: the last change before a call leaves on a line or trunk of
 * `outgoingGroupId` (longest prefix among that group's records; group 0 has none).
 */
export function refineNumber(
  tables: DialPlanTables,
  number: string,
  outgoingGroupId: number,
): { number: string; step: RoutingStep } {
  const record: RefineRecord | undefined =
    outgoingGroupId === 0
      ? undefined
      : prefixIndex(tables.refine, (r) => r.outgoingGroupId).match(outgoingGroupId, number);
  const transition = record === undefined ? undefined : transitionById(tables, record.transitionId);
  const after = transition === undefined ? number : applyTransition(number, transition);
  return { number: after, step: { step: "refine", outgoingGroupId, record, before: number, after } };
}

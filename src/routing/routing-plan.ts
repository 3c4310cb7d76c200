/**
 * A routing plan: the dial plan engine (dial-plan.ts) over one snapshot of the tables, plus the
 * lines or trunks the route leaves on and the number refined for each. Pure: the snapshot, the
 * caller, the round-robin cursor and the live facts (which lines and trunks can take a call) come
 * in; the plan and where the round robin moves next come out. routing-service.ts keeps the state.
 */
import { effectiveDialPlan, refineNumber, routeNumber } from "./dial-plan.js";
import { type EmergencyNumber, emergencyPlan } from "./emergency.js";
import type { Carrier, RoutableLine, RoutableTrunk } from "./outbound-candidates.js";
import {
  type Candidate,
  type CarrierSkip,
  type LineCheck,
  lineChoice,
  type Outcome,
  routeCandidates,
  type TrunkCheck,
  trunkChoice,
} from "./route-explainer.js";
import {
  type AnalyzeRecord,
  DEFAULT_DIAL_PLAN,
  type DialPlanTables,
  type RefineRecord,
  type Route,
  type RoutingContext,
  type RoutingStep,
  type Transition,
} from "./types.js";

/**
 * The routing tables as one read of the configuration (the store's RoutingSnapshot satisfies it,
 * with its own line and trunk types carried through to the plan).
 */
export interface RoutingTablesSnapshot<
  L extends RoutableLine = RoutableLine,
  T extends RoutableTrunk = RoutableTrunk,
> {
  /** The dial plans the administrator made and the local users of each (`default` is implicit). */
  readonly dialPlans: ReadonlyArray<{ readonly name: string; readonly users: readonly string[] }>;
  readonly analyze: readonly AnalyzeRecord[];
  readonly transitions: readonly Transition[];
  readonly refine: readonly RefineRecord[];
  readonly lines: readonly L[];
  readonly trunks: readonly T[];
  /** The emergency numbers table (emergency.ts); absent: no number is one. */
  readonly emergencyNumbers?: readonly EmergencyNumber[];
}

/** The line and trunk types of a snapshot type. */
export type LineOf<S extends RoutingTablesSnapshot> = S["lines"][number];
export type TrunkOf<S extends RoutingTablesSnapshot> = S["trunks"][number];

/** What routing needs of a local user who calls (the store's LocalUser satisfies it). */
export interface CallerUser {
  readonly name: string;
  readonly callRight: number;
  /** The line this user's outside calls leave on by default; "" = none. */
  readonly specificExternalLine: string;
}

/** Who is calling: a local user, or a call coming in on a line or trunk. */
export type Caller<L extends RoutableLine = RoutableLine, T extends RoutableTrunk = RoutableTrunk> =
  | { readonly origin: "user"; readonly user: CallerUser }
  | { readonly origin: "line"; readonly line: L }
  | { readonly origin: "trunk"; readonly trunk: T };

/** One line or trunk to try, with the number as it leaves on it. */
export interface Attempt<L extends RoutableLine = RoutableLine, T extends RoutableTrunk = RoutableTrunk> {
  readonly carrier: Carrier<L, T>;
  readonly number: string;
  readonly refine: RoutingStep;
}

export interface RoutingPlan<L extends RoutableLine = RoutableLine, T extends RoutableTrunk = RoutableTrunk> {
  readonly dialed: string;
  readonly dialPlan: string;
  readonly route: Route;
  readonly steps: readonly RoutingStep[];
  /** For a line or trunk route: what will be tried, in order (empty: none usable). */
  readonly attempts: ReadonlyArray<Attempt<L, T>>;
  /**
   * Every candidate looked at, in order, tried or not and why (route-explainer.ts); absent from a
   * plan made without the dial plan's analysis.
   */
  readonly candidates?: readonly Candidate[];
}

/** The live facts a plan takes into account, and where the round robin stands. */
export interface PlanInput<L extends RoutableLine, T extends RoutableTrunk> {
  readonly outGroupPrefix: string;
  /** Round-robin position of a pool of lines (keyed by outgoing group; "0" = the lines open to all). */
  readonly cursor: (key: string) => number;
  /** Whether a line or trunk can carry one more outgoing call now (registered, under its limits). */
  readonly usableLine: (line: L) => boolean;
  readonly usableTrunk: (trunk: T) => boolean;
  /** The same facts with the reason a line or trunk cannot (preferred over usableLine/usableTrunk). */
  readonly checkLine?: LineCheck<L>;
  readonly checkTrunk?: TrunkCheck<T>;
}

/** A yes-or-no fact as a check (the reason untold). */
function yesNo<C>(usable: (carrier: C) => boolean): (carrier: C) => CarrierSkip | undefined {
  return (carrier) => (usable(carrier) ? undefined : { code: "line-offline" });
}

export interface PlanResult<L extends RoutableLine, T extends RoutableTrunk> {
  readonly plan: RoutingPlan<L, T>;
  /** Where the round robin of a pool moves if this call goes ahead (the next call starts after the line it took). */
  readonly advance?: { readonly key: string; readonly cursor: number };
}

export function dialPlanTables(snapshot: RoutingTablesSnapshot, outGroupPrefix: string): DialPlanTables {
  return {
    dialPlans: [DEFAULT_DIAL_PLAN, ...snapshot.dialPlans.map((p) => p.name)],
    analyze: snapshot.analyze,
    transitions: snapshot.transitions,
    refine: snapshot.refine,
    outGroupPrefix,
  };
}

/** The dial plan a local user belongs to: the plan listing it, else `default`. */
export function dialPlanOfUser(snapshot: RoutingTablesSnapshot, user: string): string {
  return snapshot.dialPlans.find((p) => p.users.includes(user))?.name ?? DEFAULT_DIAL_PLAN;
}

function contextOf<L extends RoutableLine, T extends RoutableTrunk>(
  snapshot: RoutingTablesSnapshot<L, T>,
  caller: Caller<L, T>,
): RoutingContext {
  switch (caller.origin) {
    case "user":
      return {
        origin: "user",
        callRight: caller.user.callRight,
        dialPlan: dialPlanOfUser(snapshot, caller.user.name),
      };
    case "line":
      return { origin: "line", callRight: 0, dialPlan: caller.line.dialPlan };
    case "trunk":
      return { origin: "trunk", callRight: 0, dialPlan: caller.trunk.dialPlan };
  }
}

/** Routes `dialed` for `caller` over one snapshot of the tables. */
export function planRoute<L extends RoutableLine, T extends RoutableTrunk>(
  snapshot: RoutingTablesSnapshot<L, T>,
  caller: Caller<L, T>,
  dialed: string,
  input: PlanInput<L, T>,
): PlanResult<L, T> {
  const tables = dialPlanTables(snapshot, input.outGroupPrefix);
  const context = contextOf(snapshot, caller);
  const emergency = emergencyPlan(
    snapshot,
    caller,
    dialed,
    effectiveDialPlan(tables, context.dialPlan),
    input,
  );
  if (emergency !== undefined) return emergency;
  const { route, steps } = routeNumber(tables, dialed, context);
  const dialPlan = tables.dialPlans.includes(context.dialPlan) ? context.dialPlan : DEFAULT_DIAL_PLAN;
  const attempts: Array<Attempt<L, T>> = [];
  const candidates = routeCandidates(steps, route, input.outGroupPrefix, context.origin);
  const attempt = (carrier: Carrier<L, T>, number: string) => {
    const group = carrier.kind === "line" ? carrier.line.outgoingGroupId : carrier.trunk.outgoingGroupId;
    const refined = refineNumber(tables, number, group);
    attempts.push({ carrier, number: refined.number, refine: refined.step });
  };
  // The carriers looked at, the tried ones with the number as it leaves on each.
  const looked = (list: readonly Candidate[]) => {
    let i = 0;
    for (const c of list) candidates.push(c.tried ? { ...c, number: attempts[i++]?.number ?? "" } : c);
  };
  let advance: PlanResult<L, T>["advance"];
  if (route.kind === "external-line") {
    const callerLine = caller.origin === "user" ? caller.user.specificExternalLine : "";
    const key = `${route.outgoingGroupId}`;
    const choice = lineChoice(
      snapshot.lines,
      { line: route.line, outgoingGroupId: route.outgoingGroupId, callerLine, cursor: input.cursor(key) },
      input.checkLine ?? yesNo(input.usableLine),
    );
    const lines = choice.tried;
    for (const line of lines) attempt({ kind: "line", line }, route.number);
    looked(choice.candidates);
    if (route.line === "" && lines.length > 0) {
      const pool = snapshot.lines.filter((l) =>
        route.outgoingGroupId === 0 ? l.allUsers : l.outgoingGroupId === route.outgoingGroupId,
      );
      const index = pool.indexOf(lines[0]!);
      if (index >= 0) advance = { key, cursor: index + 1 };
    }
  } else if (route.kind === "sip-trunk") {
    const choice = trunkChoice(snapshot.trunks, route.trunk, input.checkTrunk ?? yesNo(input.usableTrunk));
    for (const trunk of choice.tried) attempt({ kind: "trunk", trunk }, route.number);
    looked(choice.candidates);
  }
  const plan = { dialed, dialPlan, route, steps, attempts, candidates };
  return advance === undefined ? { plan } : { plan, advance };
}

/** A plan as the dry run shows it (fresh JSON data, its own copy): attempts name their line or trunk. */
export interface ExplainedPlan {
  readonly dialed: string;
  readonly dialPlan: string;
  readonly route: Route;
  readonly steps: RoutingStep[];
  readonly attempts: Array<{
    readonly kind: "line" | "trunk";
    readonly id: string;
    readonly number: string;
    readonly refine: RoutingStep;
  }>;
  /** Every candidate looked at, in order: tried, or skipped and why. */
  readonly candidates: Candidate[];
  /** What the call would get (the real call's decide() answers the same). */
  readonly outcome: Outcome;
  /**
   * Whether the lines' and trunks' live state (registration, calls in progress) was known: false
   * when no SIP server runs with these tables, and every line and trunk is then taken as usable.
   */
  readonly live: boolean;
}

export function explainPlan(plan: RoutingPlan, outcome: Outcome, live: boolean): ExplainedPlan {
  return {
    dialed: plan.dialed,
    dialPlan: plan.dialPlan,
    route: { ...plan.route },
    steps: plan.steps.map((s) => ({ ...s })),
    attempts: plan.attempts.map((a) => ({
      kind: a.carrier.kind,
      id: carrierId(a.carrier),
      number: a.number,
      refine: { ...a.refine },
    })),
    candidates: (plan.candidates ?? []).map((c) => ({ ...c })),
    outcome: outcome.kind === "outbound" ? { ...outcome, carriers: [...outcome.carriers] } : { ...outcome },
    live,
  };
}

/** A line's account or a trunk's ID. */
export function carrierId(carrier: Carrier): string {
  return carrier.kind === "line" ? carrier.line.account : carrier.trunk.trunkId;
}

/** The dial plan engine's tables and a caller's context, read from a routing snapshot. */
import { DEFAULT_DIAL_PLAN, type DialPlanTables } from "../routing/types.js";
import type { RoutingSnapshot } from "../store/routing-validation.js";

export function dialPlanTables(snapshot: RoutingSnapshot, outGroupPrefix: string): DialPlanTables {
  return {
    dialPlans: [DEFAULT_DIAL_PLAN, ...snapshot.dialPlans.map((p) => p.name)],
    analyze: snapshot.analyze,
    transitions: snapshot.transitions,
    refine: snapshot.refine,
    outGroupPrefix,
  };
}

/** The dial plan a local user belongs to: the plan listing it, else `default`. */
export function dialPlanOfUser(snapshot: RoutingSnapshot, user: string): string {
  return snapshot.dialPlans.find((p) => p.users.includes(user))?.name ?? DEFAULT_DIAL_PLAN;
}

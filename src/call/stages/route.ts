/**
 * Stage 4, route: feature codes first (a service's code such as `*93*101#` names the service),
 * then the dial plan (src/trunks through the CallRouting interface): a local user, an outside
 * number through lines or trunks, a service, or a refusal (a call right, a reject record).
 */
import type { CallRouting, RoutingDecision } from "../call-routing.js";
import { accept, refuseWith, type StageResult } from "../refusal.js";
import type { CallerIdentity } from "./context.js";

/** Where a number goes, once routed (a refusal is a StageResult's). */
export type Route = Exclude<RoutingDecision, { kind: "refuse" }>;

/** A feature code recognised in a dialled number: the service it names and what follows it. */
export interface FeatureCodeMatch {
  readonly service: string;
  /** The argument of the code (`101` of `*93*101#`), "" when none. */
  readonly argument: string;
}

/** The feature code table (the services issue fills it); analysed before the dial plan. */
export interface FeatureCodes {
  match(dialed: string): FeatureCodeMatch | undefined;
}

export async function routeCall(
  routing: CallRouting | undefined,
  features: FeatureCodes | undefined,
  caller: CallerIdentity,
  number: string = caller.dialed,
): Promise<StageResult<Route>> {
  const feature = features?.match(number);
  if (feature !== undefined)
    return accept({ kind: "service", service: feature.service, number, argument: feature.argument });
  if (routing === undefined) return accept({ kind: "local-user", number });
  const decision = await routing.decide({
    user: caller.user,
    userName: caller.party.user,
    callerDisplayName: caller.party.displayName,
    inbound: caller.inbound,
    dialed: number,
  });
  if (decision.kind === "refuse")
    return refuseWith(
      "route",
      decision.status,
      decision.reason,
      decision.detail === undefined ? {} : { headers: [["Warning", warning(decision.detail)]] },
    );
  return accept(decision);
}

/**
 * RFC 3261 20.43: `Warning: warn-code SP warn-agent SP warn-text`; 399 is "miscellaneous warning"
 * ("the warning text can include arbitrary information to be presented to a human user"). The
 * text is the route explainer's detail, the dry run's, so an operator reads the same words.
 */
function warning(detail: string): string {
  return `399 parley "${detail.replace(/[\\"]/g, "'").replace(/[\r\n]/g, " ")}"`;
}

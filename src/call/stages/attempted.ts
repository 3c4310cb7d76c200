/**
 * The "attempted" detection point (docs/call-lifecycle.md): before any routing, a service may
 * refuse the call, send it elsewhere, or rename its caller (a caller-ID lookup script, issue 18:
 * the callee's display and the CDR show the new name). Without a verdict the number is planned
 * as dialled, for the caller as renamed.
 */
import { withheldIdentity } from "../caller-privacy.js";
import type { DetectionPointTable } from "../detection-points.js";
import type { StageResult } from "../refusal.js";
import type { CallParty } from "../types.js";
import type { CallerContext } from "./context.js";
import { follow, type Plan, type PlanDeps, planNumber, pointContext } from "./plan.js";

export async function planAttempt(
  points: DetectionPointTable,
  deps: PlanDeps,
  caller: CallerContext,
): Promise<{ readonly plan: StageResult<Plan>; readonly caller: CallerContext }> {
  if (!points.has("attempted")) return { plan: await planNumber(deps, caller, caller.dialed, []), caller };
  let party: CallParty | undefined;
  const rename = (to: Partial<CallParty>) => {
    party = { ...(party ?? caller.party), ...to };
  };
  const anonymous = withheldIdentity(caller.rx.message);
  const verdict = await points.ask("attempted", pointContext(caller, [], { anonymous, rename }));
  const who = party === undefined ? caller : { ...caller, party };
  const plan =
    verdict === undefined
      ? await planNumber(deps, who, caller.dialed, [])
      : await follow(deps, who, verdict, []);
  return { plan, caller: who };
}

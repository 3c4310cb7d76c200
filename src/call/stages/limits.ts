/**
 * Stage 3, limits: a local user's concurrent calls, in both directions and outgoing
 * (FEATURES.md section 2), refused with 403 and a reason that names the limit. The lists
 * (black and white lists) attach at the "attempted" detection point that follows.
 */
import type { PartyIndex } from "../party-index.js";
import { accept, refuse, type StageResult } from "../refusal.js";
import type { CallerContext } from "./context.js";

export function checkCallerLimits(index: PartyIndex, caller: CallerContext): StageResult<CallerContext> {
  const user = caller.user;
  if (user === undefined) return accept(caller);
  if (index.activeCount(caller.party) >= user.maxConcurrentCalls)
    return refuse("limits", "max-concurrent-calls", { disposition: "failed" });
  if (index.outgoingCount(caller.party) >= user.maxConcurrentOutgoingCalls)
    return refuse("limits", "max-outgoing-calls", { disposition: "failed" });
  return accept(caller);
}

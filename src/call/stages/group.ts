/**
 * A group verdict (ringing group, hunt group; FEATURES.md sections 2 and 6) as one target set:
 * each member is looked up and its registered devices become targets carrying the member's party,
 * so the member that answers becomes the call's callee. Members that cannot ring are left out:
 * deleted since the group was read, at their concurrency limit (busy), or with no device. The
 * services have already skipped members in do-not-disturb or talking without call waiting.
 */
import type { Verdict } from "../detection-points.js";
import { accept, refuse, type StageResult } from "../refusal.js";
import type { CallTarget } from "../types.js";
import type { Plan, PlanDeps } from "./plan.js";
import { findCallee, userTargets } from "./resolve-targets.js";

export async function groupPlan(
  deps: PlanDeps,
  verdict: Extract<Verdict, { kind: "group" }>,
): Promise<StageResult<Plan>> {
  const targets: CallTarget[] = [];
  let relay = false;
  let busy = false;
  for (const member of verdict.members) {
    const found = await findCallee(deps, member);
    if (!found.ok) continue;
    const own = userTargets(deps, deps.index, found.value);
    if (own.kind === "unreached") {
      busy ||= own.cause === "busy";
      continue;
    }
    const party = found.value.party;
    for (const target of own.set.targets) targets.push({ ...target, party });
    relay ||= found.value.user.relayMedia;
  }
  // RFC 3261 16.7 step 6 in spirit: every member busy is busy; none reachable is unavailable.
  if (targets.length === 0) return refuse("services", busy ? "busy" : "unavailable");
  return accept({
    next: {
      kind: "ring",
      set: {
        callee: verdict.callee,
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

/**
 * Call waiting (FEATURES.md section 6: "a second call to a busy user with the right rings as
 * waiting"; issue 15). A call reaching a user who is already talking rings that user's devices
 * when the user has the call-waiting right (the phone plays its own waiting tone and offers to
 * switch); without the right it takes the busy path: forwarding on busy, voicemail on busy, or
 * 486 Busy Here. The user's concurrency limits still hold (the engine checks them when it
 * resolves the callee's devices).
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import { takeBusyPath } from "../busy-path.js";

/** After unconditional forwarding (10) and do not disturb (20). */
export const CALL_WAITING_ORDER = 30;

export interface CallWaitingDeps {
  /** Whether the user is in a call now (answered, talking). */
  readonly talking: (domainId: number, user: string) => boolean;
}

export function registerCallWaiting(points: DetectionPointTable, deps: CallWaitingDeps): () => void {
  return points.decide(
    "reachesCallee",
    "call-waiting",
    async (context: PointContext): Promise<Verdict | undefined> => {
      const user = context.calleeUser;
      if (user === undefined || user.callWaiting) return undefined;
      if (!deps.talking(user.domainId, user.name)) return undefined;
      return takeBusyPath(points, context);
    },
    CALL_WAITING_ORDER,
  );
}

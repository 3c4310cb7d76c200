/**
 * Do not disturb (issue 15; FEATURES.md section 2, supplementary services of a local user): a
 * call reaching a user whose `doNotDisturb` is on never rings a device; it takes the busy path, as
 * if every device had answered 486 Busy Here: forwarding on busy, voicemail on busy, or 486.
 * The user turns it on and off in the API, the web UI, the CLI or by feature code (`*78`/`*79`,
 * src/services/user-codes).
 * (src/services/busy-path.ts).
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import { takeBusyPath } from "../busy-path.js";

/**
 * NOTE: after unconditional forwarding (order 10 in src/services/forwarding): a user who sends
 * every call elsewhere has them forwarded even while do-not-disturb is on, since the calls would
 * not ring the user's phones anyway.
 */
export const DND_ORDER = 20;

export function registerDoNotDisturb(points: DetectionPointTable): () => void {
  return points.decide(
    "reachesCallee",
    "do-not-disturb",
    async (context: PointContext): Promise<Verdict | undefined> => {
      if (context.calleeUser?.doNotDisturb !== true) return undefined;
      return takeBusyPath(points, context);
    },
    DND_ORDER,
  );
}

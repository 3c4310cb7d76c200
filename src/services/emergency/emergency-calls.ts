/**
 * Emergency numbers at the "attempted" detection point (issue 23): a local user's call to an
 * emergency number (routing/emergency.ts: as dialled, or after the out-group prefix) is never
 * blocked by the black and white list. The routing side (no call right, the number's line first)
 * is in routing/emergency.ts; this answers the lists' question "is this call exempt?".
 */
import type { PointContext } from "../../call/detection-points.js";
import { classifyEmergency } from "../../routing/emergency.js";
import { emergencyNumbersOf } from "../../store/emergency-repository.js";
import type { Store } from "../../store/index.js";

/** Whether a call is a local user's call to an emergency number (read from the store each time). */
export function emergencyCallCheck(
  store: Pick<Store, "db">,
  outGroupPrefix: () => string,
): (context: PointContext) => Promise<boolean> {
  return async (context) => {
    if (context.inbound !== undefined || context.callerUser === undefined) return false;
    const table = await emergencyNumbersOf(store.db, context.caller.domainId);
    return classifyEmergency(table, context.dialed, outGroupPrefix()) !== undefined;
  };
}

/**
 * The busy path, for services that decide at "reachesCallee" that the callee is busy without
 * ringing it (do not disturb, a talking user without call waiting): the engine offers no verdict
 * "take the busy path" there, so the services attached at "busy" are asked here, with the failure
 * a busy device would have given, and their verdict is passed on (forwarding on busy, voicemail
 * on busy); when none gives one, the call ends with 486 Busy Here (RFC 3261 21.4.24).
 */
import type { DetectionPointTable, PointContext, Verdict } from "../call/detection-points.js";
import { callStatus } from "../core/status-catalogue.js";

/** What a busy device answers, as the "busy" point's failure. */
const BUSY = callStatus("busy");

export async function takeBusyPath(points: DetectionPointTable, context: PointContext): Promise<Verdict> {
  const busy = await points.ask("busy", { ...context, failure: BUSY });
  return busy ?? { kind: "refuse", code: "busy" };
}

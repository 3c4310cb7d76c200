/**
 * Stage 1, identify the caller: an INVITE from a SIP trunk's or an external line's address is
 * that trunk's or line's (FEATURES.md section 4: trusted by address; src/trunks decides); any
 * other is a local user's (or an IP-authorized device's), to be authenticated next. A trunk
 * over its limits, or a line that takes no call now, is refused here; the attempt is a call of
 * that trunk or line and leaves a CDR like any other refusal.
 */
import type { CallRouting } from "../call-routing.js";
import { accept, refuseWith, type StageResult } from "../refusal.js";
import type { Identified, ReceivedInvite } from "./context.js";

export async function identifyCaller(
  routing: CallRouting | undefined,
  rx: ReceivedInvite,
): Promise<StageResult<Identified>> {
  const origin = await routing?.identify(rx);
  if (origin === undefined) return accept({ kind: "user" });
  if (origin.kind === "refuse") return refuseWith("identify", origin.status, origin.reason);
  return accept({ kind: "inbound", origin });
}

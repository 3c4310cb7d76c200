/** The call detail record of a call refused before it was connected (store/cdr-model.ts). */
import { randomUUID } from "node:crypto";
import type { UasInvite } from "../dialog/index.js";
import type { NewCallRecord } from "../store/cdr-model.js";
import { callerPeerUri } from "./call-views.js";
import { failureCause } from "./hangup-cause.js";
import type { Refusal } from "./refusal.js";
import type { CallerContext } from "./stages/context.js";

export function refusalRecord(
  caller: CallerContext,
  uas: UasInvite,
  endedAt: number,
  refusal: Refusal,
): NewCallRecord {
  const { startedAt } = caller;
  const record: NewCallRecord = {
    domainId: caller.party.domainId,
    callId: randomUUID(),
    caller: caller.party.user,
    callerName: caller.party.displayName,
    dialed: caller.dialed,
    startedAt,
    endedAt,
    disposition: refusal.disposition,
    hangupCause: failureCause(refusal.status),
    sipStatus: refusal.status,
    sipReason: refusal.reason,
    legs: [
      {
        role: "caller",
        peer: callerPeerUri(uas.request),
        callId: uas.request.callId ?? "",
        status: refusal.status,
        startedAt,
        endedAt,
      },
    ],
  };
  if (refusal.callee !== undefined) record.callee = refusal.callee;
  return record;
}

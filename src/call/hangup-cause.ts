/**
 * The hang-up cause of a call's record (store/cdr-model.ts HangupCause, issue 23): who hung up an
 * answered call, or why an unanswered one ended. The Call names the cause where it knows it (a
 * side's BYE, a timer, the API); a failure the caller received is named from its status.
 */
import { callStatus } from "../core/status-catalogue.js";
import type { DialogEndCause } from "../dialog/index.js";
import { type HangupCause, rejectedCause } from "../store/cdr-model.js";
import type { CallOutcome } from "./types.js";

/** RFC 3262 3: no PRACK came for a reliable provisional; the call fails with a timeout. */
export const NO_PRACK: CallOutcome = { disposition: "failed", ...callStatus("no-prack"), cause: "timeout" };

/** The cause of a failure the caller received: busy, no answer, timeout, CANCEL, else its status. */
export function failureCause(status: number): HangupCause {
  if (status === 486 || status === 600) return "busy";
  if (status === 480) return "no-answer";
  if (status === 408) return "timeout";
  if (status === 487) return "cancel";
  return rejectedCause(status);
}

/** The record's cause: the one the call named, else the one its final status says. */
export function outcomeCause(outcome: CallOutcome): HangupCause {
  if (outcome.cause !== undefined) return outcome.cause;
  // An answered call always names its cause; this keeps a record valid if one is missed.
  return outcome.status >= 300 ? failureCause(outcome.status) : "callee-bye";
}

/** A bridged side's dialog ended: its BYE, or its loss (a request in it got 481 or 408). */
export function sideCause(callerSide: boolean, cause: DialogEndCause): HangupCause {
  const side = callerSide ? "caller" : "callee";
  return cause === "bye-received" ? `${side}-bye` : `${side}-lost`;
}

/** How the last side of moved sides (side-legs.ts) left the call. */
export interface SideLeaving {
  /** That side was the call's caller (else its callee). */
  readonly callerSide: boolean;
  /** "bye": its phone hung up; "lost": its dialog failed; "endpoint": the service hung up on it. */
  readonly by: "bye" | "lost" | "endpoint";
}

/** The cause when the last moved side left: its phone, or the service it talked to (the other side). */
export function leavingCause(last: SideLeaving | undefined): HangupCause {
  if (last === undefined) return "callee-bye";
  if (last.by === "endpoint") return last.callerSide ? "callee-bye" : "caller-bye";
  const side = last.callerSide ? "caller" : "callee";
  return last.by === "bye" ? `${side}-bye` : `${side}-lost`;
}

/**
 * A call record made to fit the store (issue 22): much of a CDR comes from the peers (Contact,
 * Call-ID, the dialled number, the callee's reason phrase), and a call record must never be
 * refused for what a peer sent. Control characters (a TAB in a Contact) become spaces, and a field
 * longer than its column is cut with a marker at its end, so it is plain that it was cut. The
 * validator then only catches Parley's own bugs.
 */
import type { CallLeg, NewCallRecord } from "./cdr-model.js";
import { CDR_LIMITS } from "./cdr-validation.js";

/** Ends a field that was cut to fit its column. */
export const CUT_MARKER = "…";

const CONTROLS = /[\x00-\x1f\x7f]/g;

/** `text` without control characters and at most `max` characters (cut with CUT_MARKER). */
export function fitText(text: string, max: number): string {
  const clean = text.replace(CONTROLS, " ");
  // Count code points, not UTF-16 units: the columns count characters.
  const chars = [...clean];
  return chars.length <= max ? clean : chars.slice(0, max - 1).join("") + CUT_MARKER;
}

function fitLeg(leg: CallLeg): CallLeg {
  const out: CallLeg = {
    ...leg,
    peer: fitText(leg.peer, CDR_LIMITS.peer),
    callId: fitText(leg.callId, CDR_LIMITS.legCallId),
  };
  if (leg.forwardedBy !== undefined) out.forwardedBy = leg.forwardedBy.slice(0, 8).map((u) => fitText(u, 64));
  return out;
}

/** The record with every peer-supplied field made to fit (a copy; the input is not changed). */
export function fitCallRecord(cdr: NewCallRecord): NewCallRecord {
  const legs =
    cdr.legs.length <= CDR_LIMITS.legs
      ? cdr.legs
      : // Keep the caller's leg and the first callee legs; the last one tried is the callee.
        [...cdr.legs.slice(0, CDR_LIMITS.legs - 1), cdr.legs[cdr.legs.length - 1]!];
  const out: NewCallRecord = {
    ...cdr,
    callId: fitText(cdr.callId, CDR_LIMITS.callId),
    caller: fitText(cdr.caller, CDR_LIMITS.number),
    callerName: fitText(cdr.callerName, CDR_LIMITS.callerName),
    dialed: fitText(cdr.dialed, CDR_LIMITS.number),
    sipReason: fitText(cdr.sipReason, CDR_LIMITS.sipReason),
    legs: legs.map(fitLeg),
  };
  // A callee with no name (a To without a user part) is no callee.
  if (cdr.callee === "") delete out.callee;
  else if (cdr.callee !== undefined) out.callee = fitText(cdr.callee, CDR_LIMITS.number);
  if (cdr.media !== undefined && JSON.stringify(cdr.media).length > CDR_LIMITS.media)
    out.media = { truncated: true };
  return out;
}

/**
 * What a Call shows of itself: its live view for GET /api/v1/calls and its call detail record
 * (store/cdr-model.ts), both built from the same facts.
 */

import { parseNameAddr } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";
import type { CallLeg, NewCallRecord } from "../store/cdr-model.js";
import type { ActiveCall, ActiveCallLeg } from "./call-view-types.js";
import { outcomeCause } from "./hangup-cause.js";
import type { CalleeLeg, CallOutcome, CallParty } from "./types.js";

export interface CallFacts {
  readonly id: string;
  readonly state: "ringing" | "answered" | "ending" | "ended";
  /** Who placed the call. */
  readonly caller: CallParty;
  /** The parties on each side now (a transfer changes them). */
  readonly callerParty: CallParty;
  readonly calleeParty: CallParty;
  readonly dialed: string;
  /** The caller's Contact (or From URI) and the Call-ID of its INVITE. */
  readonly callerPeer: string;
  readonly callerCallId: string;
  /** The final status the caller received (0 before one). */
  readonly callerStatus: number;
  readonly startedAt: number;
  readonly answeredAt: number | undefined;
  readonly legs: readonly CalleeLeg[];
}

/**
 * The caller leg's peer in the one form of every CDR leg's peer, a bare URI (no display name, angle
 * brackets or header parameters): the URI of the INVITE's Contact, as the callee legs record their
 * targets (`"Bob" <sip:bob@10.0.0.5:5062>;expires=60` is `sip:bob@10.0.0.5:5062`); else the From URI.
 */
export function callerPeerUri(request: SipRequest): string {
  const contact = request.get("contact");
  const uri = contact === undefined ? undefined : parseNameAddr(contact)?.uri.raw;
  return uri ?? request.from?.uri.raw ?? contact ?? "";
}

function legCallId(leg: CalleeLeg): string {
  return leg.callId ?? leg.invite?.callId ?? leg.dialog?.callId ?? "";
}

export function callView(f: CallFacts): ActiveCall {
  const state = f.state === "answered" ? "answered" : f.state === "ringing" ? "ringing" : "ending";
  const legs: ActiveCallLeg[] = [{ role: "caller", peer: f.callerPeer, callId: f.callerCallId, state }];
  for (const leg of f.legs) {
    if (leg.state === "failed") continue;
    legs.push({ role: "callee", peer: leg.peer, callId: legCallId(leg), state: leg.state });
  }
  const call: ActiveCall = {
    id: f.id,
    domainId: f.caller.domainId,
    caller: f.callerParty.user,
    dialed: f.dialed,
    callee: f.calleeParty.user,
    state,
    startedAt: f.startedAt,
    legs,
  };
  if (f.answeredAt !== undefined) call.answeredAt = f.answeredAt;
  return call;
}

export function callRecord(f: CallFacts, outcome: CallOutcome, endedAt: number): NewCallRecord {
  const answered = outcome.disposition === "answered" && f.answeredAt !== undefined;
  const callerLeg: CallLeg = {
    role: "caller",
    peer: f.callerPeer,
    callId: f.callerCallId,
    status: f.callerStatus,
    startedAt: f.startedAt,
    endedAt,
  };
  if (answered) callerLeg.answeredAt = f.answeredAt;
  const legs: CallLeg[] = [callerLeg];
  for (const leg of f.legs) {
    const out: CallLeg = {
      role: "callee",
      peer: leg.peer,
      callId: legCallId(leg),
      status: leg.status !== 0 ? leg.status : leg.state === "ending" ? 487 : 0,
      startedAt: leg.startedAt,
      endedAt: leg.endedAt ?? endedAt,
    };
    if (leg.forwardedBy !== undefined) out.forwardedBy = [...leg.forwardedBy];
    if (leg.answeredAt !== undefined) out.answeredAt = leg.answeredAt;
    legs.push(out);
  }
  const record: NewCallRecord = {
    domainId: f.caller.domainId,
    callId: f.id,
    caller: f.caller.user,
    callerName: f.caller.displayName,
    dialed: f.dialed,
    // The final callee: who the call ended with after any transfer (issue 4).
    callee: f.calleeParty.user,
    startedAt: f.startedAt,
    endedAt,
    disposition: answered ? "answered" : outcome.disposition === "answered" ? "failed" : outcome.disposition,
    hangupCause: outcomeCause(outcome),
    sipStatus: outcome.status,
    sipReason: outcome.reason,
    legs,
  };
  if (answered) record.answeredAt = f.answeredAt;
  return record;
}

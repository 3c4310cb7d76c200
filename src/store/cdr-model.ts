/**
 * The call detail record (CDR): what the call engine reports when a call ends, one per call, in
 * the API's vocabulary. Times are epoch milliseconds; `duration` is derived, never given.
 */

export const DISPOSITIONS = ["answered", "busy", "no-answer", "failed", "cancelled"] as const;

/**
 * How the call ended for the caller: answered (a callee took it), busy (486/600), no-answer (rang
 * out: no-answer timer, 480, 408), failed (any other failure: unknown number, no binding, error),
 * cancelled (the caller hung up before an answer).
 */
export type Disposition = (typeof DISPOSITIONS)[number];

export type LegRole = "caller" | "callee";

/** One SIP dialog of the call: the caller's leg (Parley as UAS) or a callee leg (Parley as UAC). */
export interface CallLeg {
  role: LegRole;
  /** The peer's URI: the caller's From/Contact, or the callee binding's Contact. */
  peer: string;
  /** The leg's own SIP Call-ID. */
  callId: string;
  /** The leg's final SIP status (200, 486, 487, ...); 0 when it never received or sent one. */
  status: number;
  startedAt: number;
  answeredAt?: number;
  endedAt: number;
  /** A callee leg reached through forwarding: the users whose forwarding led to it, first to last. */
  forwardedBy?: string[];
}

/** What CdrRepository.insert accepts (after validateCallRecord). */
export interface NewCallRecord {
  domainId: number;
  /** Parley's id of the call (the id of GET /api/v1/calls), not a SIP Call-ID. */
  callId: string;
  /** The calling number (user part of the caller's identity). */
  caller: string;
  /** The caller's display name; "" when none. */
  callerName: string;
  /** The number as dialed. */
  dialed: string;
  /** The user or number finally reached (or tried last); absent when none was (e.g. 404). */
  callee?: string;
  startedAt: number;
  /** Set exactly when the disposition is "answered". */
  answeredAt?: number;
  endedAt: number;
  disposition: Disposition;
  /** The final status and reason the caller received (200 OK for an answered call). */
  sipStatus: number;
  sipReason: string;
  legs: CallLeg[];
  /** Media statistics (packets, loss, jitter per leg), once the media relay reports them. */
  media?: Record<string, unknown>;
  /** The call's recording (its id in /api/v1/recordings), when it was recorded (issue 17). */
  recording?: string;
}

/** A stored CDR. */
export interface CallRecord extends NewCallRecord {
  id: number;
  /** Whole seconds from answer to end, rounded up; 0 when unanswered. */
  duration: number;
}

/** Whole seconds from answer to end, rounded up (a 0.2 s call lasted 1 s); 0 when unanswered. */
export function callDuration(answeredAt: number | undefined, endedAt: number): number {
  if (answeredAt === undefined) return 0;
  return Math.max(0, Math.ceil((endedAt - answeredAt) / 1000));
}

/** What CdrRepository.list and iterate select. */
export interface CdrFilter {
  domainId: number;
  /** Calls started at or after this epoch millisecond. */
  from?: number;
  /** Calls started before this epoch millisecond. */
  to?: number;
  /** Matches the caller, the dialed number or the final callee, exactly. */
  number?: string;
  disposition?: Disposition;
}

export interface CdrListQuery extends CdrFilter {
  /** Rows to skip; default 0. */
  offset?: number;
  /** Rows to return; default 100, at most 1000. */
  limit?: number;
}

export interface CdrPage {
  /** Newest first (by start time). */
  items: CallRecord[];
  /** Matching records in all pages. */
  total: number;
}

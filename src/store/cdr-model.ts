/**
 * The call detail record (CDR): what the call engine reports when a call ends, one per call, in
 * the API's vocabulary. Times are epoch milliseconds; `duration` and `talkTime` are derived, never
 * given.
 */

export const DISPOSITIONS = ["answered", "busy", "no-answer", "failed", "cancelled"] as const;

/**
 * How the call ended for the caller: answered (a callee took it), busy (486/600), no-answer (rang
 * out: no-answer timer, 480, 408), failed (any other failure: unknown number, no binding, error),
 * cancelled (the caller hung up before an answer).
 */
export type Disposition = (typeof DISPOSITIONS)[number];

/**
 * Why a call ended, on every record (issue 23): who hung up an answered call, or why an
 * unanswered one ended.
 * - caller-bye / callee-bye: that side sent BYE (a service Parley plays, voicemail or an
 *   auto-attendant, is the callee: its end is callee-bye);
 * - caller-lost / callee-lost: that side's dialog failed (a request in it got 481 or 408);
 * - transfer: the call was given away by an attended transfer (its parties talk on in another);
 * - max-duration, media-timeout, session-expired (RFC 4028), ack-timeout (RFC 3261 13.3.1.4):
 *   Parley ended it for that reason;
 * - hangup-by-admin (the API or `parley calls hangup`), server-shutdown;
 * - cancel (the caller hung up while it rang), busy (486, 600), no-answer (rang out: 480),
 *   timeout (408, or no PRACK), `rejected <status>` (any other failure: `rejected 404`), error;
 * - unknown: only on answered calls recorded before causes were kept (migration 012).
 */
export const HANGUP_CAUSES = [
  "caller-bye",
  "callee-bye",
  "caller-lost",
  "callee-lost",
  "transfer",
  "max-duration",
  "media-timeout",
  "session-expired",
  "ack-timeout",
  "hangup-by-admin",
  "server-shutdown",
  "cancel",
  "busy",
  "no-answer",
  "timeout",
  "error",
  "unknown",
] as const;

export type HangupCause = (typeof HANGUP_CAUSES)[number] | `rejected ${number}`;

/** `rejected 403`: the cause of a failure that has no word of its own. */
export function rejectedCause(status: number): HangupCause {
  return `rejected ${status}`;
}

/** Whether a text is a hang-up cause (one of HANGUP_CAUSES, or `rejected` and a SIP status). */
export function isHangupCause(text: string): text is HangupCause {
  return (HANGUP_CAUSES as readonly string[]).includes(text) || /^rejected [1-6]\d\d$/.test(text);
}

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
  /** Why the call ended: who hung up, or why it was not answered. */
  hangupCause: HangupCause;
  /** The final status and reason the caller received (200 OK for an answered call). */
  sipStatus: number;
  sipReason: string;
  legs: CallLeg[];
  /** Media statistics (packets, loss, jitter per leg), once the media relay reports them. */
  media?: Record<string, unknown>;
  /** The call's recording (its id in /api/v1/recordings), when it was recorded (issue 17). */
  recording?: string;
  /** The calling card that paid for the call (issue 18): its number. */
  card?: string;
  /** What the call was charged to `card`, a decimal of its currency (at most 4 places). */
  charge?: number;
}

/** A stored CDR. */
export interface CallRecord extends NewCallRecord {
  id: number;
  /** Whole seconds from the INVITE to the end (ringing and talk), rounded up. */
  duration: number;
  /** Whole seconds from answer to end, rounded up; 0 when unanswered. */
  talkTime: number;
}

/** Whole seconds from start to end, rounded up (a 0.2 s call lasted 1 s). */
export function callDuration(startedAt: number, endedAt: number): number {
  return Math.max(0, Math.ceil((endedAt - startedAt) / 1000));
}

/** Whole seconds from answer to end, rounded up (a 0.2 s talk lasted 1 s); 0 when unanswered. */
export function talkTime(answeredAt: number | undefined, endedAt: number): number {
  if (answeredAt === undefined) return 0;
  return callDuration(answeredAt, endedAt);
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

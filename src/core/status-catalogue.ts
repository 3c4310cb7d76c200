/**
 * The catalogue of reasons Parley itself rejects a request, each with its SIP status and reason
 * phrase (pjsip style: failures are values that map to SIP responses). The compiler checks that
 * every code has an entry.
 */
export type RejectCode =
  | "unsupported-scheme"
  | "too-many-hops"
  | "bad-extension"
  | "method-not-implemented"
  | "no-transaction"
  | "no-dialog"
  | "not-handled-yet";

export interface RejectEntry {
  readonly status: number;
  readonly reason: string;
  /** Where the rule comes from. */
  readonly rfc: string;
}

export const rejectCatalogue = {
  "unsupported-scheme": { status: 416, reason: "Unsupported URI Scheme", rfc: "RFC 3261 8.2.2.1" },
  "too-many-hops": { status: 483, reason: "Too Many Hops", rfc: "RFC 3261 16.3 / 8.1.1.6" },
  "bad-extension": { status: 420, reason: "Bad Extension", rfc: "RFC 3261 8.2.2.3" },
  "method-not-implemented": { status: 501, reason: "Not Implemented", rfc: "RFC 3261 8.2.1" },
  "no-transaction": { status: 481, reason: "Call/Transaction Does Not Exist", rfc: "RFC 3261 9.2" },
  "no-dialog": { status: 481, reason: "Call/Transaction Does Not Exist", rfc: "RFC 3261 12.2.2" },
  "not-handled-yet": { status: 501, reason: "Not Implemented", rfc: "RFC 3261 21.5.2" },
} as const satisfies Record<RejectCode, RejectEntry>;

/**
 * The statuses of the call engine and its services (call/, trunks/): every refusal of a call
 * stage, every failure a leg or a transfer reports, every in-dialog answer Parley gives itself.
 * A stage returns a code; the SIP status and reason come from here, so the documentation
 * (docs/call-lifecycle.md) and the wire agree.
 */
export type CallStatusCode =
  | "ok"
  | "transferred"
  | "accepted"
  | "trying"
  | "ringing"
  | "banned"
  | "max-concurrent-calls"
  | "max-outgoing-calls"
  | "not-found"
  | "busy"
  | "unavailable"
  | "no-answer"
  | "ended-by-server"
  | "no-prack"
  | "internal-error"
  | "request-terminated"
  | "leg-failed"
  | "refer-outside-call"
  | "request-pending"
  | "no-such-call"
  | "method-not-allowed"
  | "not-acceptable-here"
  | "no-service"
  | "feature-code-forbidden"
  | "loop-detected"
  | "trunk-incoming-forbidden"
  | "trunk-max-incoming-calls"
  | "line-busy"
  | "auto-attendant-unavailable"
  | "carrier-gone"
  | "no-external-line"
  | "no-sip-trunk"
  | "list-declined"
  | "list-forbidden"
  | "list-busy"
  | "list-unavailable"
  | "script-error"
  | "script-busy"
  | "script-unavailable"
  | "script-not-found"
  | "script-forbidden"
  | "script-declined";

export const callStatusCatalogue = {
  ok: { status: 200, reason: "OK", rfc: "RFC 3261 21.2.1" },
  transferred: { status: 200, reason: "Transferred", rfc: "RFC 5589 6 (the CDR of a call given away)" },
  accepted: { status: 202, reason: "Accepted", rfc: "RFC 3515 2.4.2" },
  trying: { status: 100, reason: "Trying", rfc: "RFC 3261 21.1.1" },
  ringing: { status: 180, reason: "Ringing", rfc: "RFC 3261 21.1.2" },
  banned: { status: 403, reason: "Forbidden", rfc: "RFC 3261 21.4.4 (failed-login ban)" },
  "max-concurrent-calls": {
    status: 403,
    reason: "Maximum Concurrent Calls Reached",
    rfc: "FEATURES.md section 2 (a local user's limits)",
  },
  "max-outgoing-calls": {
    status: 403,
    reason: "Maximum Concurrent Outgoing Calls Reached",
    rfc: "FEATURES.md section 2 (a local user's limits)",
  },
  "not-found": { status: 404, reason: "Not Found", rfc: "RFC 3261 21.4.5" },
  busy: { status: 486, reason: "Busy Here", rfc: "RFC 3261 21.4.24" },
  unavailable: { status: 480, reason: "Temporarily Unavailable", rfc: "RFC 3261 21.4.18" },
  "no-answer": { status: 480, reason: "No Answer", rfc: "RFC 3261 21.4.18 (no-answer timer)" },
  "ended-by-server": { status: 480, reason: "Call Ended By Server", rfc: "RFC 3261 21.4.18" },
  "no-prack": { status: 500, reason: "No PRACK", rfc: "RFC 3262 3" },
  "internal-error": { status: 500, reason: "Server Internal Error", rfc: "RFC 3261 21.5.1" },
  "request-terminated": { status: 487, reason: "Request Terminated", rfc: "RFC 3261 9.2" },
  "leg-failed": { status: 503, reason: "Service Unavailable", rfc: "RFC 3261 21.5.4" },
  "refer-outside-call": {
    status: 403,
    reason: "REFER Outside A Call Not Allowed",
    rfc: "RFC 3515 2.4.2 (Parley transfers only calls it bridges)",
  },
  "request-pending": { status: 491, reason: "Request Pending", rfc: "RFC 3261 14.1 / 21.4.27" },
  "no-such-call": { status: 481, reason: "Call/Transaction Does Not Exist", rfc: "RFC 3261 12.2.2" },
  "method-not-allowed": { status: 405, reason: "Method Not Allowed", rfc: "RFC 3261 21.4.6" },
  "not-acceptable-here": { status: 488, reason: "Not Acceptable Here", rfc: "RFC 3261 21.4.26" },
  "no-service": {
    status: 480,
    reason: "Service Not Available",
    rfc: "RFC 3261 21.4.18 (a route names a service that is not installed)",
  },
  "feature-code-forbidden": {
    status: 403,
    reason: "Forbidden",
    rfc: "RFC 3261 21.4.4 (a local user's feature code dialled by an outside caller)",
  },
  "loop-detected": {
    status: 482,
    reason: "Loop Detected",
    rfc: "RFC 3261 21.4.20 (a forwarding chain revisits a user or passes 5 hops)",
  },
  "trunk-incoming-forbidden": {
    status: 403,
    reason: "Incoming Calls Not Allowed On Trunk",
    rfc: "FEATURES.md section 4 (a SIP trunk's direction)",
  },
  "trunk-max-incoming-calls": {
    status: 403,
    reason: "Maximum Incoming Calls Reached",
    rfc: "FEATURES.md section 4 (a SIP trunk's limits)",
  },
  "line-busy": { status: 486, reason: "Line Busy", rfc: "FEATURES.md section 3 (an external line's limit)" },
  "auto-attendant-unavailable": {
    status: 480,
    reason: "Auto-Attendant Not Available",
    rfc: "FEATURES.md section 3 (a line's incoming calls go to the auto-attendant)",
  },
  "carrier-gone": {
    status: 403,
    reason: "Forbidden",
    rfc: "RFC 3261 21.4.4 (the line or trunk the call came in on was removed)",
  },
  "no-external-line": {
    status: 503,
    reason: "No External Line Available",
    rfc: "RFC 3261 21.5.4 (FEATURES.md section 5: the outgoing group has no usable line)",
  },
  "no-sip-trunk": {
    status: 503,
    reason: "No SIP Trunk Available",
    rfc: "RFC 3261 21.5.4 (FEATURES.md section 5: the route's trunks are all unusable)",
  },
  // The answers an administrator may choose for calls the black and white list blocks (issue 16).
  "list-declined": {
    status: 603,
    reason: "Decline",
    rfc: "RFC 3261 21.6.2 (a call blocked by the black and white list, the default)",
  },
  "list-forbidden": {
    status: 403,
    reason: "Forbidden",
    rfc: "RFC 3261 21.4.4 (a call blocked by the black and white list)",
  },
  "list-busy": {
    status: 486,
    reason: "Busy Here",
    rfc: "RFC 3261 21.4.24 (a call blocked by the black and white list)",
  },
  "list-unavailable": {
    status: 480,
    reason: "Temporarily Unavailable",
    rfc: "RFC 3261 21.4.18 (a call blocked by the black and white list)",
  },
  // A service script's ending of a call it did not answer (issue 18): `call.hangup(cause)`.
  "script-error": {
    status: 500,
    reason: "Script Error",
    rfc: "RFC 3261 21.5.1 (a service script failed before it answered)",
  },
  "script-busy": { status: 486, reason: "Busy Here", rfc: "RFC 3261 21.4.24 (a service script's hangup)" },
  "script-unavailable": {
    status: 480,
    reason: "Temporarily Unavailable",
    rfc: "RFC 3261 21.4.18 (a service script's hangup)",
  },
  "script-not-found": {
    status: 404,
    reason: "Not Found",
    rfc: "RFC 3261 21.4.5 (a service script's hangup)",
  },
  "script-forbidden": {
    status: 403,
    reason: "Forbidden",
    rfc: "RFC 3261 21.4.4 (a service script's hangup)",
  },
  "script-declined": { status: 603, reason: "Decline", rfc: "RFC 3261 21.6.2 (a service script's hangup)" },
} as const satisfies Record<CallStatusCode, RejectEntry>;

/** A status and reason from the call catalogue. */
export function callStatus(code: CallStatusCode): { readonly status: number; readonly reason: string } {
  const { status, reason } = callStatusCatalogue[code];
  return { status, reason };
}

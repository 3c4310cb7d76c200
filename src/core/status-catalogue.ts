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

import type { TransactionFailure } from "./types.js";

/**
 * The catalogue of transaction failures and the SIP status each reaches the TU as
 * (pjsip style: failures are values that map to SIP responses).
 */
export const TRANSACTION_FAILURES = {
  // RFC 3261 17.1.1.2: "If ... Timer B fires ..., the client transaction SHOULD inform the TU that
  // a timeout has occurred." RFC 3261 8.1.3.1: "treated as ... a 408 (Request Timeout)".
  timeout: { status: 408, reason: "Request Timeout" },
  // RFC 3261 8.1.3.1: "a transport error ... MUST be treated as if a 503 (Service Unavailable)
  // status code had been received."
  "transport-error": { status: 503, reason: "Service Unavailable" },
} as const satisfies Record<TransactionFailure, { readonly status: number; readonly reason: string }>;

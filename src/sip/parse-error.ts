import type { ParseError, ParseErrorCode, ParseResult, SipMessage } from "./types.js";

/**
 * The catalogue of parse failures: each code's default SIP status. A few errors override it
 * (505 for a bad version, 501 for an unknown method with a CSeq mismatch).
 */
export const PARSE_ERROR_STATUS = {
  empty: 400,
  "bad-start-line": 400,
  // RFC 3261 8.2.2 / 21.5.20: 505 Version Not Supported.
  "bad-version": 505,
  "bad-header": 400,
  "missing-header": 400,
  "multiple-values": 400,
  "bad-value": 400,
  "bad-content-length": 400,
  incomplete: 400,
  "too-large": 413,
} as const satisfies Record<ParseErrorCode, number>;

export function parseFailure(
  code: ParseErrorCode,
  reason: string,
  message: SipMessage | undefined,
  answerable: boolean,
  status: number = PARSE_ERROR_STATUS[code],
): ParseResult {
  const error: ParseError = { code, reason, status, message, answerable };
  return { ok: false, error };
}

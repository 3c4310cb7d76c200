import { parseDecimal, scanToken, skipWs } from "./chars.js";
import type { CSeqValue } from "./types.js";

/** RFC 3261 8.1.1.5: the CSeq sequence number MUST be expressible as a 32-bit unsigned integer. */
export const MAX_CSEQ = 0xffffffff;

/** RFC 3261 20.16: CSeq = 1*DIGIT LWS Method. Returns undefined on a syntax error or overflow. */
export function parseCSeq(value: string): CSeqValue | undefined {
  const n = value.length;
  let i = 0;
  let seq = 0;
  while (i < n) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
    if (seq > MAX_CSEQ) return undefined;
    i++;
  }
  if (i === 0) return undefined;
  const m = skipWs(value, i, n);
  if (m === i) return undefined;
  const e = scanToken(value, m, n);
  if (e === m || e !== n) return undefined;
  return { seq, method: value.slice(m) };
}

/** RFC 3261 20.22: Max-Forwards = 1*DIGIT, 0 to 255 (RFC 4475 3.1.2.4). -1 if invalid. */
export function parseMaxForwards(value: string): number {
  return parseDecimal(value, 255);
}

/** RFC 3261 20.14: Content-Length = 1*DIGIT. -1 if invalid (negative, non-numeric, absurd). */
export function parseContentLength(value: string): number {
  return parseDecimal(value, 0x7fffffff);
}

/**
 * Reading and writing the header fields the dialog layer owns: option tags (RFC 3261 20.32, 20.37),
 * RSeq / RAck (RFC 3262 7), Session-Expires / Min-SE (RFC 4028 4, 5), Retry-After.
 */
import type { SipMessage } from "../sip/types.js";

/** True when `Supported` or `Require` (or whichever header is named) lists the option tag. */
export function hasOptionTag(message: SipMessage, header: "supported" | "require", tag: string): boolean {
  for (const value of message.getAll(header)) if (value.trim().toLowerCase() === tag) return true;
  return false;
}

/** True when the message allows the method (RFC 3261 20.5). Unknown (no Allow) counts as false. */
export function allowsMethod(message: SipMessage, method: string): boolean {
  for (const value of message.getAll("allow")) if (value.trim().toUpperCase() === method) return true;
  return false;
}

/** A 1..2^31-1 decimal; undefined when malformed. */
function parseSeq(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 0xffffffff ? n : undefined;
}

/** RFC 3262 7.1: RSeq = "RSeq" HCOLON response-num. */
export function parseRSeq(message: SipMessage): number | undefined {
  const v = message.get("rseq");
  return v === undefined ? undefined : parseSeq(v.trim());
}

export interface RAckValue {
  readonly rseq: number;
  readonly cseq: number;
  readonly method: string;
}

/** RFC 3262 7.2: RAck = "RAck" HCOLON response-num LWS CSeq-num LWS Method. */
export function parseRAck(message: SipMessage): RAckValue | undefined {
  const v = message.get("rack");
  if (v === undefined) return undefined;
  const parts = v.trim().split(/\s+/);
  if (parts.length !== 3) return undefined;
  const rseq = parseSeq(parts[0]);
  const cseq = parseSeq(parts[1]);
  if (rseq === undefined || cseq === undefined || parts[2] === "") return undefined;
  return { rseq, cseq, method: parts[2] };
}

export type Refresher = "uac" | "uas";

export interface SessionExpiresValue {
  /** Delta-seconds. */
  readonly interval: number;
  readonly refresher: Refresher | undefined;
}

/** RFC 4028 4: Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params). */
export function parseSessionExpires(message: SipMessage): SessionExpiresValue | undefined {
  const v = message.get("session-expires");
  if (v === undefined) return undefined;
  const [first, ...params] = v.split(";");
  const interval = parseSeq(first.trim());
  if (interval === undefined) return undefined;
  let refresher: Refresher | undefined;
  for (const p of params) {
    const [name, value] = p.split("=").map((s) => s.trim().toLowerCase());
    if (name === "refresher" && (value === "uac" || value === "uas")) refresher = value;
  }
  return { interval, refresher };
}

/** RFC 4028 5: Min-SE = "Min-SE" HCOLON delta-seconds *(SEMI generic-param). */
export function parseMinSE(message: SipMessage): number | undefined {
  const v = message.get("min-se");
  if (v === undefined) return undefined;
  return parseSeq(v.split(";")[0].trim());
}

export function formatSessionExpires(interval: number, refresher: Refresher | undefined): string {
  return refresher === undefined ? String(interval) : `${interval};refresher=${refresher}`;
}

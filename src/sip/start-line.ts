import { C_TOKEN, CHAR_CLASS } from "./chars.js";
import type { ParseErrorCode } from "./types.js";
import { scannedUriHasHeaders, scanUri } from "./uri.js";

export interface StartLineProblem {
  readonly code: ParseErrorCode;
  readonly reason: string;
}

export type StartLine =
  | {
      readonly kind: "request";
      readonly method: string;
      readonly uri: string;
      readonly version: string;
      readonly problem: StartLineProblem | undefined;
    }
  | {
      readonly kind: "response";
      readonly status: number;
      readonly reason: string;
      readonly version: string;
      readonly problem: StartLineProblem | undefined;
    };

const BAD_REQUEST_LINE: StartLineProblem = { code: "bad-start-line", reason: "Bad request line" };
const BAD_REQUEST_URI: StartLineProblem = { code: "bad-start-line", reason: "Bad Request-URI" };
const BAD_VERSION: StartLineProblem = { code: "bad-version", reason: "SIP Version Not Supported" };

/** RFC 3261 7.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive). */
function versionShape(v: string): "2.0" | "other" | "bad" {
  if (v === "SIP/2.0") return "2.0";
  if (v.length < 7 || v.slice(0, 4).toUpperCase() !== "SIP/") return "bad";
  const dot = v.indexOf(".", 4);
  if (dot < 5 || dot === v.length - 1) return "bad";
  for (let i = 4; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) return "bad";
  }
  return v.slice(4) === "2.0" ? "2.0" : "other";
}

function hasWs(s: string): boolean {
  return s.indexOf(" ") >= 0 || s.indexOf("\t") >= 0;
}

/**
 * RFC 3261 7.1 Request-Line = Method SP Request-URI SP SIP-Version CRLF.
 * Returns undefined when the line cannot be read as a request at all; otherwise the parts and,
 * if it breaks the grammar, the first problem found (RFC 4475 3.1.2.7 - 3.1.2.11, 3.1.2.16).
 */
function parseRequestLine(line: string): StartLine | undefined {
  const sp1 = line.indexOf(" ");
  if (sp1 <= 0) return undefined;
  for (let i = 0; i < sp1; i++) {
    const c = line.charCodeAt(i);
    if (c >= 128 || (CHAR_CLASS[c] & C_TOKEN) === 0) return undefined;
  }
  const method = line.slice(0, sp1);
  let end = line.length;
  while (end > sp1 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  const sp2 = line.lastIndexOf(" ", end - 1);
  if (sp2 <= sp1) return undefined;
  const version = line.slice(sp2 + 1, end);
  let u0 = sp1 + 1;
  let u1 = sp2;
  while (u0 < u1 && line.charCodeAt(u0) === 32) u0++;
  while (u1 > u0 && line.charCodeAt(u1 - 1) === 32) u1--;
  if (u0 === u1) return undefined;
  const uri = line.slice(u0, u1);
  let problem: StartLineProblem | undefined;
  const shape = versionShape(version);
  // RFC 4475 3.1.2.9 lwsstart, 3.1.2.10 trws: exactly one SP between elements, none after.
  if (end !== line.length || u0 !== sp1 + 1 || u1 !== sp2) problem = BAD_REQUEST_LINE;
  else if (shape === "bad") problem = BAD_REQUEST_LINE;
  else if (shape === "other") problem = BAD_VERSION;
  // RFC 4475 3.1.2.8 lwsruri: no LWS inside the Request-URI; 3.1.2.7 ltgtruri: no "<" ">".
  else if (hasWs(uri) || uri.charCodeAt(0) === 60) problem = BAD_REQUEST_URI;
  else {
    // RFC 3261 19.1.1 (table 1): headers are not allowed in a Request-URI (RFC 4475 3.1.2.11).
    if (!scanUri(uri, 0, uri.length) || scannedUriHasHeaders()) problem = BAD_REQUEST_URI;
  }
  return { kind: "request", method, uri, version, problem };
}

/** RFC 3261 7.2 Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF. */
function parseStatusLine(line: string): StartLine | undefined {
  const sp1 = line.indexOf(" ");
  if (sp1 < 0) return undefined;
  const version = line.slice(0, sp1);
  const shape = versionShape(version);
  if (shape === "bad") return undefined;
  // RFC 3261 25.1: Status-Code = 3DIGIT; RFC 3261 7.2 classes 1xx-6xx (RFC 4475 3.1.2.19 bigcode).
  if (line.length < sp1 + 4) return undefined;
  let status = 0;
  for (let i = sp1 + 1; i < sp1 + 4; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    status = status * 10 + d;
  }
  if (status < 100 || status > 699) return undefined;
  const after = sp1 + 4;
  if (after < line.length && line.charCodeAt(after) !== 32) return undefined;
  // RFC 4475 3.1.1.13 noreason: an empty reason phrase is fine; tolerate a missing SP too.
  const reason = after < line.length ? line.slice(after + 1) : "";
  const problem = shape === "other" ? BAD_VERSION : undefined;
  return { kind: "response", status, reason, version, problem };
}

/** Parses a start line; undefined if it is neither a request nor a status line. */
export function parseStartLine(line: string): StartLine | undefined {
  const c = line.charCodeAt(0);
  if ((c === 83 || c === 115) && line.length > 4 && line.slice(0, 4).toUpperCase() === "SIP/") {
    return parseStatusLine(line);
  }
  return parseRequestLine(line);
}

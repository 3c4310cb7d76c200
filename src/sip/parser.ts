import { C_TOKEN, CHAR_CLASS, parseDecimalAt, skipWs, trimEnd } from "./chars.js";
import { headerKey, KNOWN_KEYS, knownHeaderAt } from "./header-names.js";
import { HeaderTable } from "./header-table.js";
import { Request, Response } from "./message.js";
import { isKnownMethod } from "./methods.js";
import { nameAddrFromScan, scanNameAddr } from "./name-addr.js";
import { parseFailure } from "./parse-error.js";
import { parseContentLength, parseCSeq, parseMaxForwards } from "./scalars.js";
import { nextListComma } from "./split-list.js";
import { parseStartLine } from "./start-line.js";
import type { CSeqValue, NameAddr, ParseErrorCode, ParseResult, ViaValue } from "./types.js";
import { scanVia, viaFromScan } from "./via.js";

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");

/** The first problem found while reading the headers; later ones are not reported. */
interface Problem {
  code: ParseErrorCode;
  reason: string;
  status?: number;
}

/** RFC 3261 25.1: Call-ID = word [ "@" word ]; word chars are token chars plus ()<>:\"/[]?{}. */
function validCallId(table: HeaderTable, at: number): boolean {
  valueSpan(table, at);
  const v = span.text;
  if (span.end === span.start) return false;
  for (let i = span.start; i < span.end; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128) return false;
    if ((CHAR_CLASS[c] & C_TOKEN) !== 0) continue;
    // ( ) < > : \ " / [ ] ? { } @
    if (c === 40 || c === 41 || c === 60 || c === 62 || c === 58 || c === 92 || c === 34) continue;
    if (c === 47 || c === 91 || c === 93 || c === 63 || c === 123 || c === 125 || c === 64) continue;
    return false;
  }
  return true;
}

function validHeaderName(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CHAR_CLASS[c] & C_TOKEN) === 0) return false;
  }
  return true;
}

/**
 * Parses one SIP message: a whole UDP datagram, or one message framed from a stream.
 * Never throws: any failure comes back as a ParseError (RFC 3261 16.3 / 8.2: a malformed request
 * gets a 400 when it can be answered; a malformed response is dropped).
 */
export function parseMessage(data: Buffer): ParseResult {
  try {
    return parse(data);
  } catch {
    // NOTE: only a safety net; parse() is written not to throw.
    return parseFailure("bad-header", "Unparsable message", undefined, false);
  }
}

/** Where a field's value can be scanned: `text[start, end)` (the header text, or an unfolded copy). */
const span = { text: "", start: 0, end: 0 };

function valueSpan(table: HeaderTable, i: number): void {
  if (table.valueInSource(i)) {
    span.text = table.src;
    span.start = table.valueStart(i);
    span.end = table.valueEnd(i);
  } else {
    span.text = table.value(i);
    span.start = 0;
    span.end = span.text.length;
  }
}

/** The first Via value validList() accepted for "via", built from its scan. */
let firstVia: ViaValue | undefined;

/** Every comma-separated element of every field with `key` must pass `check` (no empty element). */
function validList(
  table: HeaderTable,
  key: string,
  check: (s: string, start: number, end: number) => boolean,
  star: boolean,
): boolean {
  for (let i = table.indexOf(key); i >= 0; i = table.indexOf(key, i + 1)) {
    valueSpan(table, i);
    const s = span.text;
    const end = span.end;
    // RFC 3261 20.10: Contact = ( STAR / (contact-param *(COMMA contact-param)) )
    if (star && end - span.start === 1 && s.charCodeAt(span.start) === 42) continue;
    let a = span.start;
    for (;;) {
      const comma = nextListComma(s, a, end);
      const b = skipWs(s, a, comma);
      const e = trimEnd(s, b, comma);
      if (!check(s, b, e)) return false;
      if (firstVia === undefined && key === "via") firstVia = viaFromScan(s, b, e);
      if (comma >= end) break;
      a = comma + 1;
    }
  }
  return true;
}

/** The From or To value at field i, or undefined if it does not scan. */
function validNameAddr(table: HeaderTable, i: number): NameAddr | undefined {
  valueSpan(table, i);
  if (!scanNameAddr(span.text, span.start, span.end)) return undefined;
  return nameAddrFromScan(span.text, span.start, span.end);
}

function parse(data: Buffer): ParseResult {
  const n = data.length;
  // RFC 3261 7.5: ignore CRLFs before the start line (keep-alives, sloppy framing).
  let p = 0;
  while (p + 1 < n && data[p] === 13 && data[p + 1] === 10) p += 2;
  if (p >= n || (p + 1 === n && (data[p] === 13 || data[p] === 10))) {
    return parseFailure("empty", "Empty message", undefined, false);
  }
  const blank = data.indexOf(CRLFCRLF, p);
  // Without an empty line the header section runs to the end of the data and there is no body.
  const headEnd = blank < 0 ? n : blank + 2;
  const bodyStart = blank < 0 ? n : blank + 4;
  const s = data.toString("latin1", p, headEnd);
  const len = s.length;

  let lineEnd = s.indexOf("\r\n");
  if (lineEnd < 0) lineEnd = len;
  const startLineText = s.slice(0, lineEnd);
  const start = parseStartLine(startLineText);
  if (start === undefined) {
    return parseFailure("bad-start-line", "Bad start line", undefined, false);
  }
  let problem: Problem | undefined = start.problem;

  const keys: string[] = [];
  const pos: number[] = [];
  let viaCount = 0;
  let contactCount = 0;
  let fromAt = -1;
  let toAt = -1;
  let callIdAt = -1;
  let cseqAt = -1;
  let mfAt = -1;
  let clAt = -1;
  let fromCount = 0;
  let toCount = 0;
  let callIdCount = 0;
  let cseqCount = 0;
  let mfCount = 0;
  let clCount = 0;

  let i = lineEnd + 2;
  while (i < len) {
    let e = s.indexOf("\r\n", i);
    if (e < 0) e = len;
    // RFC 3261 7.3.1: a line starting with SP/HT continues the previous one (folding).
    let folded = false;
    while (e + 2 < len) {
      const c = s.charCodeAt(e + 2);
      if (c !== 32 && c !== 9) break;
      folded = true;
      e = s.indexOf("\r\n", e + 2);
      if (e < 0) e = len;
    }
    const colon = s.indexOf(":", i);
    if (colon < 0 || colon >= e) {
      problem ??= { code: "bad-header", reason: "Bad header line" };
      i = e + 2;
      continue;
    }
    // RFC 3261 7.3.1: HCOLON = *( SP / HTAB ) ":" SWS
    const nameEnd = trimEnd(s, i, colon);
    let key: string;
    const known = knownHeaderAt(s, i, nameEnd);
    if (known >= 0) key = KNOWN_KEYS[known];
    else {
      if (!validHeaderName(s, i, nameEnd)) {
        problem ??= { code: "bad-header", reason: "Bad header name" };
        i = e + 2;
        continue;
      }
      key = headerKey(s.slice(i, nameEnd));
    }
    const at = keys.length;
    keys.push(key);
    if (folded) pos.push(i, e, ~(colon + 1), e);
    else {
      const a = skipWs(s, colon + 1, e);
      pos.push(i, e, a, trimEnd(s, a, e));
    }
    switch (key) {
      case "via":
        viaCount++;
        break;
      case "from":
        if (fromCount++ === 0) fromAt = at;
        break;
      case "to":
        if (toCount++ === 0) toAt = at;
        break;
      case "call-id":
        if (callIdCount++ === 0) callIdAt = at;
        break;
      case "cseq":
        if (cseqCount++ === 0) cseqAt = at;
        break;
      case "max-forwards":
        if (mfCount++ === 0) mfAt = at;
        break;
      case "content-length":
        if (clCount++ === 0) clAt = at;
        break;
      case "contact":
        contactCount++;
        break;
    }
    i = e + 2;
  }
  const table = new HeaderTable(s, keys, pos);

  // Essentials (RFC 3261 8.1.1), validated eagerly by scanning; objects are built on first read.
  firstVia = undefined;
  if (problem === undefined && viaCount > 0 && !validList(table, "via", scanVia, false)) {
    problem = { code: "bad-value", reason: "Bad Via header" };
  }
  // Contact is checked eagerly only where the receiver must answer for it before anything else:
  // a REGISTER's bindings (RFC 3261 10.3 step 6; RFC 4475 3.1.2.13 regbadct). Elsewhere it is
  // parsed on first read, and its user (the dialog layer) refuses one that does not parse.
  const eagerContact = start.kind === "request" && start.method === "REGISTER";
  if (
    problem === undefined &&
    eagerContact &&
    contactCount > 0 &&
    !validList(table, "contact", scanNameAddr, true)
  ) {
    problem = { code: "bad-value", reason: "Bad Contact header" };
  }
  let cseq: CSeqValue | undefined;
  let from: NameAddr | undefined;
  let to: NameAddr | undefined;
  // RFC 3261 8.1.1: Via, From, To, Call-ID and CSeq are mandatory (Max-Forwards too, but RFC 2543
  // elements omit it: RFC 4475 3.4.1 inv2543).
  if (problem === undefined) {
    if (viaCount === 0) problem = { code: "missing-header", reason: "Missing Via header" };
    else if (fromAt < 0) problem = { code: "missing-header", reason: "Missing From header" };
    else if (toAt < 0) problem = { code: "missing-header", reason: "Missing To header" };
    else if (callIdAt < 0) problem = { code: "missing-header", reason: "Missing Call-ID header" };
    else if (cseqAt < 0) problem = { code: "missing-header", reason: "Missing CSeq header" };
    // RFC 4475 3.3.8 multi01: single-value headers appearing more than once.
    else if (callIdCount > 1) problem = { code: "multiple-values", reason: "Multiple Call-ID headers" };
    else if (fromCount > 1) problem = { code: "multiple-values", reason: "Multiple From headers" };
    else if (toCount > 1) problem = { code: "multiple-values", reason: "Multiple To headers" };
    else if (cseqCount > 1) problem = { code: "multiple-values", reason: "Multiple CSeq headers" };
    else if (mfCount > 1) problem = { code: "multiple-values", reason: "Multiple Max-Forwards headers" };
    else {
      from = validNameAddr(table, fromAt);
      to = from === undefined ? undefined : validNameAddr(table, toAt);
      if (from === undefined) problem = { code: "bad-value", reason: "Bad From header" };
      else if (to === undefined) problem = { code: "bad-value", reason: "Bad To header" };
      else if (!validCallId(table, callIdAt)) problem = { code: "bad-value", reason: "Bad Call-ID header" };
      else {
        cseq = parseCSeq(table.value(cseqAt));
        if (cseq === undefined) problem = { code: "bad-value", reason: "Bad CSeq header" };
        else if (mfAt >= 0 && parseMaxForwards(table.value(mfAt)) < 0) {
          problem = { code: "bad-value", reason: "Bad Max-Forwards header" };
        } else if (start.kind === "request" && cseq.method !== start.method) {
          // RFC 4475 3.1.2.17 mismatch01: 400; 3.1.2.18 mismatch02: an unknown method gets 501.
          problem = {
            code: "bad-value",
            reason: "CSeq method does not match request method",
            status: isKnownMethod(start.method) ? 400 : 501,
          };
        }
      }
    }
  }

  // RFC 3261 18.3: framing by Content-Length; without one a datagram's body is the rest of it.
  let bodyEnd = n;
  if (clCount > 1) {
    problem ??= { code: "bad-content-length", reason: "Multiple Content-Length headers" };
  } else if (clAt >= 0) {
    const cl = table.valueInSource(clAt)
      ? parseDecimalAt(s, table.valueStart(clAt), table.valueEnd(clAt), 0x7fffffff)
      : parseContentLength(table.value(clAt));
    if (cl < 0) problem ??= { code: "bad-content-length", reason: "Bad Content-Length header" };
    else if (bodyStart + cl > n) {
      problem ??= { code: "incomplete", reason: "Content-Length larger than message" };
    } else bodyEnd = bodyStart + cl;
  }
  // RFC 4475 3.1.1.8 dblreq: octets after Content-Length bytes are not part of the message.
  const message =
    start.kind === "request"
      ? new Request(start.method, start.uri, start.version, table, undefined, startLineText)
      : new Response(start.status, start.reason, start.version, table, undefined, startLineText);
  message.attachSource(data, p, bodyStart, bodyEnd);
  if (problem === undefined) message.prime(firstVia, from, to, cseq);
  if (problem === undefined) return { ok: true, message };
  // A request with a Via can be answered even when its other fields are malformed or missing
  // (RFC 4475 3.3.1 insuf: "ideally respond 400"): the response copies what was received, so a
  // peer can still match it, and the Via says where to send it (RFC 3261 18.2.2).
  const answerable = start.kind === "request" && viaCount > 0;
  return parseFailure(problem.code, problem.reason, message, answerable, problem.status);
}

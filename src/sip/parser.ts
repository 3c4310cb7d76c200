import { C_TOKEN, CHAR_CLASS, skipWs, trimEnd } from "./chars.js";
import { headerKey, KNOWN_KEYS, KNOWN_NAMES, knownHeaderAt } from "./header-names.js";
import { Field, type Primed, Request, Response } from "./message.js";
import { isKnownMethod } from "./methods.js";
import { parseNameAddr } from "./name-addr.js";
import { parseFailure } from "./parse-error.js";
import { parseContentLength, parseCSeq, parseMaxForwards } from "./scalars.js";
import { splitList } from "./split-list.js";
import { parseStartLine } from "./start-line.js";
import type { NameAddr, ParseErrorCode, ParseResult, ViaValue } from "./types.js";
import { parseVia } from "./via.js";

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");

/** The first problem found while reading the headers; later ones are not reported. */
interface Problem {
  code: ParseErrorCode;
  reason: string;
  status?: number;
}

/** RFC 3261 25.1: Call-ID = word [ "@" word ]; word chars are token chars plus ()<>:\"/[]?{}. */
function validCallId(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
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

  const fields: Field[] = [];
  const viaValues: string[] = [];
  let contactValues: string[] | undefined;
  let fromValue: string | undefined;
  let toValue: string | undefined;
  let callIdValue: string | undefined;
  let cseqValue: string | undefined;
  let mfValue: string | undefined;
  let clValue: string | undefined;
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
    let name: string;
    let key: string;
    const known = knownHeaderAt(s, i, nameEnd);
    if (known >= 0) {
      name = KNOWN_NAMES[known];
      key = KNOWN_KEYS[known];
    } else {
      if (!validHeaderName(s, i, nameEnd)) {
        problem ??= { code: "bad-header", reason: "Bad header name" };
        i = e + 2;
        continue;
      }
      name = s.slice(i, nameEnd);
      key = headerKey(name);
    }
    let field: Field;
    if (folded) field = new Field(name, key, undefined, s, i, e, colon + 1, e, true);
    else {
      const a = skipWs(s, colon + 1, e);
      field = new Field(name, key, undefined, s, i, e, a, trimEnd(s, a, e), false);
    }
    fields.push(field);
    switch (key) {
      case "via":
        viaValues.push(field.value);
        break;
      case "from":
        fromCount++;
        fromValue ??= field.value;
        break;
      case "to":
        toCount++;
        toValue ??= field.value;
        break;
      case "call-id":
        callIdCount++;
        callIdValue ??= field.value;
        break;
      case "cseq":
        cseqCount++;
        cseqValue ??= field.value;
        break;
      case "max-forwards":
        mfCount++;
        mfValue ??= field.value;
        break;
      case "content-length":
        clCount++;
        clValue ??= field.value;
        break;
      case "contact":
        if (contactValues === undefined) contactValues = [field.value];
        else contactValues.push(field.value);
        break;
    }
    i = e + 2;
  }

  // Essentials (RFC 3261 8.1.1), parsed and validated eagerly.
  const vias: ViaValue[] = [];
  let topViaOk = false;
  for (let k = 0; k < viaValues.length; k++) {
    const parts = splitList(viaValues[k]);
    for (let m = 0; m < parts.length; m++) {
      const via = parts[m] === "" ? undefined : parseVia(parts[m]);
      if (via === undefined) {
        problem ??= { code: "bad-value", reason: "Bad Via header" };
        continue;
      }
      if (k === 0 && m === 0) topViaOk = true;
      vias.push(via);
    }
  }
  const from: NameAddr | undefined = fromValue === undefined ? undefined : parseNameAddr(fromValue);
  const to: NameAddr | undefined = toValue === undefined ? undefined : parseNameAddr(toValue);
  const cseq = cseqValue === undefined ? undefined : parseCSeq(cseqValue);
  const callIdOk = callIdValue !== undefined && validCallId(callIdValue);
  let maxForwards: number | undefined;
  if (mfValue !== undefined) {
    const v = parseMaxForwards(mfValue);
    if (v >= 0) maxForwards = v;
  }
  let contacts: NameAddr[] | undefined;
  if (contactValues !== undefined) {
    contacts = [];
    for (const cv of contactValues) {
      const parts = splitList(cv);
      for (const part of parts) {
        // RFC 3261 20.10: Contact = ( STAR / (contact-param *(COMMA contact-param)) )
        if (part === "*" && parts.length === 1) continue;
        const na = part === "" ? undefined : parseNameAddr(part);
        if (na === undefined) problem ??= { code: "bad-value", reason: "Bad Contact header" };
        else contacts.push(na);
      }
    }
  }

  // RFC 3261 8.1.1: Via, From, To, Call-ID and CSeq are mandatory (Max-Forwards too, but RFC 2543
  // elements omit it: RFC 4475 3.4.1 inv2543).
  if (problem === undefined) {
    if (viaValues.length === 0) problem = { code: "missing-header", reason: "Missing Via header" };
    else if (fromValue === undefined) problem = { code: "missing-header", reason: "Missing From header" };
    else if (toValue === undefined) problem = { code: "missing-header", reason: "Missing To header" };
    else if (callIdValue === undefined)
      problem = { code: "missing-header", reason: "Missing Call-ID header" };
    else if (cseqValue === undefined) problem = { code: "missing-header", reason: "Missing CSeq header" };
    // RFC 4475 3.3.8 multi01: single-value headers appearing more than once.
    else if (callIdCount > 1) problem = { code: "multiple-values", reason: "Multiple Call-ID headers" };
    else if (fromCount > 1) problem = { code: "multiple-values", reason: "Multiple From headers" };
    else if (toCount > 1) problem = { code: "multiple-values", reason: "Multiple To headers" };
    else if (cseqCount > 1) problem = { code: "multiple-values", reason: "Multiple CSeq headers" };
    else if (mfCount > 1) problem = { code: "multiple-values", reason: "Multiple Max-Forwards headers" };
    else if (from === undefined) problem = { code: "bad-value", reason: "Bad From header" };
    else if (to === undefined) problem = { code: "bad-value", reason: "Bad To header" };
    else if (!callIdOk) problem = { code: "bad-value", reason: "Bad Call-ID header" };
    else if (cseq === undefined) problem = { code: "bad-value", reason: "Bad CSeq header" };
    else if (mfValue !== undefined && maxForwards === undefined) {
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

  // RFC 3261 18.3: framing by Content-Length; without one a datagram's body is the rest of it.
  let bodyEnd = n;
  if (clCount > 1) {
    problem ??= { code: "bad-content-length", reason: "Multiple Content-Length headers" };
  } else if (clValue !== undefined) {
    const cl = parseContentLength(clValue);
    if (cl < 0) problem ??= { code: "bad-content-length", reason: "Bad Content-Length header" };
    else if (bodyStart + cl > n) {
      problem ??= { code: "incomplete", reason: "Content-Length larger than message" };
    } else bodyEnd = bodyStart + cl;
  }
  // RFC 4475 3.1.1.8 dblreq: octets after Content-Length bytes are not part of the message.
  let message: Request | Response;
  if (start.kind === "request") {
    message = new Request(start.method, start.uri, start.version, fields, undefined, startLineText);
  } else {
    message = new Response(start.status, start.reason, start.version, fields, undefined, startLineText);
  }
  message.attachSource(data, s, p, bodyStart, bodyEnd, true);
  const primed: Primed = {
    vias,
    from,
    to,
    callId: callIdValue,
    cseq,
    maxForwards,
    contacts,
  };
  message.prime(primed);
  if (problem === undefined) return { ok: true, message };
  const answerable =
    start.kind === "request" &&
    topViaOk &&
    from !== undefined &&
    to !== undefined &&
    callIdOk &&
    cseq !== undefined;
  return parseFailure(problem.code, problem.reason, message, answerable, problem.status);
}

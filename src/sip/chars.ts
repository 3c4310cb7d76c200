/**
 * Character classes of the RFC 3261 25.1 grammar as one lookup table, so the scanners test a
 * class with one array read instead of a regex.
 */

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const C_TOKEN = 1;
/** SP / HTAB */
export const C_WS = 2;
/** hostname / IPv4 characters (alphanum "-" "."; "_" tolerated) */
export const C_HOST = 4;
/** user = 1*( unreserved / escaped / user-unreserved ) */
export const C_USER = 8;
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const C_PASSWORD = 16;
/** paramchar = param-unreserved / unreserved / escaped */
export const C_PARAMCHAR = 32;
/** hname / hvalue = hnv-unreserved / unreserved / escaped */
export const C_HCHAR = 64;
/** DIGIT */
export const C_DIGIT = 128;
/** Characters of an unquoted gen-value: token / host (IPv6 brackets and colons). */
export const C_GENVALUE = 256;
/** Characters of an opaque absoluteURI part (RFC 2396 uric and a few more, never LWS, <, >, "). */
export const C_URIC = 512;
/** Hex digits in an IPv6 reference, plus ":" and "." (IPv4-mapped). */
export const C_IPV6 = 1024;

export const CHAR_CLASS = new Uint16Array(256);

function add(chars: string, cls: number): void {
  for (let i = 0; i < chars.length; i++) CHAR_CLASS[chars.charCodeAt(i)] |= cls;
}

const ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGIT = "0123456789";
const ALPHANUM = ALPHA + DIGIT;
// RFC 3261 25.1: mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
const UNRESERVED = ALPHANUM + "-_.!~*'()";

add(ALPHANUM + "-.!%*_+`'~", C_TOKEN);
add(" \t", C_WS);
add(ALPHANUM + "-._", C_HOST);
// RFC 3261 25.1 leaves "#" out of user, but phones dial feature codes such as `*93*101#` with the
// "#" raw in the Request-URI (issue 15: accept it as if escaped); before the "@" it is unambiguous.
add(UNRESERVED + "%&=+$,;?/#", C_USER);
add(UNRESERVED + "%&=+$,", C_PASSWORD);
add(UNRESERVED + "%[]/:&+$", C_PARAMCHAR);
add(UNRESERVED + "%[]/?:+$", C_HCHAR);
add(DIGIT, C_DIGIT);
add(ALPHANUM + "-.!%*_+`'~[]:", C_GENVALUE);
add(UNRESERVED + "%;/?:@&=+$,[]#{}|^`\\", C_URIC);
add(DIGIT + "abcdefABCDEF:.", C_IPV6);

export function is(code: number, cls: number): boolean {
  return code < 256 && (CHAR_CLASS[code] & cls) !== 0;
}

/** Index of the first non-SP/HT character at or after i (bounded by end). */
export function skipWs(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Index just past the last non-SP/HT character before end (bounded below by start). */
export function trimEnd(s: string, start: number, end: number): number {
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== 32 && c !== 9) break;
    end--;
  }
  return end;
}

/** Index just past the token starting at i (i itself if none). */
export function scanToken(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CHAR_CLASS[c] & C_TOKEN) === 0) break;
    i++;
  }
  return i;
}

/**
 * RFC 3261 25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE. `i` is at the opening
 * quote; returns the index just past the closing quote, or -1 if it is not terminated.
 */
export function scanQuoted(s: string, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) i++;
    i++;
  }
  return -1;
}

/** Contents of a quoted-string (including its quotes) with quoted-pairs resolved. */
export function unquote(q: string): string {
  const inner = q.slice(1, -1);
  if (inner.indexOf("\\") < 0) return inner;
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "\\" && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

/** Parses a run of decimal digits; returns -1 if empty, not all digits or above `max`. */
export function parseDecimal(s: string, max: number): number {
  if (s.length === 0) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
    if (n > max) return -1;
  }
  return n;
}

/** parseDecimal() over s[start, end), without slicing. */
export function parseDecimalAt(s: string, start: number, end: number, max: number): number {
  if (end <= start) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
    if (n > max) return -1;
  }
  return n;
}

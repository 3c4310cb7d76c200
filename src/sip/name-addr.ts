import { C_TOKEN, C_WS, CHAR_CLASS, scanQuoted, skipWs, trimEnd, unquote } from "./chars.js";
import { emptyParams, findParam, formatParams, type ParamMap, scanHeaderParams } from "./params.js";
import type { NameAddr, SipUri } from "./types.js";
import { parseUri, scanUri, unparsableUri } from "./uri.js";

/** A name-addr whose URI, display name and parameters are read from `raw` on first access. */
class ParsedNameAddr implements NameAddr {
  private paramCache: ReadonlyMap<string, string | null> | undefined;
  private uriCache: SipUri | undefined;

  constructor(
    readonly raw: string,
    readonly bracketed: boolean,
    /** End of the display name in raw: 0 if none; a quoted one starts with '"'. */
    private readonly displayEnd: number,
    private readonly uriStart: number,
    private readonly uriEnd: number,
    /** Index in raw where the header parameters start (== raw.length if none). */
    private readonly paramStart: number,
  ) {}

  get displayName(): string | undefined {
    if (this.displayEnd === 0) return undefined;
    const dn = this.raw.slice(0, this.displayEnd);
    return dn.charCodeAt(0) === 34 ? unquote(dn) : dn;
  }

  get uri(): SipUri {
    if (this.uriCache === undefined) {
      const text = this.raw.slice(this.uriStart, this.uriEnd);
      this.uriCache = parseUri(text) ?? unparsableUri(text);
    }
    return this.uriCache;
  }

  get params(): ReadonlyMap<string, string | null> {
    if (this.paramCache === undefined) {
      if (this.paramStart >= this.raw.length) this.paramCache = emptyParams();
      else {
        const map: ParamMap = new Map();
        scanHeaderParams(this.raw, this.paramStart, this.raw.length, map);
        this.paramCache = map;
      }
    }
    return this.paramCache;
  }

  get tag(): string | undefined {
    if (this.paramCache !== undefined) return this.paramCache.get("tag") ?? undefined;
    return findParam(this.raw, this.paramStart, this.raw.length, "tag") ?? undefined;
  }
}

/** Where scanNameAddr() found the parts of the last value it accepted (read right after the call). */
const na = { bracketed: false, displayEnd: 0, uriStart: 0, uriEnd: 0, paramStart: 0 };

/**
 * Checks one name-addr or addr-spec value (RFC 3261 20.10, 25.1) with its header parameters in
 * s[start, end), already trimmed: `"Display" <sip:u@h;uparam>;tag=x` or `sip:u@h;tag=x`.
 * Allocates nothing; on success `na` holds where the parts lie (relative to s).
 *
 * RFC 3261 20.10: in addr-spec form a URI holding a comma, question mark or semicolon would be
 * ambiguous, so the ";" parameters after it are header parameters (RFC 4475 3.3.12 cparam01) and a
 * "?" makes the value invalid (RFC 4475 3.1.2.13 regbadct).
 */
export function scanNameAddr(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  let lt = -1;
  na.displayEnd = start;
  if (s.charCodeAt(start) === 34) {
    // RFC 3261 25.1: display-name = *(token LWS) / quoted-string
    const q = scanQuoted(s, start, end);
    if (q < 0) return false;
    na.displayEnd = q;
    lt = skipWs(s, q, end);
    if (lt >= end || s.charCodeAt(lt) !== 60) return false;
  } else {
    let j = start;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c >= 128 || (CHAR_CLASS[c] & (C_TOKEN | C_WS)) === 0) break;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 60) {
      lt = j;
      // RFC 4475 3.1.1.6 (lwsdisp): no LWS between the display name and "<" is accepted.
      na.displayEnd = trimEnd(s, start, j);
    }
  }
  if (lt >= 0) {
    const gt = s.indexOf(">", lt + 1);
    if (gt < 0 || gt >= end) return false;
    // RFC 3261 25.1: no LWS inside "<" addr-spec ">" (RFC 4475 3.1.2.14 badaspec).
    for (let k = lt + 1; k < gt; k++) {
      const c = s.charCodeAt(k);
      if (c === 32 || c === 9) return false;
    }
    if (!scanUri(s, lt + 1, gt)) return false;
    if (!scanHeaderParams(s, gt + 1, end, undefined)) return false;
    na.bracketed = true;
    na.uriStart = lt + 1;
    na.uriEnd = gt;
    na.paramStart = gt + 1;
    return true;
  }
  let u = start;
  while (u < end) {
    const c = s.charCodeAt(u);
    if (c === 59 || c === 32 || c === 9) break;
    if (c === 63 || c === 44) return false;
    u++;
  }
  if (!scanUri(s, start, u)) return false;
  if (!scanHeaderParams(s, u, end, undefined)) return false;
  na.bracketed = false;
  na.displayEnd = start;
  na.uriStart = start;
  na.uriEnd = u;
  na.paramStart = u;
  return true;
}

/** Parses one name-addr or addr-spec value (see scanNameAddr). Returns undefined on a syntax error. */
export function parseNameAddr(text: string): NameAddr | undefined {
  const start = skipWs(text, 0, text.length);
  const end = trimEnd(text, start, text.length);
  if (!scanNameAddr(text, start, end)) return undefined;
  return nameAddrFromScan(text, start, end);
}

/**
 * The value scanNameAddr(s, start, end) has just accepted, as an object whose URI, display name
 * and parameters are read on first access.
 */
export function nameAddrFromScan(s: string, start: number, end: number): NameAddr {
  const raw = start === 0 && end === s.length ? s : s.slice(start, end);
  return new ParsedNameAddr(
    raw,
    na.bracketed,
    na.displayEnd - start,
    na.uriStart - start,
    na.uriEnd - start,
    na.paramStart - start,
  );
}

/** Quotes a display name as a quoted-string (RFC 3261 25.1), escaping `"` and `\`. */
export function quoteDisplayName(name: string): string {
  return `"${name.replace(/["\\]/g, "\\$&")}"`;
}

/** Renders `"Display" <uri>;params` (always the bracketed name-addr form). */
export function formatNameAddr(
  uri: string,
  displayName?: string,
  params?: ReadonlyMap<string, string | null>,
): string {
  const dn = displayName === undefined || displayName === "" ? "" : `${quoteDisplayName(displayName)} `;
  return `${dn}<${uri}>${params === undefined ? "" : formatParams(params)}`;
}

import { C_TOKEN, C_WS, CHAR_CLASS, scanQuoted, skipWs, trimEnd, unquote } from "./chars.js";
import { emptyParams, formatParams, type ParamMap, scanHeaderParams } from "./params.js";
import type { NameAddr, SipUri } from "./types.js";
import { parseUri } from "./uri.js";

class ParsedNameAddr implements NameAddr {
  private paramCache: ReadonlyMap<string, string | null> | undefined;

  constructor(
    readonly raw: string,
    readonly displayName: string | undefined,
    readonly uri: SipUri,
    readonly bracketed: boolean,
    /** Index in raw where the header parameters start (== raw.length if none). */
    private readonly paramStart: number,
  ) {}

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
    return this.params.get("tag") ?? undefined;
  }
}

/**
 * Parses one name-addr or addr-spec value (RFC 3261 20.10, 25.1) with its header parameters:
 * `"Display" <sip:u@h;uparam>;tag=x` or `sip:u@h;tag=x`. Returns undefined on a syntax error.
 *
 * RFC 3261 20.10: in addr-spec form a URI holding a comma, question mark or semicolon would be
 * ambiguous, so the ";" parameters after it are header parameters (RFC 4475 3.3.12 cparam01) and a
 * "?" makes the value invalid (RFC 4475 3.1.2.13 regbadct).
 */
export function parseNameAddr(text: string): NameAddr | undefined {
  const start = skipWs(text, 0, text.length);
  const end = trimEnd(text, start, text.length);
  if (start >= end) return undefined;
  const raw = start === 0 && end === text.length ? text : text.slice(start, end);
  const n = raw.length;
  let displayName: string | undefined;
  let lt = -1;
  if (raw.charCodeAt(0) === 34) {
    // RFC 3261 25.1: display-name = *(token LWS) / quoted-string
    const q = scanQuoted(raw, 0, n);
    if (q < 0) return undefined;
    displayName = unquote(raw.slice(0, q));
    lt = skipWs(raw, q, n);
    if (lt >= n || raw.charCodeAt(lt) !== 60) return undefined;
  } else {
    let j = 0;
    while (j < n) {
      const c = raw.charCodeAt(j);
      if (c >= 128 || (CHAR_CLASS[c] & (C_TOKEN | C_WS)) === 0) break;
      j++;
    }
    if (j < n && raw.charCodeAt(j) === 60) {
      lt = j;
      // RFC 4475 3.1.1.6 (lwsdisp): no LWS between the display name and "<" is accepted.
      const dn = trimEnd(raw, 0, j);
      if (dn > 0) displayName = raw.slice(0, dn);
    }
  }
  if (lt >= 0) {
    const gt = raw.indexOf(">", lt + 1);
    if (gt < 0) return undefined;
    // RFC 3261 25.1: no LWS inside "<" addr-spec ">" (RFC 4475 3.1.2.14 badaspec).
    const sp = raw.indexOf(" ", lt);
    const ht = raw.indexOf("\t", lt);
    if ((sp >= 0 && sp < gt) || (ht >= 0 && ht < gt)) return undefined;
    const uri = parseUri(raw.slice(lt + 1, gt));
    if (uri === undefined) return undefined;
    if (!scanHeaderParams(raw, gt + 1, n, undefined)) return undefined;
    return new ParsedNameAddr(raw, displayName, uri, true, gt + 1);
  }
  let u = 0;
  while (u < n) {
    const c = raw.charCodeAt(u);
    if (c === 59 || c === 32 || c === 9) break;
    if (c === 63 || c === 44) return undefined;
    u++;
  }
  const uri = parseUri(u === n ? raw : raw.slice(0, u));
  if (uri === undefined) return undefined;
  if (!scanHeaderParams(raw, u, n, undefined)) return undefined;
  return new ParsedNameAddr(raw, undefined, uri, false, u);
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

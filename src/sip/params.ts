import { C_GENVALUE, C_TOKEN, CHAR_CLASS, scanQuoted, skipWs } from "./chars.js";

/** Parameter maps: names lower-cased, a parameter without value maps to null. */
export type ParamMap = Map<string, string | null>;

const EMPTY: ReadonlyMap<string, string | null> = new Map();

/** A shared empty map for values without parameters. Never mutated. */
export function emptyParams(): ReadonlyMap<string, string | null> {
  return EMPTY;
}

/**
 * Scans header parameters `*( SEMI generic-param )` in s[i, end) where RFC 3261 25.1 allows LWS
 * around ";" and "=" (SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS). A gen-value is a token, a host
 * (IPv6 reference included) or a quoted-string, kept as written (quotes included).
 * Fills `out` when given. Returns false on any syntax error, e.g. an empty parameter (";;").
 */
export function scanHeaderParams(s: string, i: number, end: number, out: ParamMap | undefined): boolean {
  for (;;) {
    i = skipWs(s, i, end);
    if (i >= end) return true;
    if (s.charCodeAt(i) !== 59) return false;
    i = skipWs(s, i + 1, end);
    const nameStart = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c >= 128 || (CHAR_CLASS[c] & C_TOKEN) === 0) break;
      i++;
    }
    if (i === nameStart) return false;
    const nameEnd = i;
    i = skipWs(s, i, end);
    let value: string | null = null;
    if (i < end && s.charCodeAt(i) === 61) {
      i = skipWs(s, i + 1, end);
      const valueStart = i;
      if (i < end && s.charCodeAt(i) === 34) {
        i = scanQuoted(s, i, end);
        if (i < 0) return false;
      } else {
        while (i < end) {
          const c = s.charCodeAt(i);
          if (c >= 128 || (CHAR_CLASS[c] & C_GENVALUE) === 0) break;
          i++;
        }
        if (i === valueStart) return false;
      }
      if (out !== undefined) value = s.slice(valueStart, i);
    }
    if (out !== undefined) {
      const name = s.slice(nameStart, nameEnd).toLowerCase();
      if (!out.has(name)) out.set(name, value);
    }
  }
}

/** Builds the parameter map of s[i, end), or undefined if it does not scan. */
export function parseHeaderParams(s: string, i: number, end: number): ParamMap | undefined {
  const out: ParamMap = new Map();
  return scanHeaderParams(s, i, end, out) ? out : undefined;
}

/** Renders a parameter list: ";name=value;flag". */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = "";
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

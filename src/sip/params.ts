import { C_GENVALUE, C_TOKEN, CHAR_CLASS, scanQuoted, skipWs } from "./chars.js";

/** Parameter maps: names lower-cased, a parameter without value maps to null. */
export type ParamMap = Map<string, string | null>;

const EMPTY: ReadonlyMap<string, string | null> = new Map();

/** A shared empty map for values without parameters. Never mutated. */
export function emptyParams(): ReadonlyMap<string, string | null> {
  return EMPTY;
}

/** Where scanParam() found the last parameter: name and value bounds (valueStart -1: no value). */
export const param = { nameStart: 0, nameEnd: 0, valueStart: -1, valueEnd: -1 };

/**
 * Scans one `SEMI generic-param` at s[i] (SWS already skipped, s[i] must be ";"), where RFC 3261
 * 25.1 allows LWS around ";" and "=" (SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS). A gen-value is a
 * token, a host (IPv6 reference included) or a quoted-string. Returns the index past it (and fills
 * `param`), or -1 on a syntax error such as an empty parameter (";;").
 */
export function scanParam(s: string, i: number, end: number): number {
  if (s.charCodeAt(i) !== 59) return -1;
  i = skipWs(s, i + 1, end);
  const nameStart = i;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CHAR_CLASS[c] & C_TOKEN) === 0) break;
    i++;
  }
  if (i === nameStart) return -1;
  param.nameStart = nameStart;
  param.nameEnd = i;
  param.valueStart = -1;
  param.valueEnd = -1;
  i = skipWs(s, i, end);
  if (i < end && s.charCodeAt(i) === 61) {
    i = skipWs(s, i + 1, end);
    const valueStart = i;
    if (i < end && s.charCodeAt(i) === 34) {
      i = scanQuoted(s, i, end);
      if (i < 0) return -1;
    } else {
      while (i < end) {
        const c = s.charCodeAt(i);
        if (c >= 128 || (CHAR_CLASS[c] & C_GENVALUE) === 0) break;
        i++;
      }
      if (i === valueStart) return -1;
    }
    param.valueStart = valueStart;
    param.valueEnd = i;
  }
  return i;
}

/** True if s[start, end) equals `lower` ignoring ASCII case (`lower` is lower-case). */
export function nameIs(s: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    if ((s.charCodeAt(start + k) | 0x20) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Scans header parameters `*( SEMI generic-param )` in s[i, end), values kept as written (quotes
 * included). Fills `out` when given (first occurrence wins). Returns false on any syntax error.
 */
export function scanHeaderParams(s: string, i: number, end: number, out: ParamMap | undefined): boolean {
  for (;;) {
    i = skipWs(s, i, end);
    if (i >= end) return true;
    i = scanParam(s, i, end);
    if (i < 0) return false;
    if (out !== undefined) {
      const name = s.slice(param.nameStart, param.nameEnd).toLowerCase();
      if (!out.has(name))
        out.set(name, param.valueStart < 0 ? null : s.slice(param.valueStart, param.valueEnd));
    }
  }
}

/**
 * The value of header parameter `lower` in s[i, end) without building a map: undefined if absent
 * (or the parameters do not scan), null if present without a value.
 */
export function findParam(s: string, i: number, end: number, lower: string): string | null | undefined {
  for (;;) {
    i = skipWs(s, i, end);
    if (i >= end) return undefined;
    i = scanParam(s, i, end);
    if (i < 0) return undefined;
    if (nameIs(s, param.nameStart, param.nameEnd, lower)) {
      return param.valueStart < 0 ? null : s.slice(param.valueStart, param.valueEnd);
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

import type { SipUri } from "./types.js";
import { parseUri } from "./uri.js";

/** Resolves %HH escapes once (RFC 3261 19.1.4: never recursively). Invalid escapes stay literal. */
export function unescapeUri(s: string): string {
  if (s.indexOf("%") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += c;
  }
  return out;
}

/** RFC 3261 19.1.4: these parameters must match when present in either URI. */
const STRICT_PARAMS = ["user", "ttl", "method", "maddr", "transport"];

function paramValue(v: string | null | undefined): string | null | undefined {
  return typeof v === "string" ? unescapeUri(v).toLowerCase() : v;
}

/**
 * URI equivalence per RFC 3261 19.1.4: user and password compared case-sensitively after
 * unescaping; host, scheme and parameter values case-insensitively; an absent port is not 5060;
 * user/ttl/method/maddr/transport must match if present in either, other parameters only if
 * present in both; header components must all be present in both and match. Other schemes are
 * compared by their text, scheme case-insensitively.
 */
export function uriEquals(a: SipUri | string, b: SipUri | string): boolean {
  const x = typeof a === "string" ? parseUri(a) : a;
  const y = typeof b === "string" ? parseUri(b) : b;
  if (x === undefined || y === undefined) return false;
  if (x.scheme !== y.scheme) return false;
  if (x.scheme !== "sip" && x.scheme !== "sips" && x.scheme !== "tel") return x.opaque === y.opaque;
  if (unescapeUri(x.user ?? "\0") !== unescapeUri(y.user ?? "\0")) return false;
  if (unescapeUri(x.password ?? "\0") !== unescapeUri(y.password ?? "\0")) return false;
  if (x.host !== y.host || x.port !== y.port) return false;
  for (const name of STRICT_PARAMS) {
    if (paramValue(x.params.get(name)) !== paramValue(y.params.get(name))) return false;
  }
  for (const [name, value] of x.params) {
    if (y.params.has(name) && paramValue(value) !== paramValue(y.params.get(name))) return false;
  }
  if (x.headers.length !== y.headers.length) return false;
  const hx = new Map(x.headers.map(([n, v]) => [unescapeUri(n).toLowerCase(), unescapeUri(v)]));
  for (const [n, v] of y.headers) if (hx.get(unescapeUri(n).toLowerCase()) !== unescapeUri(v)) return false;
  return true;
}

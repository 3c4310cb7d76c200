import { C_HCHAR, C_HOST, C_IPV6, C_PARAMCHAR, C_PASSWORD, C_URIC, C_USER, CHAR_CLASS } from "./chars.js";
import { emptyParams, formatParams, type ParamMap } from "./params.js";
import type { SipUri } from "./types.js";

type UriHeaders = ReadonlyArray<readonly [name: string, value: string]>;
const NO_HEADERS: UriHeaders = [];

/**
 * A URI whose scalar parts are read at parse time; uri-parameters and headers are validated then
 * but only turned into a Map / array on first access.
 */
class Uri implements SipUri {
  private paramCache: ReadonlyMap<string, string | null> | undefined;
  private headerCache: UriHeaders | undefined;

  constructor(
    readonly raw: string,
    readonly scheme: string,
    readonly user: string | undefined,
    readonly password: string | undefined,
    readonly host: string,
    readonly port: number | undefined,
    readonly opaque: string | undefined,
    /** Index in raw of the first ";" of the uri-parameters, -1 if none. */
    private readonly paramStart: number,
    /** Index in raw of the "?" starting the headers, -1 if none. */
    private readonly headerStart: number,
  ) {}

  get params(): ReadonlyMap<string, string | null> {
    if (this.paramCache === undefined) {
      if (this.paramStart < 0) this.paramCache = emptyParams();
      else {
        const end = this.headerStart < 0 ? this.raw.length : this.headerStart;
        const map: ParamMap = new Map();
        for (const part of this.raw.slice(this.paramStart + 1, end).split(";")) {
          const eq = part.indexOf("=");
          const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
          if (!map.has(name)) map.set(name, eq < 0 ? null : part.slice(eq + 1));
        }
        this.paramCache = map;
      }
    }
    return this.paramCache;
  }

  get headers(): UriHeaders {
    if (this.headerCache === undefined) {
      if (this.headerStart < 0) this.headerCache = NO_HEADERS;
      else {
        this.headerCache = this.raw
          .slice(this.headerStart + 1)
          .split("&")
          .map((h): readonly [string, string] => {
            const eq = h.indexOf("=");
            return [h.slice(0, eq), h.slice(eq + 1)];
          });
      }
    }
    return this.headerCache;
  }
}

function runOf(s: string, i: number, end: number, cls: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CHAR_CLASS[c] & cls) === 0) break;
    i++;
  }
  return i;
}

/**
 * RFC 3261 25.1 host = hostname / IPv4address / IPv6reference; RFC 5118 4.3: an IPv6 reference
 * is always bracketed. Returns the index past the host, or -1.
 */
export function scanHost(s: string, i: number, end: number): number {
  if (i < end && s.charCodeAt(i) === 91) {
    const close = runOf(s, i + 1, end, C_IPV6);
    if (close >= end || s.charCodeAt(close) !== 93 || close === i + 1) return -1;
    return close + 1;
  }
  const e = runOf(s, i, end, C_HOST);
  return e === i ? -1 : e;
}

/** Parses ":port" at i (i at the colon); returns the index past it or -1. `out[0]` gets the port. */
export function scanPort(s: string, i: number, end: number, out: number[]): number {
  let j = i + 1;
  let port = 0;
  while (j < end && j - i <= 5) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) break;
    port = port * 10 + c;
    j++;
  }
  if (j === i + 1 || port > 65535) return -1;
  out[0] = port;
  return j;
}

const portOut = [0];

function scanUriParams(s: string, i: number, end: number): number {
  // RFC 3261 25.1: uri-parameters = *( ";" uri-parameter ), pname / pvalue = 1*paramchar
  while (i < end && s.charCodeAt(i) === 59) {
    const nameEnd = runOf(s, i + 1, end, C_PARAMCHAR);
    if (nameEnd === i + 1) return -1;
    i = nameEnd;
    if (i < end && s.charCodeAt(i) === 61) {
      const valueEnd = runOf(s, i + 1, end, C_PARAMCHAR);
      if (valueEnd === i + 1) return -1;
      i = valueEnd;
    }
  }
  return i;
}

function scanUriHeaders(s: string, i: number, end: number): number {
  // RFC 3261 25.1: headers = "?" header *( "&" header ), header = hname "=" hvalue
  do {
    const nameEnd = runOf(s, i + 1, end, C_HCHAR);
    if (nameEnd === i + 1 || nameEnd >= end || s.charCodeAt(nameEnd) !== 61) return -1;
    i = runOf(s, nameEnd + 1, end, C_HCHAR);
  } while (i < end && s.charCodeAt(i) === 38);
  return i;
}

function parseSip(raw: string, scheme: string, p: number): SipUri | undefined {
  const end = raw.length;
  let user: string | undefined;
  let password: string | undefined;
  // RFC 3261 25.1: userinfo = ( user / telephone-subscriber ) [ ":" password ] "@". Neither user,
  // password, host, parameters nor headers may hold an unescaped "@", so the first one ends it.
  const at = raw.indexOf("@", p);
  if (at >= 0) {
    const userEnd = runOf(raw, p, at, C_USER);
    if (userEnd === p) return undefined;
    user = raw.slice(p, userEnd);
    if (userEnd < at) {
      if (raw.charCodeAt(userEnd) !== 58) return undefined;
      if (runOf(raw, userEnd + 1, at, C_PASSWORD) !== at) return undefined;
      password = raw.slice(userEnd + 1, at);
    }
    p = at + 1;
  }
  const hostEnd = scanHost(raw, p, end);
  if (hostEnd < 0) return undefined;
  const host = raw.slice(p, hostEnd).toLowerCase();
  let i = hostEnd;
  let port: number | undefined;
  if (i < end && raw.charCodeAt(i) === 58) {
    i = scanPort(raw, i, end, portOut);
    if (i < 0) return undefined;
    port = portOut[0];
  }
  let paramStart = -1;
  if (i < end && raw.charCodeAt(i) === 59) {
    paramStart = i;
    i = scanUriParams(raw, i, end);
    if (i < 0) return undefined;
  }
  let headerStart = -1;
  if (i < end && raw.charCodeAt(i) === 63) {
    headerStart = i;
    i = scanUriHeaders(raw, i, end);
    if (i < 0) return undefined;
  }
  if (i !== end) return undefined;
  return new Uri(raw, scheme, user, password, host, port, undefined, paramStart, headerStart);
}

function parseTel(raw: string, p: number): SipUri | undefined {
  // RFC 3966 3: telephone-subscriber followed by ";" parameters.
  const end = raw.length;
  let i = p;
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 59 || c >= 128 || (CHAR_CLASS[c] & C_PASSWORD) === 0) break;
    i++;
  }
  if (i === p) return undefined;
  const number = raw.slice(p, i);
  const paramStart = i < end ? i : -1;
  if (i < end && scanUriParams(raw, i, end) !== end) return undefined;
  return new Uri(raw, "tel", number, undefined, "", undefined, undefined, paramStart, -1);
}

/**
 * Parses a URI (RFC 3261 19.1 sip/sips, RFC 3966 tel, or any absoluteURI kept opaque).
 * Returns undefined on a syntax error; never throws.
 */
export function parseUri(raw: string): SipUri | undefined {
  const end = raw.length;
  // RFC 3261 25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  let i = 0;
  while (i < end) {
    const c = raw.charCodeAt(i) | 0x20;
    if (c >= 97 && c <= 122) {
      i++;
      continue;
    }
    const d = raw.charCodeAt(i);
    if (i > 0 && ((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) {
      i++;
      continue;
    }
    break;
  }
  if (i === 0 || i >= end || raw.charCodeAt(i) !== 58) return undefined;
  const schemeRaw = raw.slice(0, i);
  const scheme = i === 3 && schemeRaw === "sip" ? "sip" : schemeRaw.toLowerCase();
  const p = i + 1;
  if (scheme === "sip" || scheme === "sips") return parseSip(raw, scheme, p);
  if (scheme === "tel") return parseTel(raw, p);
  if (p >= end || runOf(raw, p, end, C_URIC) !== end) return undefined;
  return new Uri(raw, scheme, undefined, undefined, "", undefined, raw.slice(p), -1, -1);
}

/** Renders a URI from its parts (params and headers in their current order). */
export function formatUri(uri: {
  scheme: string;
  user?: string | undefined;
  password?: string | undefined;
  host?: string;
  port?: number | undefined;
  params?: ReadonlyMap<string, string | null>;
  headers?: ReadonlyArray<readonly [string, string]>;
  opaque?: string | undefined;
}): string {
  if (uri.scheme !== "sip" && uri.scheme !== "sips" && uri.scheme !== "tel") {
    return `${uri.scheme}:${uri.opaque ?? ""}`;
  }
  let out = `${uri.scheme}:`;
  if (uri.scheme === "tel") out += uri.user ?? "";
  else {
    if (uri.user !== undefined) {
      out += uri.user;
      if (uri.password !== undefined) out += `:${uri.password}`;
      out += "@";
    }
    out += uri.host ?? "";
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  if (uri.params !== undefined) out += formatParams(uri.params);
  if (uri.headers !== undefined && uri.headers.length > 0) {
    out += `?${uri.headers.map(([n, v]) => `${n}=${v}`).join("&")}`;
  }
  return out;
}

/** A stand-in for text that is not a valid URI: empty scheme and host, the text as `opaque`. */
export function unparsableUri(raw: string): SipUri {
  return new Uri(raw, "", undefined, undefined, "", undefined, raw, -1, -1);
}

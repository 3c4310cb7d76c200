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

/**
 * Where scanUri() found the parts of the last URI it accepted. Scanning allocates nothing; the
 * caller reads these right after the call (the event loop is single-threaded).
 */
const at = {
  /** 0 sip/sips, 1 tel, 2 other (opaque). */
  kind: 0,
  schemeEnd: 0,
  userStart: -1,
  userEnd: -1,
  passwordEnd: -1,
  hostStart: 0,
  hostEnd: 0,
  port: -1,
  paramStart: -1,
  headerStart: -1,
};

function scanSip(s: string, p: number, end: number): boolean {
  at.userStart = -1;
  at.passwordEnd = -1;
  // RFC 3261 25.1: userinfo = ( user / telephone-subscriber ) [ ":" password ] "@". Neither user,
  // password, host, parameters nor headers may hold an unescaped "@", so the first one ends it.
  const atSign = s.indexOf("@", p);
  if (atSign >= 0 && atSign < end) {
    const userEnd = runOf(s, p, atSign, C_USER);
    if (userEnd === p) return false;
    at.userStart = p;
    at.userEnd = userEnd;
    if (userEnd < atSign) {
      if (s.charCodeAt(userEnd) !== 58) return false;
      if (runOf(s, userEnd + 1, atSign, C_PASSWORD) !== atSign) return false;
      at.passwordEnd = atSign;
    }
    p = atSign + 1;
  }
  const hostEnd = scanHost(s, p, end);
  if (hostEnd < 0) return false;
  at.hostStart = p;
  at.hostEnd = hostEnd;
  let i = hostEnd;
  at.port = -1;
  if (i < end && s.charCodeAt(i) === 58) {
    i = scanPort(s, i, end, portOut);
    if (i < 0) return false;
    at.port = portOut[0];
  }
  at.paramStart = -1;
  if (i < end && s.charCodeAt(i) === 59) {
    at.paramStart = i;
    i = scanUriParams(s, i, end);
    if (i < 0) return false;
  }
  at.headerStart = -1;
  if (i < end && s.charCodeAt(i) === 63) {
    at.headerStart = i;
    i = scanUriHeaders(s, i, end);
    if (i < 0) return false;
  }
  return i === end;
}

function scanTel(s: string, p: number, end: number): boolean {
  // RFC 3966 3: telephone-subscriber followed by ";" parameters.
  let i = p;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 59 || c >= 128 || (CHAR_CLASS[c] & C_PASSWORD) === 0) break;
    i++;
  }
  if (i === p) return false;
  at.userStart = p;
  at.userEnd = i;
  at.paramStart = i < end ? i : -1;
  at.headerStart = -1;
  return i >= end || scanUriParams(s, i, end) === end;
}

/**
 * Checks that s[start, end) is a URI (RFC 3261 19.1 sip/sips, RFC 3966 tel, or any absoluteURI)
 * without building anything; on success `at` holds where its parts lie.
 */
export function scanUri(s: string, start: number, end: number): boolean {
  // RFC 3261 25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i) | 0x20;
    if (c >= 97 && c <= 122) {
      i++;
      continue;
    }
    const d = s.charCodeAt(i);
    if (i > start && ((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) {
      i++;
      continue;
    }
    break;
  }
  if (i === start || i >= end || s.charCodeAt(i) !== 58) return false;
  at.schemeEnd = i;
  const len = i - start;
  const p = i + 1;
  if (len === 3 || len === 4) {
    const c0 = s.charCodeAt(start) | 0x20;
    const c1 = s.charCodeAt(start + 1) | 0x20;
    const c2 = s.charCodeAt(start + 2) | 0x20;
    if (c0 === 115 && c1 === 105 && c2 === 112 && (len === 3 || (s.charCodeAt(start + 3) | 0x20) === 115)) {
      at.kind = 0;
      return scanSip(s, p, end);
    }
    if (len === 3 && c0 === 116 && c1 === 101 && c2 === 108) {
      at.kind = 1;
      return scanTel(s, p, end);
    }
  }
  at.kind = 2;
  return p < end && runOf(s, p, end, C_URIC) === end;
}

/** True if the URI scanUri() last accepted has headers ("?" part). */
export function scannedUriHasHeaders(): boolean {
  return at.kind === 0 && at.headerStart >= 0;
}

/**
 * Parses a URI (RFC 3261 19.1 sip/sips, RFC 3966 tel, or any absoluteURI kept opaque).
 * Returns undefined on a syntax error; never throws.
 */
export function parseUri(raw: string): SipUri | undefined {
  if (!scanUri(raw, 0, raw.length)) return undefined;
  const se = at.schemeEnd;
  const scheme = se === 3 && raw.startsWith("sip") ? "sip" : raw.slice(0, se).toLowerCase();
  if (at.kind === 2) {
    return new Uri(raw, scheme, undefined, undefined, "", undefined, raw.slice(se + 1), -1, -1);
  }
  const user = at.userStart < 0 ? undefined : raw.slice(at.userStart, at.userEnd);
  if (at.kind === 1) return new Uri(raw, "tel", user, undefined, "", undefined, undefined, at.paramStart, -1);
  const password = at.passwordEnd < 0 ? undefined : raw.slice(at.userEnd + 1, at.passwordEnd);
  const host = raw.slice(at.hostStart, at.hostEnd).toLowerCase();
  const port = at.port < 0 ? undefined : at.port;
  return new Uri(raw, scheme, user, password, host, port, undefined, at.paramStart, at.headerStart);
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

import { parseDecimal, scanToken, skipWs, trimEnd } from "./chars.js";
import { formatParams, type ParamMap, scanHeaderParams } from "./params.js";
import type { ViaValue } from "./types.js";
import { scanHost, scanPort } from "./uri.js";

class ParsedVia implements ViaValue {
  constructor(
    readonly raw: string,
    readonly protocol: string,
    readonly transport: string,
    readonly host: string,
    readonly port: number | undefined,
    readonly params: ParamMap,
    readonly rport: number | null | undefined,
    readonly ttl: number | undefined,
  ) {}

  get branch(): string | undefined {
    return this.params.get("branch") ?? undefined;
  }
  get received(): string | undefined {
    return this.params.get("received") ?? undefined;
  }
  get maddr(): string | undefined {
    return this.params.get("maddr") ?? undefined;
  }
}

const portOut = [0];

/** Skips SWS, expects `ch`, skips SWS again; -1 if `ch` is not there. */
function separator(s: string, i: number, end: number, ch: number): number {
  i = skipWs(s, i, end);
  if (i >= end || s.charCodeAt(i) !== ch) return -1;
  return skipWs(s, i + 1, end);
}

/**
 * Parses one via-parm (RFC 3261 20.42, 25.1):
 * `sent-protocol LWS sent-by *( SEMI via-params )` where SLASH, COLON and SEMI allow LWS around
 * them (RFC 4475 3.1.1.1 wsinv). Returns undefined on a syntax error.
 */
export function parseVia(text: string): ViaValue | undefined {
  const start = skipWs(text, 0, text.length);
  const end = trimEnd(text, start, text.length);
  const raw = start === 0 && end === text.length ? text : text.slice(start, end);
  const n = raw.length;
  let protocol: string;
  let i: number;
  if (raw.startsWith("SIP/2.0/")) {
    protocol = "SIP/2.0";
    i = 8;
  } else {
    const nameEnd = scanToken(raw, 0, n);
    if (nameEnd === 0) return undefined;
    const v = separator(raw, nameEnd, n, 47);
    if (v < 0) return undefined;
    const versionEnd = scanToken(raw, v, n);
    if (versionEnd === v) return undefined;
    protocol = `${raw.slice(0, nameEnd).toUpperCase()}/${raw.slice(v, versionEnd)}`;
    i = separator(raw, versionEnd, n, 47);
    if (i < 0) return undefined;
  }
  const transportEnd = scanToken(raw, i, n);
  if (transportEnd === i) return undefined;
  const transport = raw.slice(i, transportEnd).toUpperCase();
  i = skipWs(raw, transportEnd, n);
  if (i === transportEnd) return undefined;
  const hostEnd = scanHost(raw, i, n);
  if (hostEnd < 0) return undefined;
  const host = raw.slice(i, hostEnd).toLowerCase();
  i = skipWs(raw, hostEnd, n);
  let port: number | undefined;
  if (i < n && raw.charCodeAt(i) === 58) {
    const p = skipWs(raw, i + 1, n);
    const e = scanPort(raw, p - 1, n, portOut);
    if (e < 0) return undefined;
    port = portOut[0];
    i = e;
  }
  const params: ParamMap = new Map();
  if (!scanHeaderParams(raw, i, n, params)) return undefined;
  // RFC 3581 3: rport without value in a request; a filled-in port in a forwarded/answered one.
  let rport: number | null | undefined;
  const rp = params.get("rport");
  if (rp !== undefined) {
    if (rp === null) rport = null;
    else {
      const v = parseDecimal(rp, 65535);
      if (v < 0) return undefined;
      rport = v;
    }
  }
  let ttl: number | undefined;
  const t = params.get("ttl");
  if (t !== undefined) {
    // RFC 3261 25.1: ttl = 1*3DIGIT ; 0 to 255
    const v = t === null ? -1 : parseDecimal(t, 255);
    if (v < 0) return undefined;
    ttl = v;
  }
  return new ParsedVia(raw, protocol, transport, host, port, params, rport, ttl);
}

/** Renders a Via value from its parts. */
export function formatVia(via: {
  protocol?: string;
  transport: string;
  host: string;
  port?: number | undefined;
  params: ReadonlyMap<string, string | null>;
}): string {
  const hostport = via.port === undefined ? via.host : `${via.host}:${via.port}`;
  return `${via.protocol ?? "SIP/2.0"}/${via.transport} ${hostport}${formatParams(via.params)}`;
}

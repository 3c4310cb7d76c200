import { parseDecimal, scanToken, skipWs, trimEnd } from "./chars.js";
import { formatParams, nameIs, type ParamMap, param, scanHeaderParams, scanParam } from "./params.js";
import type { ViaValue } from "./types.js";
import { scanHost, scanPort } from "./uri.js";

/** A Via value whose parameter map is built on first access. */
class ParsedVia implements ViaValue {
  private paramCache: ParamMap | undefined;

  constructor(
    readonly raw: string,
    readonly protocol: string,
    readonly transport: string,
    readonly host: string,
    readonly port: number | undefined,
    readonly branch: string | undefined,
    readonly received: string | undefined,
    readonly maddr: string | undefined,
    readonly rport: number | null | undefined,
    readonly ttl: number | undefined,
    /** Index in raw of the first ";" (raw.length if none). */
    private readonly paramStart: number,
  ) {}

  get params(): ReadonlyMap<string, string | null> {
    if (this.paramCache === undefined) {
      const map: ParamMap = new Map();
      scanHeaderParams(this.raw, this.paramStart, this.raw.length, map);
      this.paramCache = map;
    }
    return this.paramCache;
  }
}

/** Where scanVia() found the parts of the last Via value it accepted (read right after the call). */
const via = {
  protocolEnd: 0,
  versionStart: 0,
  /** True when the value starts with the common "SIP/2.0/". */
  sip20: true,
  transportStart: 0,
  transportEnd: 0,
  hostStart: 0,
  hostEnd: 0,
  port: -1,
  paramStart: 0,
  branchStart: -1,
  branchEnd: -1,
  receivedStart: -1,
  receivedEnd: -1,
  maddrStart: -1,
  maddrEnd: -1,
  /** -2 absent, -1 present without value, else the port. */
  rport: -2,
  ttl: -1,
};

const portOut = [0];

/** Skips SWS, expects `ch`, skips SWS again; -1 if `ch` is not there. */
function separator(s: string, i: number, end: number, ch: number): number {
  i = skipWs(s, i, end);
  if (i >= end || s.charCodeAt(i) !== ch) return -1;
  return skipWs(s, i + 1, end);
}

/**
 * Checks one via-parm (RFC 3261 20.42, 25.1) in s[start, end), already trimmed:
 * `sent-protocol LWS sent-by *( SEMI via-params )` where SLASH, COLON and SEMI allow LWS around
 * them (RFC 4475 3.1.1.1 wsinv). Allocates nothing; on success `via` holds where the parts lie.
 */
export function scanVia(s: string, start: number, end: number): boolean {
  let i: number;
  if (s.startsWith("SIP/2.0/", start)) {
    via.sip20 = true;
    i = start + 8;
  } else {
    via.sip20 = false;
    const nameEnd = scanToken(s, start, end);
    if (nameEnd === start) return false;
    const v = separator(s, nameEnd, end, 47);
    if (v < 0) return false;
    const versionEnd = scanToken(s, v, end);
    if (versionEnd === v) return false;
    i = separator(s, versionEnd, end, 47);
    if (i < 0) return false;
    via.versionStart = v;
    via.protocolEnd = versionEnd;
  }
  const transportEnd = scanToken(s, i, end);
  if (transportEnd === i) return false;
  via.transportStart = i;
  via.transportEnd = transportEnd;
  i = skipWs(s, transportEnd, end);
  if (i === transportEnd) return false;
  const hostEnd = scanHost(s, i, end);
  if (hostEnd < 0) return false;
  via.hostStart = i;
  via.hostEnd = hostEnd;
  i = skipWs(s, hostEnd, end);
  via.port = -1;
  if (i < end && s.charCodeAt(i) === 58) {
    const p = skipWs(s, i + 1, end);
    const e = scanPort(s, p - 1, end, portOut);
    if (e < 0) return false;
    via.port = portOut[0];
    i = e;
  }
  via.paramStart = i;
  via.branchStart = -1;
  via.receivedStart = -1;
  via.maddrStart = -1;
  via.rport = -2;
  via.ttl = -1;
  for (;;) {
    i = skipWs(s, i, end);
    if (i >= end) return true;
    i = scanParam(s, i, end);
    if (i < 0) return false;
    if (!recordParam(s)) return false;
  }
}

/** Notes the well-known via-params (first occurrence wins); false if rport or ttl is malformed. */
function recordParam(s: string): boolean {
  const a = param.nameStart;
  const b = param.nameEnd;
  const vs = param.valueStart;
  const ve = param.valueEnd;
  switch (b - a) {
    case 6:
      if (via.branchStart === -1 && nameIs(s, a, b, "branch")) {
        via.branchStart = vs < 0 ? -2 : vs;
        via.branchEnd = ve;
      }
      return true;
    case 8:
      if (via.receivedStart === -1 && nameIs(s, a, b, "received")) {
        via.receivedStart = vs < 0 ? -2 : vs;
        via.receivedEnd = ve;
      }
      return true;
    case 5:
      if (nameIs(s, a, b, "maddr")) {
        if (via.maddrStart === -1) {
          via.maddrStart = vs < 0 ? -2 : vs;
          via.maddrEnd = ve;
        }
      } else if (via.rport === -2 && nameIs(s, a, b, "rport")) {
        // RFC 3581 3: rport without value in a request; a filled-in port in a forwarded/answered one.
        if (vs < 0) via.rport = -1;
        else {
          const port = parseDecimal(s.slice(vs, ve), 65535);
          if (port < 0) return false;
          via.rport = port;
        }
      }
      return true;
    case 3:
      if (via.ttl < 0 && nameIs(s, a, b, "ttl")) {
        // RFC 3261 25.1: ttl = 1*3DIGIT ; 0 to 255
        via.ttl = vs < 0 ? -1 : parseDecimal(s.slice(vs, ve), 255);
        if (via.ttl < 0) return false;
      }
      return true;
    default:
      return true;
  }
}

const TRANSPORTS = ["UDP", "TCP", "TLS", "WS", "WSS", "SCTP"];

function upperToken(s: string, start: number, end: number): string {
  for (let k = 0; k < TRANSPORTS.length; k++) {
    const t = TRANSPORTS[k];
    if (t.length === end - start && s.startsWith(t, start)) return t;
  }
  return s.slice(start, end).toUpperCase();
}

/** Parses one via-parm (see scanVia). Returns undefined on a syntax error. */
export function parseVia(text: string): ViaValue | undefined {
  const start = skipWs(text, 0, text.length);
  const end = trimEnd(text, start, text.length);
  if (!scanVia(text, start, end)) return undefined;
  return viaFromScan(text, start, end);
}

/** The Via value scanVia(s, start, end) has just accepted, built from where it found the parts. */
export function viaFromScan(s: string, start: number, end: number): ViaValue {
  const raw = start === 0 && end === s.length ? s : s.slice(start, end);
  const protocol = via.sip20
    ? "SIP/2.0"
    : `${s.slice(start, scanToken(s, start, end)).toUpperCase()}/${s.slice(via.versionStart, via.protocolEnd)}`;
  return new ParsedVia(
    raw,
    protocol,
    upperToken(s, via.transportStart, via.transportEnd),
    s.slice(via.hostStart, via.hostEnd).toLowerCase(),
    via.port < 0 ? undefined : via.port,
    via.branchStart < 0 ? undefined : s.slice(via.branchStart, via.branchEnd),
    via.receivedStart < 0 ? undefined : s.slice(via.receivedStart, via.receivedEnd),
    via.maddrStart < 0 ? undefined : s.slice(via.maddrStart, via.maddrEnd),
    via.rport === -2 ? undefined : via.rport === -1 ? null : via.rport,
    via.ttl < 0 ? undefined : via.ttl,
    via.paramStart - start,
  );
}

/**
 * Sets or replaces parameters of one Via value given as text, rewriting only what changes: an
 * existing parameter keeps its place, a new one is appended. Undefined if the text is no Via.
 */
export function setViaParams(
  text: string,
  params: Record<string, string | number | null>,
): string | undefined {
  if (!scanVia(text, 0, text.length)) return undefined;
  const names = Object.keys(params);
  const done: boolean[] = [];
  const end = text.length;
  let out = text.slice(0, via.paramStart);
  let i = via.paramStart;
  // One pass over the parameters: a named one is replaced in place, the others copied as written.
  for (;;) {
    const a = skipWs(text, i, end);
    if (a >= end) break;
    i = scanParam(text, a, end);
    let k = 0;
    while (
      k < names.length &&
      (done[k] || !nameIs(text, param.nameStart, param.nameEnd, names[k].toLowerCase()))
    )
      k++;
    if (k < names.length) {
      done[k] = true;
      out += rendered(names[k], params[names[k]]);
    } else out += text.slice(a, i);
  }
  for (let k = 0; k < names.length; k++) if (!done[k]) out += rendered(names[k], params[names[k]]);
  return out;
}

function rendered(name: string, value: string | number | null): string {
  const lower = name.toLowerCase();
  return value === null ? `;${lower}` : `;${lower}=${value}`;
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

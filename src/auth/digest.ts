/**
 * HTTP Digest arithmetic for SIP (RFC 3261 22.4, RFC 7616, RFC 8760): parsing credentials,
 * building challenges, computing and checking responses. Pure: no clock, no state.
 */
import * as crypto from "node:crypto";

/**
 * One-shot hashing (`crypto.hash`, Node >= 20.12) costs less than half of a createHash() object
 * per call; older Node 20 falls back to createHash.
 */
const oneShot: ((algorithm: string, data: string, encoding: "hex") => string) | undefined =
  typeof crypto.hash === "function" ? crypto.hash : undefined;

export type DigestAlgorithm = "MD5" | "SHA-256";

/** RFC 8760 2.2 / RFC 7616 3.7: algorithm names are case-insensitive; "-sess" variants not offered. */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return "MD5"; // RFC 7616 3.3: absent means MD5
  const v = value.toUpperCase();
  if (v === "MD5") return "MD5";
  if (v === "SHA-256") return "SHA-256";
  return undefined;
}

export interface DigestCredentials {
  readonly scheme: string;
  readonly username: string | undefined;
  readonly realm: string | undefined;
  readonly nonce: string | undefined;
  readonly uri: string | undefined;
  readonly response: string | undefined;
  readonly algorithm: string | undefined;
  readonly cnonce: string | undefined;
  readonly opaque: string | undefined;
  readonly qop: string | undefined;
  readonly nc: string | undefined;
  /** Every parameter, names lower-cased. */
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Parse an Authorization / Proxy-Authorization value: `Digest name=value, name="quoted", ...`
 * (RFC 3261 25.1 credentials). Returns undefined when it is not well formed; never throws.
 */
export function parseCredentials(value: string): DigestCredentials | undefined {
  const s = value.trim();
  const sp = s.search(/[ \t]/);
  if (sp <= 0) return undefined;
  const scheme = s.slice(0, sp);
  const params = new Map<string, string>();
  let i = sp;
  const n = s.length;
  while (i < n) {
    while (i < n && (s[i] === " " || s[i] === "\t" || s[i] === ",")) i++;
    if (i >= n) break;
    const eq = s.indexOf("=", i);
    if (eq < 0) return undefined;
    const name = s.slice(i, eq).trim().toLowerCase();
    if (!isToken(name)) return undefined;
    i = eq + 1;
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
    let v: string;
    if (s.charCodeAt(i) === 0x22) {
      // quoted-string (RFC 3261 25.1): copy runs between quoted-pairs in one slice each.
      i++;
      let out = "";
      let from = i;
      let closed = false;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === 0x5c && i + 1 < n) {
          out += s.slice(from, i) + s[i + 1];
          i += 2;
          from = i;
          continue;
        }
        if (c === 0x22) {
          out += s.slice(from, i);
          closed = true;
          i++;
          break;
        }
        i++;
      }
      if (!closed) return undefined;
      v = out;
    } else {
      const end = s.indexOf(",", i);
      v = (end < 0 ? s.slice(i) : s.slice(i, end)).trim();
      i = end < 0 ? n : end;
    }
    if (params.has(name)) return undefined; // RFC 7616 3.4: each parameter at most once
    params.set(name, v);
  }
  return {
    scheme,
    username: params.get("username"),
    realm: params.get("realm"),
    nonce: params.get("nonce"),
    uri: params.get("uri"),
    response: params.get("response"),
    algorithm: params.get("algorithm"),
    cnonce: params.get("cnonce"),
    opaque: params.get("opaque"),
    qop: params.get("qop"),
    nc: params.get("nc"),
    params,
  };
}

/** RFC 3261 25.1 token characters (lower-case letters only: names are lower-cased first). */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyz0123456789!%'*+._`~-") TOKEN_CHARS[c.charCodeAt(0)] = 1;

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
}

export function hashHex(algorithm: DigestAlgorithm, text: string): string {
  const name = algorithm === "MD5" ? "md5" : "sha256";
  if (oneShot) return oneShot(name, text, "hex");
  return crypto.createHash(name).update(text, "utf8").digest("hex");
}

/** RFC 7616 3.4.2: A1 = username ":" realm ":" password; HA1 = H(A1). */
export function ha1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return hashHex(algorithm, `${username}:${realm}:${password}`);
}

export interface ResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly ha1: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  readonly qop: "auth" | undefined;
  readonly nc: string | undefined;
  readonly cnonce: string | undefined;
}

/**
 * RFC 7616 3.4.1 with qop=auth: KD(HA1, nonce:nc:cnonce:qop:HA2); RFC 2069 compatibility
 * (RFC 3261 22.4: no qop) KD(HA1, nonce:HA2). HA2 = H(method:uri).
 */
export function expectedResponse(input: ResponseInput): string {
  const ha2 = hashHex(input.algorithm, `${input.method}:${input.uri}`);
  if (input.qop === "auth") {
    return hashHex(input.algorithm, `${input.ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`);
  }
  return hashHex(input.algorithm, `${input.ha1}:${input.nonce}:${ha2}`);
}

/** Constant-time comparison of two hex digests (case-insensitive). */
export function digestEquals(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), "latin1");
  const y = Buffer.from(b.toLowerCase(), "latin1");
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export interface ChallengeInput {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly stale: boolean;
  readonly opaque?: string;
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, "\\$1")}"`;
}

/** A WWW-Authenticate / Proxy-Authenticate value (RFC 7616 3.3), offering qop=auth. */
export function challengeValue(c: ChallengeInput): string {
  const [before, after] = challengeTemplate(c.realm, c.algorithm);
  let v = before + c.nonce + after;
  if (c.opaque) v += `, opaque=${quote(c.opaque)}`;
  if (c.stale) v += ", stale=true";
  return v;
}

/**
 * challengeValue() without opaque and stale, split around the nonce (a base64url token, so it
 * needs no escaping): built once per realm, the nonce goes in between.
 */
export function challengeTemplate(realm: string, algorithm: DigestAlgorithm): readonly [string, string] {
  return [`Digest realm=${quote(realm)}, nonce="`, `", algorithm=${algorithm}, qop="auth"`];
}

/**
 * Parley as a digest client toward a provider or peer (RFC 3261 22.2, 22.3; RFC 7616 3.4): the
 * Authorization (401) or Proxy-Authorization (407) answering a challenge. Pure apart from the
 * random cnonce: the arithmetic is src/auth/digest.ts's.
 */
import { randomBytes } from "node:crypto";
import { expectedResponse, ha1, parseAlgorithm, parseCredentials } from "../auth/digest.js";
import type { SipRequest, SipResponse } from "../sip/types.js";

export interface ClientCredentials {
  /** The digest user name (authorization ID, or the account; `user@domain` when the line says so). */
  readonly username: string;
  readonly password: string;
}

export type HeaderList = Array<readonly [name: string, value: string]>;

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, "\\$1")}"`;
}

/** The nonces a request's credentials already answer. */
function answeredNonces(request: SipRequest): Set<string> {
  const nonces = new Set<string>();
  for (const value of [...request.getAll("authorization"), ...request.getAll("proxy-authorization")]) {
    const nonce = parseCredentials(value)?.nonce;
    if (nonce !== undefined) nonces.add(nonce);
  }
  return nonces;
}

/** The digest user name a line presents (FEATURES.md section 3, "other"). */
export function lineDigestUser(line: {
  readonly account: string;
  readonly authorizationId: string;
  readonly authUserIncludesDomain: boolean;
  readonly server: string;
}): string {
  const base = line.authorizationId === "" ? line.account : line.authorizationId;
  // "user@domain form, unless the authorization ID already has it".
  return line.authUserIncludesDomain && !base.includes("@") ? `${base}@${line.server}` : base;
}

/**
 * Answers challenges with one line's credentials. Refuses (undefined) when the challenged request
 * already answered this very nonce and the challenge does not say `stale=true`: the credentials
 * are wrong, and trying again would only loop (RFC 3261 22.2: "the UAC MAY retry ... with the
 * correct credentials"). A new request (a refresh) may answer the same nonce again.
 */
export class DigestClient {
  private nc = 0;

  constructor(private readonly credentials: ClientCredentials) {}

  /** Authorization headers for the retry of `request` after `challenge` (a 401 or 407). */
  authorize(challenge: SipResponse, request: SipRequest): HeaderList | undefined {
    const proxy = challenge.status === 407;
    // RFC 3261 22.3: 407 carries Proxy-Authenticate, answered by Proxy-Authorization.
    const values = challenge.getAll(proxy ? "proxy-authenticate" : "www-authenticate");
    const out: HeaderList = [];
    for (const value of values) {
      const c = parseCredentials(value);
      if (c === undefined || c.scheme.toLowerCase() !== "digest" || c.nonce === undefined) continue;
      const algorithm = parseAlgorithm(c.algorithm);
      if (algorithm === undefined) continue;
      const stale = (c.params.get("stale") ?? "").toLowerCase() === "true";
      if (!stale && answeredNonces(request).has(c.nonce)) return undefined;
      const realm = c.realm ?? "";
      const uri = request.uriText;
      const qops = (c.qop ?? "").split(",").map((q) => q.trim().toLowerCase());
      const qop = qops.includes("auth") ? "auth" : undefined;
      const nc = qop === undefined ? undefined : (++this.nc).toString(16).padStart(8, "0");
      const cnonce = qop === undefined ? undefined : randomBytes(8).toString("hex");
      const response = expectedResponse({
        algorithm,
        ha1: ha1(algorithm, this.credentials.username, realm, this.credentials.password),
        method: request.method,
        uri,
        nonce: c.nonce,
        qop,
        nc,
        cnonce,
      });
      let header = `Digest username=${quote(this.credentials.username)}, realm=${quote(realm)}, nonce=${quote(c.nonce)}, uri=${quote(uri)}, response=${quote(response)}, algorithm=${algorithm}`;
      if (qop !== undefined) header += `, qop=auth, nc=${nc}, cnonce=${quote(cnonce ?? "")}`;
      if (c.opaque !== undefined) header += `, opaque=${quote(c.opaque)}`;
      out.push([proxy ? "Proxy-Authorization" : "Authorization", header]);
      // One answer per realm is enough; the first supported challenge wins.
      break;
    }
    return out.length === 0 ? undefined : out;
  }
}

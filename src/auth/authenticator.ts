/**
 * Who is this request from? Digest authentication (RFC 3261 22, RFC 7616, RFC 8760) or IP address
 * authorization, with failed attempts counted toward bans. The outcome is a value the caller turns
 * into a response (challenge, 403) or lets through.
 *
 * Enumeration resistance: an unknown user and a wrong password produce the same outcome, after the
 * same work (a digest is computed against a throw-away HA1 for an unknown user), so a scanner such
 * as sipvicious' svwar learns nothing; a request without credentials is always challenged.
 */
import { randomBytes } from "node:crypto";
import type { SipRequest } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import type { BanList } from "./ban-list.js";
import {
  challengeValue,
  type DigestAlgorithm,
  type DigestCredentials,
  digestEquals,
  expectedResponse,
  parseAlgorithm,
  parseCredentials,
} from "./digest.js";
import { NonceManager } from "./nonces.js";

export interface Ha1Pair {
  readonly ha1Md5: string;
  readonly ha1Sha256: string;
}

/** Where HA1s come from (the store's UserDirectory satisfies it). */
export interface CredentialSource {
  lookup(domainId: number, name: string): Promise<{ readonly auth: Ha1Pair } | undefined>;
  /** Users whose IP address authorization covers `ip`. */
  byIp(ip: string): Promise<ReadonlyArray<{ readonly name: string; readonly domainId: number }>>;
}

export type AuthOutcome =
  | { readonly kind: "ok"; readonly username: string; readonly method: "digest" | "ip" }
  | {
      readonly kind: "challenge";
      readonly status: 401 | 407;
      readonly reason: string;
      readonly headers: ReadonlyArray<readonly [string, string]>;
    }
  | { readonly kind: "forbidden"; readonly status: 403; readonly reason: string };

export interface AuthRequest {
  readonly request: SipRequest;
  readonly sourceAddress: string;
  readonly domainId: number;
  readonly realm: string;
  /** 401 + WWW-Authenticate (registrar, UAS) or 407 + Proxy-Authenticate (calls through Parley). */
  readonly challenge: 401 | 407;
  /** The user the request claims to act for (To user of a REGISTER, From user of an INVITE). */
  readonly claimedUser: string | undefined;
}

export interface AuthenticatorOptions {
  readonly clock: Clock;
  readonly credentials: CredentialSource;
  readonly bans: BanList;
  /** Challenges offered, most preferred first (RFC 7616 3.7). */
  readonly algorithms?: readonly DigestAlgorithm[];
  readonly nonceLifetimeMs?: number;
  readonly onFailure?: (info: {
    sourceAddress: string;
    username: string | undefined;
    reason: string;
    banned: boolean;
  }) => void;
}

export class Authenticator {
  readonly nonces: NonceManager;
  private readonly algorithms: readonly DigestAlgorithm[];
  /** HA1 used for unknown users so their check costs what a real one does. */
  private readonly decoy: Ha1Pair = {
    ha1Md5: randomBytes(16).toString("hex"),
    ha1Sha256: randomBytes(32).toString("hex"),
  };

  constructor(private readonly options: AuthenticatorOptions) {
    this.nonces = new NonceManager({ clock: options.clock, lifetimeMs: options.nonceLifetimeMs });
    this.algorithms = options.algorithms ?? ["MD5", "SHA-256"];
  }

  isBanned(address: string): boolean {
    return this.options.bans.isBanned(address);
  }

  async authenticate(a: AuthRequest): Promise<AuthOutcome> {
    const { request, realm } = a;
    const header = a.challenge === 401 ? "authorization" : "proxy-authorization";
    const creds = this.pickCredentials(request.getAll(header), realm);
    if (!creds) {
      // IP address authorization: trusted without digest (FEATURES.md section 2).
      if (a.claimedUser !== undefined) {
        const ipUsers = await this.options.credentials.byIp(a.sourceAddress);
        if (ipUsers.some((u) => u.name === a.claimedUser && u.domainId === a.domainId)) {
          return { kind: "ok", username: a.claimedUser, method: "ip" };
        }
      }
      return this.challenge(a, false);
    }
    const algorithm = parseAlgorithm(creds.algorithm);
    if (!algorithm || !this.algorithms.includes(algorithm)) return this.challenge(a, false);
    if (!creds.nonce || !creds.username || !creds.response || !creds.uri) {
      return this.fail(a, creds.username, "incomplete credentials");
    }
    const verdict = this.nonces.check(creds.nonce, realm);
    // An unknown nonce (from before a restart, or forged) earns a fresh challenge, not a strike.
    if (verdict === "invalid") return this.challenge(a, false);
    const qop = creds.qop === undefined ? undefined : creds.qop.toLowerCase();
    if (qop !== undefined && qop !== "auth")
      return this.fail(a, creds.username, `qop ${creds.qop} not offered`);
    if (qop === "auth" && (!creds.nc || !creds.cnonce))
      return this.fail(a, creds.username, "qop=auth without nc/cnonce");

    const entry = await this.options.credentials.lookup(a.domainId, creds.username);
    const pair = entry?.auth ?? this.decoy;
    const expected = expectedResponse({
      algorithm,
      ha1: algorithm === "MD5" ? pair.ha1Md5 : pair.ha1Sha256,
      method: request.method,
      // NOTE: the digest is computed over the uri the client sent. RFC 7616 3.4.6 asks servers to
      // check it names the Request-URI; sipp (and some phones) put the server address there
      // instead, which Kamailio and Asterisk accept too.
      uri: creds.uri,
      nonce: creds.nonce,
      qop: qop === "auth" ? "auth" : undefined,
      nc: creds.nc,
      cnonce: creds.cnonce,
    });
    const matches = digestEquals(expected, creds.response);
    if (!entry || !matches) return this.fail(a, creds.username, entry ? "wrong password" : "unknown user");
    // Right password on an old nonce: ask again with stale=true, no strike (RFC 7616 3.3).
    if (verdict === "stale") return this.challenge(a, true);
    // RFC 7616 3.4: a nonce-count that does not increase is a replay.
    if (!this.nonces.acceptCount(creds.nonce, creds.nc)) return this.challenge(a, true);
    if (a.claimedUser !== undefined && a.claimedUser !== creds.username) {
      return this.fail(
        a,
        creds.username,
        `authenticated as ${creds.username} but acting for ${a.claimedUser}`,
      );
    }
    this.options.bans.recordSuccess(a.sourceAddress);
    return { kind: "ok", username: creds.username, method: "digest" };
  }

  /** The Digest credentials for our realm; several may be present (one per challenge). */
  private pickCredentials(values: string[], realm: string): DigestCredentials | undefined {
    let fallback: DigestCredentials | undefined;
    for (const value of values) {
      const c = parseCredentials(value);
      // RFC 4475 3.3.7: an unknown scheme is ignored and the request challenged.
      if (!c || c.scheme.toLowerCase() !== "digest") continue;
      if (c.realm !== realm) continue;
      const alg = parseAlgorithm(c.algorithm);
      if (alg && this.algorithms.includes(alg)) {
        // Prefer the strongest algorithm the client answered.
        if (alg === "SHA-256") return c;
        fallback ??= c;
      } else fallback ??= c;
    }
    return fallback;
  }

  private challenge(a: AuthRequest, stale: boolean): AuthOutcome {
    const name = a.challenge === 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
    const nonce = this.nonces.issue(a.realm);
    const headers = this.algorithms.map(
      (algorithm) => [name, challengeValue({ realm: a.realm, nonce, algorithm, stale })] as const,
    );
    return {
      kind: "challenge",
      status: a.challenge,
      reason: a.challenge === 401 ? "Unauthorized" : "Proxy Authentication Required",
      headers,
    };
  }

  private fail(a: AuthRequest, username: string | undefined, reason: string): AuthOutcome {
    const ban = this.options.bans.recordFailure(a.sourceAddress, username);
    this.options.onFailure?.({ sourceAddress: a.sourceAddress, username, reason, banned: ban !== undefined });
    // The same answer whatever went wrong: nothing to tell a scanner.
    return { kind: "forbidden", status: 403, reason: "Forbidden" };
  }
}

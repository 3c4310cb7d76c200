/**
 * Who is this request from? Digest authentication (RFC 3261 22, RFC 7616, RFC 8760) or IP address
 * authorization, with failed attempts counted toward bans. The outcome is a value the caller turns
 * into a response (challenge, 403) or lets through.
 *
 * Enumeration resistance: an unknown user and a wrong password produce the same outcome, after the
 * same work (a digest is computed against a throw-away HA1 for an unknown user, and the credential
 * source reads as much for either: see CredentialDirectory and UserDirectory), so a scanner such
 * as sipvicious' svwar learns nothing, not even from timing (issue 22); a request without
 * credentials is always challenged.
 */
import { randomBytes } from "node:crypto";
import type { SipRequest } from "../sip/types.js";
import type { Clock } from "../util/clock.js";
import type { BanList } from "./ban-list.js";
import {
  challengeTemplate,
  type DigestAlgorithm,
  type DigestCredentials,
  digestEquals,
  expectedResponse,
  parseAlgorithm,
  parseCredentials,
} from "./digest.js";
import { type NonceManager, type NonceVerdict, sharedNonceManager } from "./nonces.js";
import { isLocalAddress, passwordIsName } from "./preset-password.js";

export interface Ha1Pair {
  readonly ha1Md5: string;
  readonly ha1Sha256: string;
}

type IpUsers = ReadonlyArray<{ readonly name: string; readonly domainId: number }>;

/**
 * Where HA1s come from (the store's UserDirectory satisfies it). The `cached` variants answer from
 * memory when they can (undefined: ask the async one), so a request whose data is cached is
 * authenticated without leaving the current turn of the event loop.
 */
export interface CredentialSource {
  lookup(domainId: number, name: string): Promise<{ readonly auth: Ha1Pair } | undefined>;
  cached(
    domainId: number,
    name: string,
  ): { readonly entry: { readonly auth: Ha1Pair } | undefined } | undefined;
  /** Users whose IP address authorization covers `ip`. */
  byIp(ip: string): Promise<IpUsers>;
  cachedByIp(ip: string): IpUsers | undefined;
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
  /** Its nonces; by default the process's for this clock (every tenant's authenticator shares it). */
  readonly nonces?: NonceManager;
  readonly onFailure?: (info: {
    sourceAddress: string;
    username: string | undefined;
    reason: string;
    banned: boolean;
  }) => void;
}

/** What a digest check needs once the user's HA1s are known. */
interface DigestCheck {
  readonly username: string;
  readonly algorithm: DigestAlgorithm;
  readonly uri: string;
  readonly nonce: string;
  readonly response: string;
  readonly qop: "auth" | undefined;
  readonly nc: string | undefined;
  readonly cnonce: string | undefined;
  readonly verdict: NonceVerdict;
}

/** Realms whose challenge text is kept ready (one per domain; bounded against odd input). */
const MAX_REALMS = 1000;

export class Authenticator {
  readonly nonces: NonceManager;
  private readonly partsByRealm = new Map<string, ReadonlyArray<readonly [string, string]>>();
  private readonly algorithms: readonly DigestAlgorithm[];
  /** HA1 used for unknown users so their check costs what a real one does. */
  private readonly decoy: Ha1Pair = {
    ha1Md5: randomBytes(16).toString("hex"),
    ha1Sha256: randomBytes(32).toString("hex"),
  };

  constructor(private readonly options: AuthenticatorOptions) {
    this.nonces = options.nonces ?? sharedNonceManager(options.clock, options.nonceLifetimeMs);
    this.algorithms = options.algorithms ?? ["MD5", "SHA-256"];
  }

  isBanned(address: string): boolean {
    return this.options.bans.isBanned(address);
  }

  /**
   * The outcome, synchronously when the credential source has the user (or the source address's
   * IP-authorized users) cached; a promise only when it must ask the store.
   */
  authenticate(a: AuthRequest): AuthOutcome | Promise<AuthOutcome> {
    const { request, realm } = a;
    const header = a.challenge === 401 ? "authorization" : "proxy-authorization";
    const creds = this.pickCredentials(request.getAll(header), realm);
    const source = this.options.credentials;
    if (!creds) {
      // IP address authorization: trusted without digest (FEATURES.md section 2).
      if (a.claimedUser === undefined) return this.challenge(a, false);
      const ipUsers = source.cachedByIp(a.sourceAddress);
      if (ipUsers) return this.ipOrChallenge(a, ipUsers);
      return source.byIp(a.sourceAddress).then((users) => this.ipOrChallenge(a, users));
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

    const check: DigestCheck = {
      username: creds.username,
      algorithm,
      uri: creds.uri,
      nonce: creds.nonce,
      response: creds.response,
      qop: qop === "auth" ? "auth" : undefined,
      nc: creds.nc,
      cnonce: creds.cnonce,
      verdict,
    };
    const hit = source.cached(a.domainId, creds.username);
    if (hit) return this.verify(a, check, hit.entry);
    return source.lookup(a.domainId, creds.username).then((entry) => this.verify(a, check, entry));
  }

  private ipOrChallenge(a: AuthRequest, ipUsers: IpUsers): AuthOutcome {
    for (const u of ipUsers) {
      if (u.name === a.claimedUser && u.domainId === a.domainId) {
        return { kind: "ok", username: a.claimedUser, method: "ip" };
      }
    }
    return this.challenge(a, false);
  }

  private verify(a: AuthRequest, c: DigestCheck, entry: { readonly auth: Ha1Pair } | undefined): AuthOutcome {
    const pair = entry?.auth ?? this.decoy;
    const expected = expectedResponse({
      algorithm: c.algorithm,
      ha1: c.algorithm === "MD5" ? pair.ha1Md5 : pair.ha1Sha256,
      method: a.request.method,
      // NOTE: the digest is computed over the uri the client sent. RFC 7616 3.4.6 asks servers to
      // check it names the Request-URI; sipp (and some phones) put the server address there
      // instead, which Kamailio and Asterisk accept too.
      uri: c.uri,
      nonce: c.nonce,
      qop: c.qop,
      nc: c.nc,
      cnonce: c.cnonce,
    });
    const matches = digestEquals(expected, c.response);
    if (!entry || !matches) return this.fail(a, c.username, entry ? "wrong password" : "unknown user");
    // Right password on an old nonce: ask again with stale=true, no strike (RFC 7616 3.3).
    if (c.verdict === "stale") return this.challenge(a, true);
    // RFC 7616 3.4: a nonce-count that does not increase is a replay.
    if (!this.nonces.acceptCount(c.nonce, c.nc)) return this.challenge(a, true);
    if (a.claimedUser !== undefined && a.claimedUser !== c.username) {
      return this.fail(a, c.username, `authenticated as ${c.username} but acting for ${a.claimedUser}`);
    }
    // A password equal to the user's name (the preset users') only from private addresses (issue 22).
    if (!isLocalAddress(a.sourceAddress) && passwordIsName(c.username, a.realm, pair.ha1Md5))
      return this.fail(a, c.username, "password equals the user name: accepted from private addresses only");
    // Distributed guessing (issue 22): a locked user passes only from an address it used before.
    if (this.options.bans.isLockedOut(c.username, a.sourceAddress))
      return this.fail(a, c.username, "user locked out after repeated failures");
    this.options.bans.recordSuccess(a.sourceAddress, c.username);
    return { kind: "ok", username: c.username, method: "digest" };
  }

  /** The Digest credentials for our realm; several may be present (one per challenge). */
  private pickCredentials(values: string[], realm: string): DigestCredentials | undefined {
    let fallback: DigestCredentials | undefined;
    for (const value of values) {
      const c = parseCredentials(value);
      // RFC 4475 3.3.7: an unknown scheme is ignored and the request challenged.
      if (c?.scheme.toLowerCase() !== "digest") continue;
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
    const parts = this.challengeParts(a.realm);
    const headers: Array<readonly [string, string]> = [];
    for (const [before, after] of parts) {
      headers.push([name, stale ? `${before}${nonce}${after}, stale=true` : before + nonce + after]);
    }
    return {
      kind: "challenge",
      status: a.challenge,
      reason: a.challenge === 401 ? "Unauthorized" : "Proxy Authentication Required",
      headers,
    };
  }

  /** The challenge text around the nonce, per algorithm offered, built once per realm. */
  private challengeParts(realm: string): ReadonlyArray<readonly [string, string]> {
    let parts = this.partsByRealm.get(realm);
    if (!parts) {
      parts = this.algorithms.map((algorithm) => challengeTemplate(realm, algorithm));
      if (this.partsByRealm.size >= MAX_REALMS) this.partsByRealm.clear();
      this.partsByRealm.set(realm, parts);
    }
    return parts;
  }

  private fail(a: AuthRequest, username: string | undefined, reason: string): AuthOutcome {
    const ban = this.options.bans.recordFailure(a.sourceAddress, username);
    this.options.onFailure?.({ sourceAddress: a.sourceAddress, username, reason, banned: ban !== undefined });
    // The same answer whatever went wrong: nothing to tell a scanner.
    return { kind: "forbidden", status: 403, reason: "Forbidden" };
  }
}

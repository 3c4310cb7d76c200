/**
 * Sign-in sessions of the web softphone (issue 20): random bearer tokens, each bound to one local
 * user, that expire after `idleTtlMs` without use and at the latest after `maxTtlMs`, like the
 * administrator's sessions (admin/sessions.ts) but in a store of their own. The two stores share
 * nothing, so a phone token can never pass the admin API's token check and an admin token never
 * names a user here. In memory only; only a SHA-256 of each token is held.
 */
import { createHash, randomBytes } from "node:crypto";

export interface PhoneSessionOptions {
  idleTtlMs: number;
  /** Absolute lifetime; default 12 hours or the idle TTL, whichever is longer. */
  maxTtlMs?: number;
  /** Sessions kept at most; the oldest goes first past it (a flood of sign-ins stays bounded). */
  maxSessions?: number;
  now?: () => number;
}

/** Whom a live phone token signs in. */
export interface PhoneSession {
  readonly domainId: number;
  readonly user: string;
  /** Milliseconds until the session expires if not used. */
  readonly expiresInMs: number;
}

interface Entry {
  domainId: number;
  user: string;
  createdAt: number;
  lastUsed: number;
}

/** Distinct from the admin sessions' `ps_`, so a token in a log says which kind it is. */
const PREFIX = "pp_";

const key = (token: string) => createHash("sha256").update(token, "utf8").digest("base64url");

export class PhoneSessions {
  private readonly sessions = new Map<string, Entry>();
  private readonly now: () => number;
  readonly idleTtlMs: number;
  readonly maxTtlMs: number;
  private readonly maxSessions: number;

  constructor(options: PhoneSessionOptions) {
    this.now = options.now ?? Date.now;
    this.idleTtlMs = options.idleTtlMs;
    this.maxTtlMs = options.maxTtlMs ?? Math.max(12 * 3600_000, options.idleTtlMs);
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  get size(): number {
    return this.sessions.size;
  }

  create(domainId: number, user: string): string {
    this.prune();
    // A Map iterates in insertion order: the first key is the oldest session.
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
    const now = this.now();
    this.sessions.set(key(token), { domainId, user, createdAt: now, lastUsed: now });
    return token;
  }

  /** The session's user, renewing it when `renew`; undefined when unknown or expired. */
  check(token: string, renew: boolean): PhoneSession | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const id = key(token);
    const entry = this.sessions.get(id);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now >= this.expiresAt(entry)) {
      this.sessions.delete(id);
      return undefined;
    }
    if (renew) entry.lastUsed = now;
    return { domainId: entry.domainId, user: entry.user, expiresInMs: this.expiresAt(entry) - now };
  }

  revoke(token: string): boolean {
    return this.sessions.delete(key(token));
  }

  /** Signs a user out everywhere (the user was deleted or renamed). */
  revokeUser(domainId: number, user: string): void {
    for (const [id, e] of this.sessions)
      if (e.domainId === domainId && e.user === user) this.sessions.delete(id);
  }

  private expiresAt(e: Entry): number {
    return Math.min(e.lastUsed + this.idleTtlMs, e.createdAt + this.maxTtlMs);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, e] of this.sessions) if (now >= this.expiresAt(e)) this.sessions.delete(id);
  }
}

/**
 * Sign-in sessions of the web UI: random bearer tokens that expire after `idleTtlMs` without use
 * (each authenticated request renews them) and at the latest after `maxTtlMs`. In memory only: a
 * restart signs everyone out. Only a SHA-256 of each token is held, so a heap dump reveals none.
 */
import { createHash, randomBytes } from "node:crypto";

export interface SessionOptions {
  idleTtlMs: number;
  /** Absolute lifetime; default 12 hours or the idle TTL, whichever is longer. */
  maxTtlMs?: number;
  now?: () => number;
}

interface Session {
  createdAt: number;
  lastUsed: number;
}

export interface SessionInfo {
  /** Milliseconds until the session expires if not used. */
  expiresInMs: number;
}

const key = (token: string) => createHash("sha256").update(token, "utf8").digest("base64url");

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;
  readonly idleTtlMs: number;
  readonly maxTtlMs: number;

  constructor(options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.idleTtlMs = options.idleTtlMs;
    this.maxTtlMs = options.maxTtlMs ?? Math.max(12 * 3600_000, options.idleTtlMs);
  }

  get size(): number {
    return this.sessions.size;
  }

  create(): string {
    this.prune();
    const token = `ps_${randomBytes(32).toString("base64url")}`;
    const now = this.now();
    this.sessions.set(key(token), { createdAt: now, lastUsed: now });
    return token;
  }

  /** The session's state, renewing it when `renew` (an authenticated request); undefined if expired. */
  check(token: string, renew: boolean): SessionInfo | undefined {
    const id = key(token);
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const now = this.now();
    if (this.expired(session, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    if (renew) session.lastUsed = now;
    return { expiresInMs: this.expiresAt(session) - now };
  }

  revoke(token: string): boolean {
    return this.sessions.delete(key(token));
  }

  /** Signs every session out (after a password change). */
  revokeAll(except?: string): void {
    const kept = except === undefined ? undefined : key(except);
    for (const id of [...this.sessions.keys()]) if (id !== kept) this.sessions.delete(id);
  }

  private expiresAt(s: Session): number {
    return Math.min(s.lastUsed + this.idleTtlMs, s.createdAt + this.maxTtlMs);
  }

  private expired(s: Session, now: number): boolean {
    return now >= this.expiresAt(s);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }
}

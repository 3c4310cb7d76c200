/**
 * Per-user lock-out against distributed guessing (issue 22). Bans are per source, so an attacker
 * with many addresses gets a few guesses from each; counting failures per user name catches that.
 * Once a user's failures from all sources reach the threshold within the window, the user is
 * locked for the ban time: even the right password is refused, except from an address that has
 * authenticated as this user before (its phones keep working) or a trusted one (checked by the
 * caller). Memory is bounded: a cap on users, and a few remembered addresses each.
 */

const MAX_USERS = 100_000;
/** Addresses remembered per user: a user's phones, softphones and their NAT addresses. */
const SEEN_PER_USER = 16;

export interface LockoutPolicy {
  /** Failures against one user within the window that lock it. */
  readonly threshold: number;
  readonly windowMs: number;
  /** How long a lock lasts. */
  readonly lockMs: number;
}

interface UserState {
  failures: number;
  windowStart: number;
  lockedUntil: number;
  /** Addresses (sourceKey form) that authenticated as this user, most recent last. */
  seen: string[];
}

export class UserLockout {
  private readonly users = new Map<string, UserState>();

  constructor(private policy: LockoutPolicy) {}

  setPolicy(policy: LockoutPolicy): void {
    this.policy = policy;
  }

  /** Count a failure against `user`; true if this failure locked it. */
  recordFailure(user: string, now: number): boolean {
    const s = this.state(user);
    if (now - s.windowStart > this.policy.windowMs) {
      s.failures = 0;
      s.windowStart = now;
    }
    s.failures++;
    if (s.failures < this.policy.threshold || s.lockedUntil > now) return false;
    s.lockedUntil = now + this.policy.lockMs;
    return true;
  }

  /** `user` authenticated from `source` (a sourceKey): that address may pass a later lock. */
  recordSuccess(user: string, source: string): void {
    const s = this.users.get(user) ?? (this.users.size < MAX_USERS ? this.state(user) : undefined);
    if (s === undefined) return;
    const at = s.seen.indexOf(source);
    if (at >= 0) s.seen.splice(at, 1);
    else if (s.seen.length >= SEEN_PER_USER) s.seen.shift();
    s.seen.push(source);
  }

  /** Is `user` locked for a request from `source` (a sourceKey)? */
  locked(user: string, source: string, now: number): boolean {
    const s = this.users.get(user);
    if (s === undefined || s.lockedUntil <= now) return false;
    return !s.seen.includes(source);
  }

  /** Users locked now, with when the lock ends. */
  lockedUsers(now: number): Array<{ user: string; until: number }> {
    const out: Array<{ user: string; until: number }> = [];
    for (const [user, s] of this.users) if (s.lockedUntil > now) out.push({ user, until: s.lockedUntil });
    return out;
  }

  private state(user: string): UserState {
    let s = this.users.get(user);
    if (s === undefined) {
      if (this.users.size >= MAX_USERS) {
        // The oldest entry that is neither locked nor remembering a phone goes first.
        for (const [name, old] of this.users) {
          if (old.lockedUntil === 0 && old.seen.length === 0) {
            this.users.delete(name);
            break;
          }
        }
        if (this.users.size >= MAX_USERS) {
          const oldest = this.users.keys().next().value;
          if (oldest !== undefined) this.users.delete(oldest);
        }
      }
      s = { failures: 0, windowStart: 0, lockedUntil: 0, seen: [] };
      this.users.set(user, s);
    }
    return s;
  }
}

/**
 * Failed-authentication tracking and bans (what fail2ban does for Asterisk, built in). Failures
 * are counted per source address and per user name in a sliding window; a source past the
 * threshold is banned for a while, and a user under attack bans every source that keeps failing
 * on it, and locks the user for new addresses (user-lockout.ts). An IPv6 source counts and is
 * banned by its /64 (source-key.ts). Addresses on the allow-list are never banned. Memory is
 * bounded: counters expire with their window and the tables have a hard cap.
 */
import { BlockList, isIP } from "node:net";
import type { Clock } from "../util/clock.js";
import { sourceKey } from "./source-key.js";
import { UserLockout } from "./user-lockout.js";

export interface BanPolicy {
  /** Failures from one source within the window that ban it. */
  readonly threshold: number;
  /** Failures against one user within the window (from any sources) after which each further failing source is banned. */
  readonly userThreshold: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** Addresses or CIDRs never banned. */
  readonly allow: readonly string[];
}

export const defaultBanPolicy: BanPolicy = {
  threshold: 10,
  userThreshold: 30,
  windowMs: 60_000,
  banMs: 600_000,
  allow: [],
};

export interface Ban {
  readonly address: string;
  readonly since: number;
  readonly until: number;
  readonly reason: string;
  readonly failures: number;
}

interface Counter {
  count: number;
  windowStart: number;
}

const MAX_ENTRIES = 100_000;

/** Build a BlockList from addresses/CIDRs; returns the entries it could not read. */
export function buildBlockList(entries: readonly string[]): { list: BlockList; invalid: string[] } {
  const list = new BlockList();
  const invalid: string[] = [];
  for (const entry of entries) {
    const [addr, bits] = entry.split("/");
    const family = isIP(addr ?? "");
    if (!family) {
      invalid.push(entry);
      continue;
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr!, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        invalid.push(entry);
        continue;
      }
      list.addSubnet(addr!, prefix, type);
    }
  }
  return { list, invalid };
}

export function addressIn(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (!family) return false;
  return list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** Totals since start, for the metrics (read at scrape time). */
export interface BanCounters {
  /** Failed authentications recorded (the allow-listed and trusted ones included). */
  failures: number;
  /** Bans imposed. */
  bans: number;
}

export class BanList {
  readonly counters: BanCounters = { failures: 0, bans: 0 };
  private readonly bySource = new Map<string, Counter>();
  private readonly byUser = new Map<string, Counter>();
  private readonly bans = new Map<string, Ban>();
  private policy: BanPolicy;
  private allow: BlockList;
  private readonly lockout: UserLockout;
  /** Sources never banned besides the policy's allow-list (the IP white list), asked each time. */
  private trusted: (address: string) => boolean = () => false;

  constructor(
    private readonly clock: Clock,
    policy: BanPolicy = defaultBanPolicy,
    private readonly onBan?: (ban: Ban) => void,
  ) {
    this.policy = policy;
    this.allow = buildBlockList(policy.allow).list;
    this.lockout = new UserLockout(lockoutPolicy(policy));
  }

  setPolicy(policy: BanPolicy): void {
    this.policy = policy;
    this.allow = buildBlockList(policy.allow).list;
    this.lockout.setPolicy(lockoutPolicy(policy));
  }

  /**
   * Never ban the sources `trusted` says true for (asked on every failure and ban check, so a
   * source trusted later loses its ban at once).
   */
  trust(trusted: (address: string) => boolean): void {
    this.trusted = trusted;
  }

  /** Is this source banned now? */
  isBanned(address: string): boolean {
    if (this.bans.size === 0) return false;
    const key = sourceKey(address);
    const ban = this.bans.get(key);
    if (!ban) return false;
    if (ban.until <= this.clock.now() || this.trusted(address)) {
      this.bans.delete(key);
      return false;
    }
    return true;
  }

  /**
   * Is `user` locked out for a request from `address`? Locked after too many failures against it
   * from all sources; its phones' addresses (those that authenticated as it before), the
   * allow-list and trusted sources still pass.
   */
  isLockedOut(user: string, address: string): boolean {
    if (!this.lockout.locked(user, sourceKey(address), this.clock.now())) return false;
    return !(addressIn(this.allow, address) || this.trusted(address));
  }

  /** Users locked out now, and until when (clock ms). */
  lockedUsers(): Array<{ user: string; until: number }> {
    return this.lockout.lockedUsers(this.clock.now());
  }

  /** Count one failed authentication. Returns the ban if this failure caused one. */
  recordFailure(address: string, user: string | undefined): Ban | undefined {
    this.counters.failures++;
    if (addressIn(this.allow, address) || this.trusted(address)) return undefined;
    const now = this.clock.now();
    const key = sourceKey(address);
    const src = this.bump(this.bySource, key, now);
    const usr = user === undefined ? 0 : this.bump(this.byUser, user, now);
    if (user !== undefined) this.lockout.recordFailure(user, now);
    if (src >= this.policy.threshold) return this.ban(key, `${src} failed authentications`, src);
    if (usr >= this.policy.userThreshold) return this.ban(key, `repeated failures against user ${user}`, src);
    return undefined;
  }

  /** A success from a source clears its failure count, and lets it past the user's lock-out. */
  recordSuccess(address: string, user?: string): void {
    const key = sourceKey(address);
    this.bySource.delete(key);
    if (user !== undefined) this.lockout.recordSuccess(user, key);
  }

  list(): Ban[] {
    const now = this.clock.now();
    const out: Ban[] = [];
    for (const [address, ban] of this.bans) {
      if (ban.until <= now || this.trusted(address)) this.bans.delete(address);
      else out.push(ban);
    }
    return out;
  }

  /** Lift a ban; true if there was one. */
  lift(address: string): boolean {
    const key = address.endsWith("/64") ? address : sourceKey(address);
    this.bySource.delete(key);
    return this.bans.delete(key);
  }

  private ban(address: string, reason: string, failures: number): Ban {
    const now = this.clock.now();
    const ban: Ban = { address, since: now, until: now + this.policy.banMs, reason, failures };
    if (this.bans.size >= MAX_ENTRIES) {
      const oldest = this.bans.keys().next().value;
      if (oldest !== undefined) this.bans.delete(oldest);
    }
    this.bans.set(address, ban);
    this.counters.bans++;
    this.bySource.delete(address);
    this.onBan?.(ban);
    return ban;
  }

  private bump(map: Map<string, Counter>, key: string, now: number): number {
    let c = map.get(key);
    if (!c || now - c.windowStart > this.policy.windowMs) {
      if (c) map.delete(key);
      c = { count: 0, windowStart: now };
      if (map.size >= MAX_ENTRIES) {
        const oldest = map.keys().next().value;
        if (oldest !== undefined) map.delete(oldest);
      }
      map.set(key, c);
    }
    c.count++;
    return c.count;
  }
}

/** The user lock-out follows the ban policy: its user threshold, window and ban time. */
function lockoutPolicy(policy: BanPolicy) {
  return { threshold: policy.userThreshold, windowMs: policy.windowMs, lockMs: policy.banMs };
}

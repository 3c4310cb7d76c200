/**
 * An in-memory cache of local users for the SIP path (ARCHITECTURE.md: configuration lives in
 * the store and is cached in memory). Digest checks and REGISTER policy read it on every request,
 * so a hit costs a Map lookup, not a query, and is answered synchronously (`cached`, `cachedByIp`):
 * only a miss goes to the store (`lookup`, `byIp`). Entries live `ttlMs`: a change made by another
 * process (the `parley user` CLI, a second node) is seen within that time; changes made through
 * this process's store are seen at once (`invalidate`). When the store can tell cheaply that no
 * other process has written since an entry was loaded (SQLite's data_version), an expired entry
 * is renewed instead of read again.
 *
 * Equal work (issue 22): a read that finds a user costs more than one that finds nobody (the row
 * is materialized: ~11 µs of SQLite on a 2-CPU test machine; the issue measured ~40 µs), so a
 * scanner could tell known names from unknown ones by timing the first lookup. So every load
 * reads twice, once finding a row and once finding none: a known name is followed by a read of a
 * name no user can have, an unknown one by a read of a user known to exist (the last one found).
 * Both paths then cost one hit and one miss; the companion read's result is thrown away. One
 * more read per cache miss is the price; hits, the usual case, are untouched.
 */
import type { Ha1Pair } from "./digest-ha1.js";
import { IpMatcher } from "./ip-match.js";
import type { LocalUser } from "./user-model.js";
import type { UserRepository } from "./user-repository.js";

export interface DirectoryEntry {
  readonly user: LocalUser;
  readonly auth: Ha1Pair;
}

interface Slot {
  entry: DirectoryEntry | undefined;
  loadedAt: number;
  /** The store's outside-change mark when the entry was read (see UserRepository). */
  mark: number | undefined;
  pending: Promise<DirectoryEntry | undefined> | undefined;
}

/** Every user with IP address authorization, with its matcher, loaded in one query. */
interface IpAuthorized {
  readonly users: ReadonlyArray<{ readonly user: LocalUser; readonly matcher: IpMatcher }>;
  loadedAt: number;
  readonly mark: number | undefined;
}

const MAX_SLOTS = 200_000;
/** A name no user can have (names are validated non-empty): a read of it finds no row. */
const NOBODY = "";

export class UserDirectory {
  private readonly slots = new Map<string, Slot>();
  /** Per source address: the IP-authorized users it matches, computed from `ipAuthorized`. */
  private readonly ipSlots = new Map<string, LocalUser[]>();
  private ipAuthorized: IpAuthorized | undefined;
  private ipLoading: Promise<IpAuthorized> | undefined;
  /** Bumped by `invalidate`, so a load that started before a change does not cache stale data. */
  private generation = 0;
  /** A user last found by a load: the unknown name's companion read (see the top comment). */
  private known: { readonly domainId: number; readonly name: string } | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = 5000,
  ) {
    users.onChange((domainId, name) => this.invalidate(domainId, name));
  }

  /**
   * What `lookup` would resolve to, when it is cached and fresh: `{ entry }` (entry undefined =
   * no such user); undefined when only `lookup` can tell.
   */
  cached(domainId: number, name: string): { readonly entry: DirectoryEntry | undefined } | undefined {
    const slot = this.slots.get(`${domainId}\u0000${name}`);
    if (slot === undefined || slot.pending !== undefined) return undefined;
    const now = this.now();
    if (now - slot.loadedAt >= this.ttlMs && !this.renew(slot, now)) return undefined;
    return slot;
  }

  /** Extends an expired entry's life if nobody else has written to the store since it was read. */
  private renew(cached: { loadedAt: number; readonly mark: number | undefined }, now: number): boolean {
    if (cached.mark === undefined || this.users.outsideChangeMark() !== cached.mark) return false;
    cached.loadedAt = now;
    return true;
  }

  /** The user and its HA1s, or undefined if there is no such user. */
  lookup(domainId: number, name: string): Promise<DirectoryEntry | undefined> {
    const key = `${domainId}\u0000${name}`;
    const now = this.now();
    let slot = this.slots.get(key);
    if (slot && (now - slot.loadedAt < this.ttlMs || (slot.pending === undefined && this.renew(slot, now)))) {
      return slot.pending ?? Promise.resolve(slot.entry);
    }
    if (!slot) {
      if (this.slots.size >= MAX_SLOTS) this.slots.clear();
      slot = { entry: undefined, loadedAt: now, mark: undefined, pending: undefined };
      this.slots.set(key, slot);
    }
    const s = slot;
    s.loadedAt = now;
    s.mark = this.users.outsideChangeMark();
    s.pending = this.users.getWithAuth(domainId, name).then(
      async (entry) => {
        await this.companionRead(domainId, name, entry !== undefined);
        s.entry = entry;
        s.pending = undefined;
        return entry;
      },
      (err: unknown) => {
        // A failed load is not cached: the next request tries again.
        if (this.slots.get(key) === s) this.slots.delete(key);
        throw err;
      },
    );
    return s.pending;
  }

  /**
   * The read that evens out a load's cost (see the top comment): after a hit, a miss; after a
   * miss, a hit on the last user found (a miss too until any user was found, or when that user
   * is gone). Its outcome and errors are ignored: the load's own result stands.
   */
  private async companionRead(domainId: number, name: string, found: boolean): Promise<void> {
    const known = this.known;
    if (found) this.known = { domainId, name };
    try {
      if (found || known === undefined) await this.users.getWithAuth(domainId, NOBODY);
      else if ((await this.users.getWithAuth(known.domainId, known.name)) === undefined) {
        if (this.known === known) this.known = undefined;
      }
    } catch {
      // Only evens out timing; the load itself succeeded.
    }
  }

  /** What `byIp` would resolve to, when the IP-authorized users are cached and fresh. */
  cachedByIp(ip: string): readonly LocalUser[] | undefined {
    const all = this.ipAuthorized;
    if (all === undefined) return undefined;
    const now = this.now();
    if (now - all.loadedAt >= this.ttlMs && !this.renew(all, now)) return undefined;
    return this.matchIp(all, ip);
  }

  /** Users whose IP address authorization covers `ip` (cached like lookups). */
  async byIp(ip: string): Promise<readonly LocalUser[]> {
    const hit = this.cachedByIp(ip);
    if (hit) return hit;
    return this.matchIp(await this.loadIpAuthorized(), ip);
  }

  /** Forget what is cached for one user (or everything), after a change through this process. */
  invalidate(domainId?: number, name?: string): void {
    this.generation++;
    if (domainId === undefined || name === undefined) this.slots.clear();
    else this.slots.delete(`${domainId}\u0000${name}`);
    // IP authorization may have changed with the user: cheap to drop, rare.
    this.ipAuthorized = undefined;
    this.ipLoading = undefined;
    this.ipSlots.clear();
  }

  private matchIp(all: IpAuthorized, ip: string): LocalUser[] {
    let users = this.ipSlots.get(ip);
    if (users === undefined) {
      users = [];
      for (const u of all.users) if (u.matcher.matches(ip)) users.push(u.user);
      if (this.ipSlots.size >= MAX_SLOTS) this.ipSlots.clear();
      this.ipSlots.set(ip, users);
    }
    return users;
  }

  private loadIpAuthorized(): Promise<IpAuthorized> {
    if (this.ipLoading) return this.ipLoading;
    const generation = this.generation;
    const loadedAt = this.now();
    const mark = this.users.outsideChangeMark();
    const loading = this.users.listIpAuthorized().then(
      (list) => {
        const all: IpAuthorized = {
          users: list.map((user) => ({ user, matcher: new IpMatcher(user.ipAuthorization) })),
          loadedAt,
          mark,
        };
        if (this.generation === generation) {
          this.ipAuthorized = all;
          this.ipSlots.clear();
        }
        if (this.ipLoading === loading) this.ipLoading = undefined;
        return all;
      },
      (err: unknown) => {
        if (this.ipLoading === loading) this.ipLoading = undefined;
        throw err;
      },
    );
    this.ipLoading = loading;
    return loading;
  }
}

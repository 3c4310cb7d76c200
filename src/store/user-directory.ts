/**
 * An in-memory cache of local users for the SIP path (ARCHITECTURE.md: configuration lives in
 * the store and is cached in memory). Digest checks and REGISTER policy read it on every request,
 * so a hit costs a Map lookup, not a query. Entries live `ttlMs`: a change made by another
 * process (the `parley user` CLI, a second node) is seen within that time; changes made through
 * this process's store are seen at once (`invalidate`).
 */
import type { Ha1Pair } from "./digest-ha1.js";
import type { LocalUser } from "./user-model.js";
import type { UserRepository } from "./user-repository.js";

export interface DirectoryEntry {
  readonly user: LocalUser;
  readonly auth: Ha1Pair;
}

interface Slot {
  entry: DirectoryEntry | undefined;
  loadedAt: number;
  pending: Promise<DirectoryEntry | undefined> | undefined;
}

const MAX_SLOTS = 200_000;

export class UserDirectory {
  private readonly slots = new Map<string, Slot>();
  private readonly ipSlots = new Map<string, { users: LocalUser[]; loadedAt: number }>();

  constructor(
    private readonly users: UserRepository,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = 5000,
  ) {
    users.onChange((domainId, name) => this.invalidate(domainId, name));
  }

  /** The user and its HA1s, or undefined if there is no such user. */
  lookup(domainId: number, name: string): Promise<DirectoryEntry | undefined> {
    const key = `${domainId}\u0000${name}`;
    const now = this.now();
    let slot = this.slots.get(key);
    if (slot && now - slot.loadedAt < this.ttlMs) {
      return slot.pending ?? Promise.resolve(slot.entry);
    }
    if (!slot) {
      if (this.slots.size >= MAX_SLOTS) this.slots.clear();
      slot = { entry: undefined, loadedAt: now, pending: undefined };
      this.slots.set(key, slot);
    }
    const s = slot;
    s.loadedAt = now;
    s.pending = this.load(domainId, name).then(
      (entry) => {
        s.entry = entry;
        s.pending = undefined;
        return entry;
      },
      (err: unknown) => {
        // A failed load is not cached: the next request tries again.
        this.slots.delete(key);
        throw err;
      },
    );
    return s.pending;
  }

  /** Users whose IP address authorization covers `ip` (cached like lookups). */
  async byIp(ip: string): Promise<LocalUser[]> {
    const now = this.now();
    const hit = this.ipSlots.get(ip);
    if (hit && now - hit.loadedAt < this.ttlMs) return hit.users;
    const users = await this.users.findByIp(ip);
    if (this.ipSlots.size >= MAX_SLOTS) this.ipSlots.clear();
    this.ipSlots.set(ip, { users, loadedAt: now });
    return users;
  }

  /** Forget what is cached for one user (or everything), after a change through this process. */
  invalidate(domainId?: number, name?: string): void {
    if (domainId === undefined || name === undefined) this.slots.clear();
    else this.slots.delete(`${domainId}\u0000${name}`);
    // IP authorization may have changed with the user: cheap to drop, rare.
    this.ipSlots.clear();
  }

  private async load(domainId: number, name: string): Promise<DirectoryEntry | undefined> {
    const [user, auth] = await Promise.all([
      this.users.get(domainId, name),
      this.users.getAuth(domainId, name),
    ]);
    return user && auth ? { user, auth } : undefined;
  }
}

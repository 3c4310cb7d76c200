/**
 * The auto-attendant's entry points of a domain as the call path reads them: every call asks
 * whether its number is one, so they are cached in memory (ARCHITECTURE.md: configuration is
 * cached), dropped at once on a change through this process's store, and read again after `ttlMs`
 * to see changes made by another process (the CLI). Menus and time conditions are read when a call
 * enters the auto-attendant, which is rare enough to go to the store.
 */
import type { AutoAttendantEntry, EntryKind } from "../../store/auto-attendant-model.js";
import type { AutoAttendantRepository } from "../../store/auto-attendant-repository.js";

export type EntrySource = Pick<AutoAttendantRepository, "entries" | "onChange">;

export class EntryCache {
  private readonly cached = new Map<
    number,
    { entries: Promise<Map<string, AutoAttendantEntry>>; at: number }
  >();

  constructor(
    private readonly repository: EntrySource,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = 5000,
  ) {
    repository.onChange((domainId) => this.cached.delete(domainId));
  }

  async entry(domainId: number, kind: EntryKind, key: string): Promise<AutoAttendantEntry | undefined> {
    return (await this.load(domainId)).get(`${kind}\u0000${key}`);
  }

  private load(domainId: number): Promise<Map<string, AutoAttendantEntry>> {
    const now = this.now();
    const hit = this.cached.get(domainId);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.entries;
    const entries = this.repository
      .entries(domainId)
      .then((list) => new Map(list.map((e) => [`${e.kind}\u0000${e.key}`, e])));
    this.cached.set(domainId, { entries, at: now });
    // A failed read is not cached: the next call tries again.
    entries.catch(() => this.cached.delete(domainId));
    return entries;
  }
}

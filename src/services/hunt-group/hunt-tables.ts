/**
 * The hunt groups and detection records of a domain as the call path reads them: cached in memory
 * (ARCHITECTURE.md: configuration is cached), dropped at once on a change through this process's
 * store, and read again after `ttlMs` to see changes made by another process (the CLI).
 */
import type { HuntDetection, HuntGroup } from "../../store/hunt-group-model.js";
import type { HuntGroupRepository } from "../../store/hunt-group-repository.js";

export interface HuntTables {
  /** Groups by number. */
  readonly groups: ReadonlyMap<string, HuntGroup>;
  /** Detection records by called number. */
  readonly detections: ReadonlyMap<string, readonly HuntDetection[]>;
}

/** What the cache reads of the store. */
export type HuntTableSource = Pick<HuntGroupRepository, "groups" | "detections" | "onChange">;

export class HuntTableCache {
  private readonly cached = new Map<number, { tables: Promise<HuntTables>; at: number }>();

  constructor(
    private readonly repository: HuntTableSource,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = 5000,
  ) {
    repository.onChange((domainId) => this.cached.delete(domainId));
  }

  tables(domainId: number): Promise<HuntTables> {
    const now = this.now();
    const hit = this.cached.get(domainId);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.tables;
    const tables = this.load(domainId);
    this.cached.set(domainId, { tables, at: now });
    // A failed read is not cached: the next call tries again.
    tables.catch(() => this.cached.delete(domainId));
    return tables;
  }

  private async load(domainId: number): Promise<HuntTables> {
    const [groups, detections] = await Promise.all([
      this.repository.groups(domainId),
      this.repository.detections(domainId),
    ]);
    const byCalled = new Map<string, HuntDetection[]>();
    for (const d of detections) byCalled.set(d.calledNumber, [...(byCalled.get(d.calledNumber) ?? []), d]);
    return { groups: new Map(groups.map((g) => [g.number, g])), detections: byCalled };
  }
}

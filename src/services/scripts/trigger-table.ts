/**
 * The trigger records (issue 18: "detection point, dial plan, called number (prefix), script
 * name, order") as a call meets them: the enabled ones of a point whose prefix begins the called
 * number and whose dial plan is the caller's (or any), in their order. Kept in memory and read
 * again after every change the store reports (and at least once a second, for changes made by
 * another process), so an edit applies to the next call without a restart, and a busy server
 * does not query the store at every detection point of every call.
 */
import type { PointContext } from "../../call/detection-points.js";

/** What a trigger record holds that matching reads (src/store/script-trigger-model.ts). */
export interface TriggerRecord {
  readonly point: string;
  readonly dialPlan: string;
  readonly prefix: string;
  readonly script: string;
  readonly order: number;
  readonly enabled: boolean;
}

export interface TriggerSource {
  list(domainId: number): Promise<readonly TriggerRecord[]>;
  /** Tells of every change to a domain's triggers (an edit applies to the very next call). */
  onChange?(listener: (domainId: number) => void): void;
  /** The dial plan the call's caller uses ("default" when none); only asked for triggers naming one. */
  dialPlanOf?(context: PointContext): Promise<string>;
}

const FRESH_MS = 1000;

export class TriggerTable {
  private readonly cache = new Map<number, { at: number; records: Promise<readonly TriggerRecord[]> }>();

  constructor(
    private readonly source: TriggerSource,
    private readonly now: () => number = Date.now,
  ) {
    source.onChange?.((domainId) => this.cache.delete(domainId));
  }

  /** The triggers of `point` that match the call, in order. */
  async matching(point: string, context: PointContext): Promise<TriggerRecord[]> {
    const all = await this.records(context.caller.domainId);
    const candidates = all.filter(
      (t) => t.enabled && t.point === point && context.dialed.startsWith(t.prefix),
    );
    if (candidates.length === 0) return candidates;
    let dialPlan: string | undefined;
    const out: TriggerRecord[] = [];
    for (const t of candidates) {
      if (t.dialPlan !== "") {
        dialPlan ??= (await this.source.dialPlanOf?.(context)) ?? "default";
        if (t.dialPlan !== dialPlan) continue;
      }
      out.push(t);
    }
    return out.sort((a, b) => a.order - b.order);
  }

  private records(domainId: number): Promise<readonly TriggerRecord[]> {
    const cached = this.cache.get(domainId);
    if (cached !== undefined && this.now() - cached.at < FRESH_MS) return cached.records;
    const records = this.source.list(domainId).catch(() => cached?.records ?? []);
    this.cache.set(domainId, { at: this.now(), records });
    return records;
  }
}

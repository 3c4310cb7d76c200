/**
 * Logs a repeated refusal once per interval per key, with how many happened since the last line
 * (issue 22): a flood of refused requests must not become a flood of log lines.
 */
export class LogOncePerInterval {
  private readonly seen = new Map<string, { at: number; count: number }>();

  constructor(
    private readonly now: () => number,
    private readonly everyMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Count one event for `key`; returns how many to report now (this one included), or undefined. */
  count(key: string): number | undefined {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry !== undefined && now - entry.at < this.everyMs) {
      entry.count++;
      return undefined;
    }
    if (entry === undefined && this.seen.size >= this.maxKeys) this.seen.clear();
    this.seen.set(key, { at: now, count: 0 });
    return (entry?.count ?? 0) + 1;
  }
}

/**
 * Caps on accepted TCP/TLS/WebSocket connections (issue 22): in all and per source address, so one address
 * cannot hold thousands of idle connections (each kept for the idle timeout) and starve every
 * other phone. A refused connection is closed on accept, before a byte is read; the refusal is
 * reported once per interval per source, not once per connection, so a flood cannot flood the log.
 */

export interface ConnectionCapOptions {
  /** Accepted connections open at once, from all sources (0 = no cap). */
  readonly maxConnections: number;
  /** Accepted connections open at once from one source address (0 = no cap). */
  readonly maxPerSource: number;
  /** How often a refusal is reported per source, ms. */
  readonly reportEveryMs?: number;
}

export interface CapRefusal {
  readonly protocol: "TCP" | "TLS" | "WS" | "WSS";
  readonly source: string;
  readonly limit: "total" | "per-source";
  readonly max: number;
  /** Connections refused from this source since the last report. */
  readonly refused: number;
}

export class ConnectionCaps {
  private total = 0;
  private readonly bySource = new Map<string, number>();
  /** Per source: when it was last reported and how many were refused since. */
  private readonly reported = new Map<string, { at: number; refused: number }>();
  /** Connections refused since start (the metrics may read it). */
  refusedTotal = 0;

  constructor(
    private readonly o: ConnectionCapOptions,
    private readonly now: () => number,
    private readonly report: (refusal: CapRefusal) => void,
  ) {}

  /**
   * Admit a new connection from `source`: true, and `release` must be called when it closes; false
   * when a cap is reached (the caller closes it).
   */
  admit(source: string, protocol: "TCP" | "TLS" | "WS" | "WSS"): boolean {
    const { maxConnections, maxPerSource } = this.o;
    const fromSource = this.bySource.get(source) ?? 0;
    const limit =
      maxConnections > 0 && this.total >= maxConnections
        ? "total"
        : maxPerSource > 0 && fromSource >= maxPerSource
          ? "per-source"
          : undefined;
    if (limit !== undefined) {
      this.refuse(protocol, source, limit, limit === "total" ? maxConnections : maxPerSource);
      return false;
    }
    this.total++;
    this.bySource.set(source, fromSource + 1);
    return true;
  }

  release(source: string): void {
    this.total = Math.max(0, this.total - 1);
    const n = (this.bySource.get(source) ?? 1) - 1;
    if (n <= 0) this.bySource.delete(source);
    else this.bySource.set(source, n);
  }

  get open(): number {
    return this.total;
  }

  private refuse(
    protocol: CapRefusal["protocol"],
    source: string,
    limit: CapRefusal["limit"],
    max: number,
  ): void {
    this.refusedTotal++;
    const now = this.now();
    const every = this.o.reportEveryMs ?? 60_000;
    const last = this.reported.get(source);
    if (last !== undefined && now - last.at < every) {
      last.refused++;
      return;
    }
    if (this.reported.size > 10_000) this.reported.clear();
    this.reported.set(source, { at: now, refused: 0 });
    this.report({ protocol, source, limit, max, refused: (last?.refused ?? 0) + 1 });
  }
}

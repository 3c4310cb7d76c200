/**
 * Parley's own load, as the event loop feels it (issue 22, overload control): the mean delay of
 * the main event loop over the last interval. Above the threshold Parley is overloaded, and stays
 * so until the delay falls under half of it (hysteresis, so it does not flap); the SIP core then
 * answers new work with 503 and Retry-After (overload-gate.ts) instead of falling silent.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";

export interface LoadMonitorOptions {
  /** Mean event-loop delay, ms, above which Parley is overloaded (0 = never). */
  readonly thresholdMs: number;
  /** How often the delay is read, ms. */
  readonly intervalMs?: number;
}

export class LoadMonitor {
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  /** The mean event-loop delay of the last interval, ms. */
  lagMs = 0;
  /** Times Parley went into overload since start. */
  episodes = 0;

  constructor(
    private readonly o: LoadMonitorOptions,
    private readonly onChange?: (overloaded: boolean, lagMs: number) => void,
  ) {}

  get overloaded(): boolean {
    return this.over;
  }

  start(): void {
    if (this.o.thresholdMs <= 0 || this.timer !== undefined) return;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), this.o.intervalMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }

  /** Feed one interval's mean delay (ms): what the timer does with the histogram; tests call it. */
  observe(lagMs: number): void {
    this.lagMs = lagMs;
    const threshold = this.o.thresholdMs;
    const next = this.over ? lagMs >= threshold / 2 : lagMs > threshold;
    if (next === this.over) return;
    this.over = next;
    if (next) this.episodes++;
    this.onChange?.(next, lagMs);
  }

  private sample(): void {
    const h = this.histogram;
    if (h === undefined) return;
    // The histogram's delay includes the sampling resolution itself: take it off.
    const mean = Number.isNaN(h.mean) ? 0 : Math.max(0, h.mean / 1e6 - 10);
    h.reset();
    this.observe(mean);
  }
}

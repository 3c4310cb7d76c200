/**
 * Parley's own load, as the event loop feels it (issue 22, overload control), read every interval:
 * - the mean delay of the main event loop: timers and I/O waiting behind long work;
 * - its utilisation (the share of the interval spent working, not waiting for I/O): a UDP flood
 *   keeps the loop busy in short turns without delaying it much, while the socket's queue in the
 *   kernel fills and overflows — every datagram that overflows is a request that gets no answer.
 * Parley is overloaded when the delay was above its threshold for two intervals running while SIP
 * traffic came in (100 datagrams a second or more), or the loop was busier than
 * `busyPercent` for two intervals running with datagrams piling up in the kernel (most turns of
 * the loop found a full batch waiting: transport/receive-backlog.ts); it stays so until the delay is under half its threshold
 * and the utilisation under half of `busyPercent` (hysteresis: answering 503 costs far less than
 * answering a challenge, so a flood that goes on keeps the loop well under `busyPercent` while
 * overloaded, and must not flip it back to challenging). The SIP core
 * then answers new work with 503 and Retry-After (overload-gate.ts) instead of falling silent, a
 * far cheaper answer than a challenge.
 */
import {
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance,
} from "node:perf_hooks";

export interface LoadMonitorOptions {
  /** Mean event-loop delay, ms, above which Parley is overloaded (0 = never). */
  readonly thresholdMs: number;
  /** Event-loop utilisation, percent, above which (two intervals running) it is overloaded, until under half (0 = never). */
  readonly busyPercent?: number;
  /**
   * Since the last call: the share (0..1) of event-loop turns that found a full batch of datagrams
   * waiting, and the datagrams read (transport/receive-backlog.ts). Busy counts as overload only
   * with a backlog of a flood's size (most turns full, at least `floodRate` datagrams a second), so
   * heavy work that keeps up, or a start-up that kept a few datagrams waiting, is not refused.
   * Default: always backlogged.
   */
  readonly backlog?: () => { share: number; datagrams: number };
  /** Datagrams a second below which a backlog is no flood (default 1,000). */
  readonly floodRate?: number;
  /** How often the load is read, ms. */
  readonly intervalMs?: number;
}

export class LoadMonitor {
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private utilization: EventLoopUtilization | undefined;
  private over = false;
  private busyIntervals = 0;
  private lagIntervals = 0;
  /** The mean event-loop delay of the last interval, ms. */
  lagMs = 0;
  /** The event loop's utilisation over the last interval, percent. */
  busyPercent = 0;
  /** Times Parley went into overload since start. */
  episodes = 0;

  constructor(
    private readonly o: LoadMonitorOptions,
    private readonly onChange?: (overloaded: boolean, lagMs: number, busyPercent: number) => void,
  ) {}

  get overloaded(): boolean {
    return this.over;
  }

  start(): void {
    const busy = this.o.busyPercent ?? 0;
    if ((this.o.thresholdMs <= 0 && busy <= 0) || this.timer !== undefined) return;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.utilization = performance.eventLoopUtilization();
    this.timer = setInterval(() => this.sample(), this.o.intervalMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }

  /** Feed one interval's mean delay (ms) and utilisation (percent): what the timer does; tests call it. */
  observe(lagMs: number, busyPercent = 0, backlog = 1, datagramsPerSecond = Number.POSITIVE_INFINITY): void {
    this.lagMs = lagMs;
    this.busyPercent = busyPercent;
    const threshold = this.o.thresholdMs;
    const busyLimit = this.o.busyPercent ?? 0;
    const flooded =
      busyLimit > 0 &&
      busyPercent > busyLimit &&
      backlog >= 0.5 &&
      datagramsPerSecond >= (this.o.floodRate ?? 1000);
    this.busyIntervals = flooded ? this.busyIntervals + 1 : 0;
    // A delay counts only while SIP traffic is what Parley is busy with (a tenth of a flood's rate
    // or more), and only when it lasts: one stall (a long store write, a process descheduled on a
    // crowded machine) must not turn the next caller away.
    const lagged =
      threshold > 0 && lagMs > threshold && datagramsPerSecond >= (this.o.floodRate ?? 1000) / 10;
    this.lagIntervals = lagged ? this.lagIntervals + 1 : 0;
    const lagging = this.lagIntervals >= 2;
    const busy = this.busyIntervals >= 2;
    const next = this.over
      ? (threshold > 0 && lagMs >= threshold / 2) || (busyLimit > 0 && busyPercent >= busyLimit / 2)
      : lagging || busy;
    if (next === this.over) return;
    this.over = next;
    if (next) this.episodes++;
    this.onChange?.(next, lagMs, busyPercent);
  }

  private sample(): void {
    const h = this.histogram;
    if (h === undefined) return;
    // The histogram's delay includes the sampling resolution itself: take it off.
    const mean = Number.isNaN(h.mean) ? 0 : Math.max(0, h.mean / 1e6 - 10);
    h.reset();
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, this.utilization).utilization * 100;
    this.utilization = now;
    const backlog = this.o.backlog?.();
    const intervalMs = this.o.intervalMs ?? 500;
    this.observe(
      mean,
      busy,
      backlog?.share ?? 1,
      backlog === undefined ? Number.POSITIVE_INFINITY : (backlog.datagrams * 1000) / intervalMs,
    );
  }
}

/**
 * The 20 ms tick of a media worker: every endpoint and conference room of the worker moves one
 * frame per tick, so there is one timer per worker rather than one per stream. Drift-free: tick n
 * is due at start + n * 20 ms, whatever the lateness of the timer before it, so the rate is exactly
 * 50/s over minutes. After a stall (a GC pause, a busy core) the missed ticks are caught up one at
 * a time, each on its own turn of the event loop, never as one burst; a stall longer than
 * MAX_CATCH_UP ticks is skipped (the streams' timestamps jump, RFC 3550 5.1: time passes without
 * packets, which the receiver plays as a gap) rather than flooded.
 */
export const TICK_MS = 20;
/** 200 ms: a receiver's jitter buffer absorbs that much; more would arrive too late to play. */
export const MAX_CATCH_UP = 10;

export interface ClockListener {
  /** One tick; `skipped` counts ticks dropped before it after a long stall (usually 0). */
  tick(skipped: number): void;
}

export class MediaClock {
  private start = 0;
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;
  /** How late ticks ran, for the figures (ms, the last 1,024). */
  readonly lateness = new Float64Array(1024);
  private latenessAt = 0;
  skippedTotal = 0;

  constructor(
    private readonly listener: ClockListener,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts ticking (idempotent); tick 0 is due one period from now. */
  run(): void {
    if (this.timer !== undefined) return;
    this.start = this.now();
    this.ticks = 1;
    this.timer = setTimeout(this.fire, TICK_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    const now = this.now();
    let due = this.start + this.ticks * TICK_MS;
    let skipped = 0;
    const behind = Math.floor((now - due) / TICK_MS);
    if (behind > MAX_CATCH_UP) {
      skipped = behind;
      this.ticks += behind;
      this.skippedTotal += behind;
      due += behind * TICK_MS;
    }
    this.lateness[this.latenessAt++ & 1023] = now - due;
    try {
      this.listener.tick(skipped);
    } finally {
      this.ticks++;
      if (this.timer !== undefined) {
        const wait = this.start + this.ticks * TICK_MS - this.now();
        // Node's timers count whole milliseconds; a late tick gets the next turn of the loop.
        this.timer = setTimeout(this.fire, wait > 1 ? Math.round(wait) : 0);
      }
    }
  };
}

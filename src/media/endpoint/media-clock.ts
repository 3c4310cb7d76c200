/**
 * The 20 ms clock of a media worker. Every endpoint and conference room of the worker moves one
 * frame per 20 ms, so there is one timer per worker rather than one per stream; the period is cut
 * into PHASES slots and each endpoint keeps one slot for its life, so the worker sends a quarter of
 * its streams every 5 ms instead of all of them in one burst (on a loaded worker a burst of a
 * thousand sends takes milliseconds, and the streams at its end would be that much late).
 *
 * Drift-free: slot n is due at start + n * 5 ms, whatever the lateness of the timer before it, so
 * every stream runs at exactly 50 packets/s over minutes. After a stall (a GC pause, a busy core)
 * the missed slots are caught up one at a time, each on its own turn of the event loop, never as
 * one burst; a stall longer than MAX_CATCH_UP periods is skipped in whole periods (the streams'
 * timestamps jump, RFC 3550 5.1: time passes without packets, which a receiver plays as a gap)
 * rather than flooded.
 */
export const TICK_MS = 20;
export const PHASES = 4;
const SLOT_MS = TICK_MS / PHASES;
/** 200 ms: a receiver's jitter buffer absorbs that much; more would arrive too late to play. */
export const MAX_CATCH_UP = 10;

export interface ClockListener {
  /**
   * One slot: the endpoints of `phase` (0 to PHASES - 1) move one frame. `skipped` counts the
   * whole periods dropped before it after a long stall (usually 0).
   */
  tick(phase: number, skipped: number): void;
}

export class MediaClock {
  private start = 0;
  private slots = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Per phase, the periods a long stall made it skip, told at its next slot. */
  private readonly pendingSkip = new Array<number>(PHASES).fill(0);
  /** How late slots ran, for the figures (ms, the last 1,024). */
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

  /** Starts ticking (idempotent); the first slot is due one slot from now. */
  run(): void {
    if (this.timer !== undefined) return;
    this.start = this.now();
    this.slots = 1;
    this.timer = setTimeout(this.fire, SLOT_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    const now = this.now();
    let due = this.start + this.slots * SLOT_MS;
    const behindPeriods = Math.floor((now - due) / TICK_MS);
    if (behindPeriods > MAX_CATCH_UP) {
      // Whole periods only, so every phase skips the same number of frames.
      this.slots += behindPeriods * PHASES;
      this.skippedTotal += behindPeriods;
      this.pendingSkip.fill(behindPeriods);
      due += behindPeriods * TICK_MS;
    }
    this.lateness[this.latenessAt++ & 1023] = now - due;
    const phase = this.slots % PHASES;
    const skipped = this.pendingSkip[phase];
    this.pendingSkip[phase] = 0;
    try {
      this.listener.tick(phase, skipped);
    } finally {
      this.slots++;
      if (this.timer !== undefined) {
        const wait = this.start + this.slots * SLOT_MS - this.now();
        // Node's timers count whole milliseconds; a late slot gets the next turn of the loop.
        this.timer = setTimeout(this.fire, wait > 1 ? Math.round(wait) : 0);
      }
    }
  };
}

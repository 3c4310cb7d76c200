/**
 * Per-source rate limits, pike-style (issue 22): each source address (an IPv6 source by its /64,
 * source-key.ts) may send `rate` SIP messages a second, averaged over `windowSeconds`; beyond that
 * its datagrams and stream messages are dropped before they are parsed, so one flooding address
 * costs a map lookup a message and draws nothing back (no amplification). What a limited source
 * sends under its rate still gets through, so a phone that bursts once keeps working.
 *
 * Exempt sources (the carriers, the IP white list, --rate-limit-allow) are asked only when a source
 * runs over, and the answer is kept for a while: the common path stays one bucket update. Memory is
 * bounded by `maxSources`: idle sources (full buckets) are forgotten; when every tracked source is
 * busy a new one is let through untracked — the overload gate (core/overload-gate.ts) still sheds.
 */
import { TokenBucket } from "../util/token-bucket.js";
import { sourceKey } from "./source-key.js";

export interface SourceRateLimitOptions {
  /** Messages a second per source; 0 = no limit. */
  readonly rate: number;
  /** The averaging window: a source may burst `rate × windowSeconds` messages. */
  readonly windowSeconds?: number;
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  /** Never limited (asked when the source first runs over, then every `exemptRecheckMs`). */
  readonly exempt: (address: string) => boolean;
  /** A source is being limited: called when it starts and then at most once per `logEveryMs`. */
  readonly onLimited?: (source: string, dropped: number) => void;
  readonly maxSources?: number;
  readonly logEveryMs?: number;
  readonly exemptRecheckMs?: number;
}

interface SourceState {
  readonly bucket: TokenBucket;
  exempt: boolean;
  exemptCheckedAt: number;
  dropped: number;
  loggedAt: number;
}

const SWEEP_EVERY_MS = 30_000;

export class SourceRateLimiter {
  /** Messages dropped since start. */
  dropped = 0;
  private readonly sources = new Map<string, SourceState>();
  private readonly burst: number;
  private sweptAt: number;

  constructor(private readonly o: SourceRateLimitOptions) {
    this.burst = Math.max(1, o.rate * (o.windowSeconds ?? 2));
    this.sweptAt = o.now();
  }

  /** Take one message from `address`: false = drop it. */
  allows(address: string): boolean {
    if (this.o.rate === 0) return true;
    const now = this.o.now();
    if (now - this.sweptAt >= SWEEP_EVERY_MS) this.sweep(now);
    const key = sourceKey(address);
    let state = this.sources.get(key);
    if (state === undefined) {
      if (this.sources.size >= (this.o.maxSources ?? 100_000)) this.sweep(now);
      if (this.sources.size >= (this.o.maxSources ?? 100_000)) return true;
      state = {
        bucket: new TokenBucket(this.o.rate, this.burst, now),
        exempt: false,
        exemptCheckedAt: Number.NEGATIVE_INFINITY,
        dropped: 0,
        loggedAt: Number.NEGATIVE_INFINITY,
      };
      this.sources.set(key, state);
    }
    if (state.bucket.take(now)) return true;
    if (now - state.exemptCheckedAt >= (this.o.exemptRecheckMs ?? 10_000)) {
      state.exempt = this.o.exempt(address);
      state.exemptCheckedAt = now;
    }
    if (state.exempt) return true;
    this.dropped++;
    state.dropped++;
    if (now - state.loggedAt >= (this.o.logEveryMs ?? 60_000)) {
      this.o.onLimited?.(key, state.dropped);
      state.dropped = 0;
      state.loggedAt = now;
    }
    return false;
  }

  /** Sources tracked now (for tests and metrics). */
  get tracked(): number {
    return this.sources.size;
  }

  /** Forget the sources that sent nothing for a whole window (their buckets are full again). */
  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, state] of this.sources) if (state.bucket.full(now)) this.sources.delete(key);
  }
}

/**
 * A token bucket: `rate` tokens a second, holding at most `burst`. The state is two numbers so a
 * rate limiter can keep one per source address or connection cheaply; the refill is computed when
 * a token is taken, from the time passed, with no timer.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Take one token at `now` (milliseconds); false when the bucket is empty. */
  take(now: number): boolean {
    const elapsed = now - this.at;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
      this.at = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Full again at `now`: nothing taken for long enough that forgetting the bucket loses nothing. */
  full(now: number): boolean {
    return this.tokens + ((now - this.at) * this.rate) / 1000 >= this.burst;
  }
}

/**
 * Failed sign-ins per client address: after `maxFailures` within `windowMs`, that address may not
 * try again until the window since its first failure has passed. This bounds password guessing
 * (and the scrypt work each guess costs) without locking the administrator out everywhere.
 */
export interface ThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

interface Record {
  first: number;
  failures: number;
}

export class SignInThrottle {
  private readonly failures = new Map<string, Record>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until `address` may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const r = this.current(address);
    if (r === undefined || r.failures < this.maxFailures) return 0;
    return r.first + this.windowMs - this.now();
  }

  failed(address: string): void {
    const r = this.current(address);
    if (r === undefined) {
      if (this.failures.size > 10_000) this.prune();
      this.failures.set(address, { first: this.now(), failures: 1 });
    } else r.failures += 1;
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string): Record | undefined {
    const r = this.failures.get(address);
    if (r !== undefined && this.now() - r.first >= this.windowMs) {
      this.failures.delete(address);
      return undefined;
    }
    return r;
  }

  private prune(): void {
    const now = this.now();
    for (const [address, r] of this.failures)
      if (now - r.first >= this.windowMs) this.failures.delete(address);
  }
}

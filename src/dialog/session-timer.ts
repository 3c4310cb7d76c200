import type { Clock, TimerHandle } from "../util/clock.js";

/** What a SessionTimer reports to (an interface rather than two closures per dialog). */
export interface SessionTimerUser {
  /** Half the interval passed and Parley is the refresher: send the refresh (RFC 4028 10). */
  onRefreshDue(): void;
  /** No refresh succeeded in time (RFC 4028 10). */
  onExpired(interval: number): void;
}

/**
 * The running half of RFC 4028 for one dialog: the refresher sends a refresh at half the session
 * interval; either side treats the session as expired when no refresh succeeded in time.
 */
export class SessionTimer {
  private refreshTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;
  /** Current session interval in seconds; undefined while no session timer runs. */
  interval: number | undefined;
  /** True when Parley is the refresher. */
  localRefresher = false;

  constructor(
    private readonly clock: Clock,
    private readonly user: SessionTimerUser,
  ) {}

  get running(): boolean {
    return this.interval !== undefined;
  }

  /** (Re)starts both timers after a successful session refresh or the 2xx that set them. */
  start(interval: number, localRefresher: boolean): void {
    this.stop();
    this.interval = interval;
    this.localRefresher = localRefresher;
    if (localRefresher) {
      // RFC 4028 10: "If UA is the refresher ... it SHOULD send a refresh ... when half the session
      // interval has elapsed" (paraphrased: the RECOMMENDED refresh point is one half).
      this.refreshTimer = this.clock.setTimer((interval * 1000) / 2, () => {
        this.refreshTimer = undefined;
        this.user.onRefreshDue();
      });
    }
    // RFC 4028 10: the side that does not refresh "SHOULD send a BYE ... slightly before the
    // session expiration": the expiry is the interval minus the lesser of 32 seconds and one third
    // of the interval. The refresher uses the same point when its refresh got no 2xx.
    const expiresIn = interval - Math.min(32, interval / 3);
    this.expiryTimer = this.clock.setTimer(expiresIn * 1000, () => {
      this.expiryTimer = undefined;
      this.user.onExpired(interval);
    });
  }

  /** Retries a refresh later (after a 491, RFC 3261 14.1) without touching the expiry timer. */
  retryRefreshIn(ms: number): void {
    this.refreshTimer?.cancel();
    this.refreshTimer = this.clock.setTimer(ms, () => {
      this.refreshTimer = undefined;
      this.user.onRefreshDue();
    });
  }

  stop(): void {
    this.refreshTimer?.cancel();
    this.expiryTimer?.cancel();
    this.refreshTimer = undefined;
    this.expiryTimer = undefined;
    this.interval = undefined;
  }
}

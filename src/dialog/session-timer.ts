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
 * interval; either side treats the session as expired when no refresh succeeded in time. One
 * clock timer at a time: the refresh point while it is ahead, then the expiry (issue 13: a dialog
 * of an active call holds at most one timer for its session).
 */
export class SessionTimer {
  private timer: TimerHandle | undefined;
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

  /** (Re)starts the timer after a successful session refresh or the 2xx that set it. */
  start(interval: number, localRefresher: boolean): void {
    this.stop();
    this.interval = interval;
    this.localRefresher = localRefresher;
    // RFC 4028 10: the side that does not refresh "SHOULD send a BYE ... slightly before the
    // session expiration": the expiry is the interval minus the lesser of 32 seconds and one third
    // of the interval. The refresher uses the same point when its refresh got no 2xx.
    const expiresIn = (interval - Math.min(32, interval / 3)) * 1000;
    if (!localRefresher) {
      this.timer = this.clock.setTimer(expiresIn, () => this.expire(interval));
      return;
    }
    // RFC 4028 10: "If UA is the refresher ... it SHOULD send a refresh ... when half the session
    // interval has elapsed" (paraphrased: the RECOMMENDED refresh point is one half). The expiry
    // is armed first: a refresh that succeeds at once restarts the timer.
    const refreshIn = (interval * 1000) / 2;
    this.timer = this.clock.setTimer(refreshIn, () => {
      this.timer = this.clock.setTimer(expiresIn - refreshIn, () => this.expire(interval));
      this.user.onRefreshDue();
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.interval = undefined;
  }

  private expire(interval: number): void {
    this.timer = undefined;
    this.user.onExpired(interval);
  }
}

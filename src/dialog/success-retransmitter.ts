import type { TimerSettings } from "../transaction/index.js";
import type { Clock, TimerHandle } from "../util/clock.js";

/**
 * The UAS core's retransmission of a 2xx to an INVITE until its ACK arrives (RFC 3261 13.3.1.4,
 * RFC 6026: the server transaction no longer does it).
 */
export class SuccessRetransmitter {
  private timer: TimerHandle | undefined;
  private deadline: TimerHandle | undefined;
  private interval: number;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerSettings,
    private readonly resend: () => void,
    private readonly onTimeout: () => void,
  ) {
    this.interval = timers.t1;
  }

  /**
   * RFC 3261 13.3.1.4: "The 2xx response is passed to the transport with an interval that starts
   * at T1 seconds and doubles for each retransmission until it reaches T2 seconds." ... "If the
   * server retransmits the 2xx response for 64*T1 seconds without receiving an ACK, the dialog is
   * confirmed, but the session SHOULD be terminated."
   */
  start(): void {
    this.schedule();
    this.deadline = this.clock.setTimer(64 * this.timers.t1, () => {
      this.stop();
      this.onTimeout();
    });
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.interval, () => {
      this.resend();
      this.interval = Math.min(2 * this.interval, this.timers.t2);
      this.schedule();
    });
  }

  /** RFC 3261 13.3.1.4: the ACK arrived (or the dialog ended): no more retransmissions. */
  stop(): void {
    this.timer?.cancel();
    this.deadline?.cancel();
    this.timer = undefined;
    this.deadline = undefined;
  }
}

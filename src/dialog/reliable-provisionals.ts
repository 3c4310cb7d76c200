import type { SipResponse } from "../sip/types.js";
import type { TimerSettings } from "../transaction/index.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { RAckValue } from "./headers.js";
import { randomInt } from "./types.js";

interface Outstanding {
  readonly rseq: number;
  readonly response: SipResponse;
  timer: TimerHandle | undefined;
  readonly deadline: TimerHandle;
  interval: number;
}

/**
 * The UAS side of RFC 3262 for one INVITE: numbers reliable provisional responses with RSeq,
 * retransmits the unacknowledged one until its PRACK, queues the next ones and the 2xx behind it.
 */
export class ReliableProvisionals {
  private nextRSeq: number;
  private outstanding: Outstanding | undefined;
  private readonly queue: SipResponse[] = [];
  private readonly held: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerSettings,
    random: () => number,
    /** The CSeq number of the INVITE (RFC 3262 7.2: the RAck carries it). */
    private readonly inviteSeq: number,
    private readonly transmit: (response: SipResponse) => void,
    private readonly onTimeout: (response: SipResponse) => void,
  ) {
    // RFC 3262 3: "The value of the header field for the first reliable provisional response in a
    // transaction MUST be between 1 and 2**31 - 1."
    this.nextRSeq = randomInt(random, 1, 2 ** 31 - 1);
  }

  /** True while some reliable provisional awaits its PRACK. */
  get pending(): boolean {
    return this.outstanding !== undefined || this.queue.length > 0;
  }

  /**
   * Sends a provisional reliably: RFC 3262 3: "The provisional response to be sent reliably is
   * constructed by the UAS core ... it MUST contain a Require header field containing the option
   * tag 100rel, and MUST include an RSeq header field." ... "The UAS MUST NOT send a second reliable
   * provisional response until the first is acknowledged." Later ones wait in order.
   */
  send(response: SipResponse): void {
    if (this.stopped) return;
    response.set("Require", "100rel");
    if (this.outstanding !== undefined) this.queue.push(response);
    else this.start(response);
  }

  private start(response: SipResponse): void {
    // RFC 3262 3: "Each subsequent reliable provisional response for the same transaction MUST
    // contain an RSeq value that is one higher than the RSeq value of the initial reliable
    // provisional response."
    const rseq = this.nextRSeq++;
    response.set("RSeq", String(rseq));
    const t1 = this.timers.t1;
    const outstanding: Outstanding = {
      rseq,
      response,
      timer: undefined,
      interval: t1,
      // RFC 3262 3: "If a reliable provisional response is retransmitted for 64*T1 seconds without
      // reception of a corresponding PRACK, the UAS SHOULD reject the original request with a 5xx".
      deadline: this.clock.setTimer(64 * t1, () => {
        this.stop();
        this.onTimeout(response);
      }),
    };
    this.outstanding = outstanding;
    this.transmit(response);
    this.schedule(outstanding);
  }

  /**
   * RFC 3262 3: "The reliable provisional response is passed to the transaction layer periodically
   * with an interval that starts at T1 seconds and doubles for each retransmission."
   */
  private schedule(o: Outstanding): void {
    o.timer = this.clock.setTimer(o.interval, () => {
      if (this.outstanding !== o) return;
      this.transmit(o.response);
      o.interval *= 2;
      this.schedule(o);
    });
  }

  /**
   * A PRACK's RAck (RFC 3262 3): "If the PRACK does match an unacknowledged reliable provisional
   * response, the UAS MUST stop retransmissions of that response". False when it matches none
   * (the caller answers 481).
   */
  acknowledge(rack: RAckValue): boolean {
    const o = this.outstanding;
    if (o === undefined || !this.matches(rack)) return false;
    o.timer?.cancel();
    o.deadline.cancel();
    this.outstanding = undefined;
    const next = this.queue.shift();
    if (next !== undefined) this.start(next);
    else this.release();
    return true;
  }

  /** True when the RAck names the unacknowledged reliable provisional (RFC 3262 7.2). */
  matches(rack: RAckValue): boolean {
    const o = this.outstanding;
    return (
      o !== undefined && rack.rseq === o.rseq && rack.cseq === this.inviteSeq && rack.method === "INVITE"
    );
  }

  /** Runs `fn` once every reliable provisional is acknowledged (at once when none is pending). */
  whenAcknowledged(fn: () => void): void {
    if (!this.pending) fn();
    else this.held.push(fn);
  }

  private release(): void {
    for (const fn of this.held.splice(0)) fn();
  }

  /** A final non-2xx went out, or the INVITE ended: no more retransmissions, drop what waits. */
  stop(): void {
    this.stopped = true;
    if (this.outstanding !== undefined) {
      this.outstanding.timer?.cancel();
      this.outstanding.deadline.cancel();
      this.outstanding = undefined;
    }
    this.queue.length = 0;
    this.held.length = 0;
  }
}

/**
 * Is the kernel holding datagrams Parley has not read yet (issue 22, overload control)? Node
 * (libuv) reads at most 32 datagrams from a socket each time the event loop polls it, then moves
 * on; if it finds that many, more were most likely waiting. So this counts the datagrams read in
 * each turn of the event loop, and the share of turns that read a full batch: a share near 1 means
 * the socket's queue is not draining — requests wait there, and once it overflows they are lost
 * without an answer. A busy loop with little backlog is heavy work, not a flood.
 */
const FULL_BATCH = 24;

export class ReceiveBacklog {
  private inTurn = 0;
  private turns = 0;
  private fullTurns = 0;
  private datagrams = 0;
  private readonly endTurn = (): void => {
    this.turns++;
    if (this.inTurn >= FULL_BATCH) this.fullTurns++;
    this.inTurn = 0;
  };

  /** One datagram read. */
  read(): void {
    this.datagrams++;
    // The first datagram of a turn: the turn's count is closed in its check phase, after polling.
    if (this.inTurn++ === 0) setImmediate(this.endTurn);
  }

  /**
   * Since the last call: the share (0..1) of the event loop's turns that read a full batch, and the
   * datagrams read; resets. A few turns after a stall (a start-up, a long store write) can all be
   * full with a handful of datagrams: the count tells a flood from that.
   */
  take(): { share: number; datagrams: number } {
    const share = this.turns === 0 ? 0 : this.fullTurns / this.turns;
    const datagrams = this.datagrams;
    this.turns = 0;
    this.fullTurns = 0;
    this.datagrams = 0;
    return { share, datagrams };
  }
}

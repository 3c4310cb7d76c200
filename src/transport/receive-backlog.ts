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
  private readonly endTurn = (): void => {
    this.turns++;
    if (this.inTurn >= FULL_BATCH) this.fullTurns++;
    this.inTurn = 0;
  };

  /** One datagram read. */
  read(): void {
    // The first datagram of a turn: the turn's count is closed in its check phase, after polling.
    if (this.inTurn++ === 0) setImmediate(this.endTurn);
  }

  /** The share (0..1) of the turns since the last call that read a full batch; resets. */
  take(): number {
    const share = this.turns === 0 ? 0 : this.fullTurns / this.turns;
    this.turns = 0;
    this.fullTurns = 0;
    return share;
  }
}

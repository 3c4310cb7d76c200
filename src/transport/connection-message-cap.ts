/**
 * A cap on the message rate of one TCP/TLS/WebSocket connection (issue 22): a connection may carry
 * `perSecond` SIP messages a second, averaged over two seconds; more are dropped after framing,
 * before parsing. The per-source rate limit covers most floods, but not a source it exempts (a
 * trunk, a white-listed proxy) whose connection runs away, nor many connections' share of one
 * source. Drops are reported once per interval per connection, never once per message.
 */
import { TokenBucket } from "../util/token-bucket.js";

export interface MessageCapReport {
  readonly protocol: "TCP" | "TLS" | "WS" | "WSS";
  readonly flowId: string;
  readonly source: string;
  readonly max: number;
  /** Messages dropped on this connection since the last report. */
  readonly refused: number;
}

interface ConnectionState {
  readonly bucket: TokenBucket;
  dropped: number;
  reportedAt: number;
}

export class ConnectionMessageCap {
  /** Messages dropped since start. */
  droppedTotal = 0;
  private readonly connections = new WeakMap<object, ConnectionState>();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly report: (r: MessageCapReport) => void,
    private readonly reportEveryMs = 60_000,
  ) {}

  /** Take one message on `flow`: false = drop it. */
  allows(flow: {
    readonly protocol: "TCP" | "TLS" | "WS" | "WSS";
    readonly flowId: string;
    readonly remote: { readonly address: string };
  }): boolean {
    const now = this.now();
    let state = this.connections.get(flow);
    if (state === undefined) {
      state = {
        bucket: new TokenBucket(this.perSecond, this.perSecond * 2, now),
        dropped: 0,
        reportedAt: Number.NEGATIVE_INFINITY,
      };
      this.connections.set(flow, state);
    }
    if (state.bucket.take(now)) return true;
    this.droppedTotal++;
    state.dropped++;
    if (now - state.reportedAt >= this.reportEveryMs) {
      this.report({
        protocol: flow.protocol,
        flowId: flow.flowId,
        source: flow.remote.address,
        max: this.perSecond,
        refused: state.dropped,
      });
      state.dropped = 0;
      state.reportedAt = now;
    }
    return false;
  }
}

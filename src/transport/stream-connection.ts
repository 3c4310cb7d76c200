import type { Socket } from "node:net";
import type { Clock, TimerHandle } from "../util/clock.js";
import { unmapIPv4 } from "./addresses.js";
import { type FramerEvent, StreamFramer } from "./stream-framer.js";
import type { SocketAddress } from "./types.js";

/** What a connection reports to its owner (the transport layer). */
export interface StreamConnectionHooks {
  /** One framed message. */
  message(connection: StreamConnection, data: Buffer): void;
  /** The framing failed; the connection is already lingering towards close. */
  framingError(connection: StreamConnection, event: Extract<FramerEvent, { kind: "error" }>): void;
  /** The socket is gone (called once). */
  closed(connection: StreamConnection, reason: string): void;
}

export interface StreamConnectionOptions {
  readonly flowId: string;
  readonly protocol: "TCP" | "TLS";
  readonly direction: "inbound" | "outbound";
  readonly clock: Clock;
  readonly maxMessageSize: number;
  readonly idleTimeoutMs: number;
  readonly partialMessageTimeoutMs: number;
  /** How long a connection whose framing broke waits for the 400 to be written before closing. */
  readonly lingerMs: number;
}

/** RFC 5626 3.5.1: the "pong" answering a double-CRLF "ping". */
const PONG = Buffer.from("\r\n", "latin1");

/**
 * One TCP or TLS connection: the flow of RFC 5626. Owns its framer and its idle and
 * partial-message timers; whatever its peer sends can only close this connection.
 */
export class StreamConnection {
  readonly flowId: string;
  readonly protocol: "TCP" | "TLS";
  readonly direction: "inbound" | "outbound";
  readonly remote: SocketAddress;
  readonly local: SocketAddress;
  private readonly framer: StreamFramer;
  private lastActivity: number;
  private idleTimer: TimerHandle | undefined;
  private partialTimer: TimerHandle | undefined;
  private lingerTimer: TimerHandle | undefined;
  private lingering = false;
  private closedReason: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: StreamConnectionOptions,
    private readonly hooks: StreamConnectionHooks,
  ) {
    this.flowId = options.flowId;
    this.protocol = options.protocol;
    this.direction = options.direction;
    this.remote = { address: unmapIPv4(socket.remoteAddress ?? ""), port: socket.remotePort ?? 0 };
    this.local = { address: unmapIPv4(socket.localAddress ?? ""), port: socket.localPort ?? 0 };
    this.framer = new StreamFramer(options.maxMessageSize);
    this.lastActivity = options.clock.now();
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err: Error) => this.close(`socket error: ${err.message}`));
    socket.on("close", () => this.close("closed by peer"));
    this.armIdleTimer(options.idleTimeoutMs);
  }

  /** Open and not winding down: usable for new requests and responses. */
  get isOpen(): boolean {
    return this.closedReason === undefined && !this.lingering && !this.socket.destroyed;
  }

  /** Not yet closed (possibly lingering): can still carry an answer. */
  get isAlive(): boolean {
    return this.closedReason === undefined && !this.socket.destroyed;
  }

  /**
   * Write bytes. A connection lingering after a framing error still accepts the one answer
   * (the 400) and then ends. Rejects when the connection is closed or the write fails.
   */
  write(data: Buffer): Promise<void> {
    if (this.closedReason !== undefined || this.socket.destroyed) {
      return Promise.reject(new Error(`connection ${this.flowId} is closed`));
    }
    this.lastActivity = this.options.clock.now();
    return new Promise<void>((resolve, reject) => {
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
      if (this.lingering) this.socket.end();
    });
  }

  /** Stop reading, give a pending answer `lingerMs` to go out, then close. */
  closeAfterLinger(reason: string): void {
    if (this.lingering || this.closedReason !== undefined) return;
    this.lingering = true;
    this.cancelPartialTimer();
    this.socket.pause();
    this.lingerTimer = this.options.clock.setTimer(this.options.lingerMs, () => this.close(reason));
  }

  /** Close now (idempotent). */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.idleTimer?.cancel();
    this.lingerTimer?.cancel();
    this.cancelPartialTimer();
    this.socket.destroy();
    this.hooks.closed(this, reason);
  }

  private onData(chunk: Buffer): void {
    if (this.lingering || this.closedReason !== undefined) return;
    this.lastActivity = this.options.clock.now();
    const events = this.framer.push(chunk);
    let completed = false;
    for (const event of events) {
      if (this.closedReason !== undefined) return;
      if (event.kind === "message") {
        completed = true;
        this.hooks.message(this, event.data);
      } else if (event.kind === "ping") {
        // RFC 5626 3.5.1: "When a server receives a double-CRLF sequence ... it MUST immediately
        // respond with a single CRLF".
        this.socket.write(PONG);
      } else {
        this.closeAfterLinger(`framing error: ${event.reason}`);
        this.hooks.framingError(this, event);
        return;
      }
    }
    if (completed) this.cancelPartialTimer();
    if (this.framer.inMessage && !this.partialTimer && this.closedReason === undefined) {
      this.partialTimer = this.options.clock.setTimer(this.options.partialMessageTimeoutMs, () => {
        this.partialTimer = undefined;
        this.close(`partial message not completed within ${this.options.partialMessageTimeoutMs} ms`);
      });
    }
  }

  private cancelPartialTimer(): void {
    this.partialTimer?.cancel();
    this.partialTimer = undefined;
  }

  /** Idle timeout without a timer reset per packet: on expiry, re-arm for the remainder. */
  private armIdleTimer(ms: number): void {
    this.idleTimer = this.options.clock.setTimer(ms, () => {
      const idle = this.options.clock.now() - this.lastActivity;
      if (idle >= this.options.idleTimeoutMs) this.close(`idle for ${Math.round(idle)} ms`);
      else this.armIdleTimer(this.options.idleTimeoutMs - idle);
    });
  }
}

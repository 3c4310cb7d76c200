import { isUtf8 } from "node:buffer";
import { type RawData, WebSocket } from "ws";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Flow } from "./flow.js";
import type { WebSocketProtocol } from "./listeners.js";
import type { SocketAddress } from "./types.js";

/** What a WebSocket connection reports to its owner (the flow table). */
export interface WebSocketConnectionHooks {
  /** One SIP message: the payload of one WebSocket message. */
  message(connection: WebSocketConnection, data: Buffer): void;
  /** The connection is gone for SIP (called once). */
  closed(connection: WebSocketConnection, reason: string): void;
}

export interface WebSocketConnectionOptions {
  readonly flowId: string;
  readonly protocol: WebSocketProtocol;
  readonly remote: SocketAddress;
  readonly local: SocketAddress;
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  /** How long a closing handshake may take before the socket is destroyed. */
  readonly lingerMs: number;
}

/** RFC 6455 7.4.1 status codes Parley closes with. */
export const WS_CLOSE_NORMAL = 1000;
export const WS_CLOSE_GOING_AWAY = 1001;

/** RFC 5626 3.5.1: the "pong" answering a double-CRLF "ping" (SIP.js sends these over WebSocket). */
const PONG = Buffer.from("\r\n", "latin1");

/**
 * One SIP WebSocket connection (RFC 7118), always accepted (a browser cannot be dialled): a flow
 * like a TCP one, but framed by WebSocket. Owns its idle timer; whatever its peer sends can only
 * close this connection. An oversized message is refused by the `ws` receiver itself (maxPayload:
 * close code 1009, RFC 6455 7.4.1) before it is buffered.
 */
export class WebSocketConnection implements Flow {
  readonly flowId: string;
  readonly protocol: WebSocketProtocol;
  readonly direction = "inbound" as const;
  readonly remote: SocketAddress;
  readonly local: SocketAddress;
  private lastActivity: number;
  private idleTimer: TimerHandle | undefined;
  private terminateTimer: TimerHandle | undefined;
  private closedReason: string | undefined;
  /** Set by the first SIP message: from then on the idle timer keeps the peer alive with pings. */
  private carriedSip = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: WebSocketConnectionOptions,
    private readonly hooks: WebSocketConnectionHooks,
  ) {
    this.flowId = options.flowId;
    this.protocol = options.protocol;
    this.remote = options.remote;
    this.local = options.local;
    this.lastActivity = options.clock.now();
    socket.on("message", (data: RawData) => this.onMessage(data));
    // RFC 6455 5.5.2/5.5.3: ws answers a ping itself; either control frame is activity.
    socket.on("ping", () => this.touch());
    socket.on("pong", () => this.touch());
    // A protocol error (bad frame, unmasked frame, a message over maxPayload): ws has sent its
    // close frame; the flow is gone for SIP now, the socket once the handshake ends.
    socket.on("error", (err: Error) => this.close(`WebSocket error: ${err.message}`));
    socket.on("close", (code: number) => {
      this.terminateTimer?.cancel();
      this.terminateTimer = undefined;
      this.close(`closed by peer (code ${code})`);
    });
    this.armIdleTimer(options.idleTimeoutMs / 2);
  }

  get isOpen(): boolean {
    return this.closedReason === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** No lingering state: a bad SIP message never closes a WebSocket flow (one message per frame). */
  get isAlive(): boolean {
    return this.isOpen;
  }

  /**
   * Send one SIP message as one WebSocket message. RFC 7118 4: text or binary frames may carry
   * SIP; a message that is valid UTF-8 goes as text (what browsers' SIP stacks read most easily),
   * anything else (a binary body) as binary.
   */
  write(data: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error(`connection ${this.flowId} is closed`));
    this.lastActivity = this.options.clock.now();
    return new Promise<void>((resolve, reject) => {
      this.socket.send(data, { binary: !isUtf8(data) }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Close (idempotent): the flow is gone for SIP at once; the WebSocket closing handshake
   * (RFC 6455 7.1.2) gets `lingerMs` before the socket is destroyed.
   */
  close(reason: string, code = WS_CLOSE_NORMAL): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.idleTimer?.cancel();
    const state = this.socket.readyState;
    if (state === WebSocket.OPEN) this.socket.close(code);
    if (state !== WebSocket.CLOSED) {
      this.terminateTimer = this.options.clock.setTimer(this.options.lingerMs, () => {
        this.terminateTimer = undefined;
        this.socket.terminate();
      });
    }
    this.hooks.closed(this, reason);
  }

  private touch(): void {
    this.lastActivity = this.options.clock.now();
  }

  private onMessage(raw: RawData): void {
    if (this.closedReason !== undefined) return;
    this.lastActivity = this.options.clock.now();
    const data = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    if (isCrlfOnly(data)) {
      // RFC 5626 3.5.1: "When a server receives a double-CRLF sequence ... it MUST immediately
      // respond with a single CRLF" (SIP.js's keep-alive over WebSocket). A lone CRLF is a pong.
      if (data.length >= 4) this.socket.send(PONG, { binary: false });
      return;
    }
    this.carriedSip = true;
    this.hooks.message(this, data);
  }

  /**
   * The idle timeout, checked every half interval without a timer reset per message. NOTE: a
   * browser sends no keep-alives of its own and refreshes its registration less often than the
   * idle timeout (JsSIP: every ~10 minutes), so once a flow has carried SIP, a WebSocket ping
   * (RFC 6455 5.5.2) goes out after half the idle time of silence: a live peer's pong keeps it,
   * a dead one closes after the full idle time. A connection that never carried SIP gets no ping.
   */
  private armIdleTimer(ms: number): void {
    this.idleTimer = this.options.clock.setTimer(ms, () => {
      const timeout = this.options.idleTimeoutMs;
      const idle = this.options.clock.now() - this.lastActivity;
      if (idle >= timeout) {
        this.close(`idle for ${Math.round(idle)} ms`);
        return;
      }
      if (this.carriedSip && idle >= timeout / 2) this.socket.ping();
      this.armIdleTimer(Math.min(timeout - idle, timeout / 2));
    });
  }
}

/** A message of CR and LF only (an RFC 5626 keep-alive), or an empty one. */
function isCrlfOnly(data: Buffer): boolean {
  for (const b of data) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}

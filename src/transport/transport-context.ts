import { ConnectionCaps } from "./connection-caps.js";
import { ConnectionMessageCap } from "./connection-message-cap.js";
import { SipMessageCounts } from "./message-counts.js";
import type { SipTransportOptions, TransportEvent, TransportStats } from "./options.js";

/** A flow that closed, as connection-close listeners see it. */
export type ConnectionCloseEvent = Extract<TransportEvent, { kind: "connection-close" }>;

import { ReceiveBacklog } from "./receive-backlog.js";
import type { TlsCredentials } from "./tls-credentials.js";
import { TransportError } from "./transport-error.js";
import type { SocketAddress, TransportProtocol } from "./types.js";

/** Where a SipTransportLayer is in its life: start() once, stop() for good. */
export type TransportState = "new" | "starting" | "running" | "stopped";

/**
 * What every part of one SipTransportLayer shares: its settings with their defaults, its life
 * state, its TLS credentials once loaded, its counters, and the event and trace hooks guarded so
 * that a throwing hook never takes the transport down.
 */
export class TransportContext {
  readonly maxMessageSize: number;
  readonly idleTimeoutMs: number;
  readonly partialMessageTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly lingerMs: number;
  state: TransportState = "new";
  /**
   * Sources to ignore (the IP black list): their datagrams are dropped before parsing and their
   * connections closed on accept. Asked per packet, so a change applies at once.
   */
  rejectSource: ((address: string) => boolean) | undefined;
  /** Caps on accepted connections (undefined: none configured). */
  readonly caps: ConnectionCaps | undefined;
  /** How far UDP reading lags behind the kernel's queue (overload control). */
  readonly backlog = new ReceiveBacklog();
  /** The message-rate cap of each TCP/TLS connection, when one is set. */
  readonly messageCap: ConnectionMessageCap | undefined;
  /** Told of every closed flow (SipTransportLayer.onConnectionClose). */
  readonly closeListeners = new Set<(event: ConnectionCloseEvent) => void>();
  /** Loaded by start() when a TLS or WSS listener is configured. */
  credentials: TlsCredentials | undefined;
  readonly counters: TransportStats = {
    received: 0,
    sent: 0,
    dropped: 0,
    badMessages: 0,
    connectionsOpened: 0,
  };
  /** SIP messages in and out by method and status (the metrics read them at scrape time). */
  readonly messages = new SipMessageCounts();

  constructor(readonly options: SipTransportOptions) {
    this.maxMessageSize = options.maxMessageSize ?? 65_535;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.partialMessageTimeoutMs = options.partialMessageTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.lingerMs = options.badMessageLingerMs ?? 2_000;
    const maxConnections = options.maxConnections ?? 0;
    const maxPerSource = options.maxConnectionsPerSource ?? 0;
    this.caps =
      maxConnections > 0 || maxPerSource > 0
        ? new ConnectionCaps(
            { maxConnections, maxPerSource },
            () => options.clock.now(),
            (r) => this.emit({ kind: "limit", ...r }),
          )
        : undefined;
    const perConnection = options.maxMessagesPerConnection ?? 0;
    this.messageCap =
      perConnection > 0
        ? new ConnectionMessageCap(
            perConnection,
            () => options.clock.now(),
            (r) => this.emit({ kind: "limit", limit: "messages-per-connection", ...r }),
          )
        : undefined;
  }

  assertRunning(): void {
    if (this.state !== "running") throw new TransportError(`transport is ${this.state}`);
  }

  trace(
    direction: "in" | "out",
    protocol: TransportProtocol,
    local: SocketAddress,
    remote: SocketAddress,
    data: Buffer,
  ): void {
    if (!this.options.onTrace) return;
    try {
      this.options.onTrace({ direction, protocol, local, remote, data });
    } catch (err) {
      this.emit({ kind: "error", protocol, context: "onTrace hook", error: err });
    }
  }

  emit(event: TransportEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A throwing logger must not take the transport down (STYLE.md: listeners never corrupt state).
    }
    if (event.kind !== "connection-close") return;
    for (const listener of this.closeListeners) {
      try {
        listener(event);
      } catch (err) {
        this.emit({
          kind: "error",
          protocol: event.protocol,
          context: "connection-close listener",
          error: err,
        });
      }
    }
  }
}

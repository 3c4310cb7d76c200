import { randomBytes } from "node:crypto";
import { type Socket, connect as tcpConnect } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type { WebSocket } from "ws";
import { formatHostPort, ipFamily, isWildcard, unmapIPv4 } from "./addresses.js";
import type { Flow } from "./flow.js";
import type { ListenerSet } from "./listener-set.js";
import type { ConnectionProtocol, StreamProtocol, WebSocketProtocol } from "./listeners.js";
import type { MessageReceiver } from "./message-receiver.js";
import { StreamConnection, type StreamConnectionHooks } from "./stream-connection.js";
import type { TransportContext } from "./transport-context.js";
import { TransportError } from "./transport-error.js";
import {
  WebSocketConnection,
  type WebSocketConnectionHooks,
  WS_CLOSE_GOING_AWAY,
} from "./websocket-connection.js";

/**
 * The connection flows (RFC 5626) of one transport layer, TCP, TLS and WebSocket (RFC 7118):
 * open connections by flow id and by remote address for connection reuse (RFC 3261 18.1.1,
 * 18.2.2), connects in progress shared by concurrent senders, and every raw socket so stop() can
 * close them all.
 */
export class FlowTable {
  private readonly flowPrefix = randomBytes(3).toString("hex");
  private flowCounter = 0;
  /** Open flows by flowId. */
  private readonly flows = new Map<string, Flow>();
  /** Latest open flow by "protocol remote-host:port" (RFC 3261 18.2.2 / 18.1.1 connection reuse). */
  private readonly flowsByRemote = new Map<string, Flow>();
  /** Connects in progress by the same key, so concurrent sends share one connection. */
  private readonly connecting = new Map<string, Promise<Flow>>();
  /** Every raw accepted or dialled socket, including TLS sockets still in their handshake. */
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly context: TransportContext,
    private readonly listeners: ListenerSet,
    private readonly receiver: MessageReceiver,
  ) {}

  /** Open flows (lingering ones included). */
  get size(): number {
    return this.flows.size;
  }

  get(flowId: string): Flow | undefined {
    return this.flows.get(flowId);
  }

  /** The open flow from a WebSocket client at address:port, if any (it is never dialled). */
  openFlowFrom(protocol: WebSocketProtocol, address: string, port: number): Flow | undefined {
    const flow = this.flowsByRemote.get(remoteKey(protocol, address, port));
    return flow?.isOpen ? flow : undefined;
  }

  /** Track a raw socket (a TLS one before its handshake too) until it closes. */
  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** A connection a listener accepted (TCP connected, TLS handshaken). */
  accept(socket: Socket, protocol: StreamProtocol): void {
    try {
      if (this.context.state === "stopped") socket.destroy();
      else this.adopt(socket, protocol, "inbound");
    } catch (err) {
      socket.destroy();
      this.context.emit({ kind: "error", protocol, context: "accepting a connection", error: err });
    }
  }

  /**
   * A WebSocket connection whose handshake completed (websocket-acceptor.ts): `socket` is the
   * raw socket it runs on, already tracked.
   */
  acceptWebSocket(ws: WebSocket, socket: Socket, protocol: WebSocketProtocol): void {
    try {
      if (this.context.state === "stopped") ws.terminate();
      else this.adoptWebSocket(ws, socket, protocol);
    } catch (err) {
      ws.terminate();
      this.context.emit({ kind: "error", protocol, context: "accepting a WebSocket", error: err });
    }
  }

  /** Close every flow and destroy every raw socket, dialling or handshaking ones included. */
  closeAll(): void {
    for (const flow of [...this.flows.values()]) {
      if (flow instanceof WebSocketConnection) flow.close("transport stopped", WS_CLOSE_GOING_AWAY);
      else flow.close("transport stopped");
    }
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async write(flow: Flow, data: Buffer): Promise<void> {
    this.context.trace("out", flow.protocol, flow.local, flow.remote, data);
    await flow.write(data);
    this.context.counters.sent++;
  }

  /** An open flow to address:port, or a new connection (shared by concurrent callers). */
  flowTo(protocol: StreamProtocol, address: string, port: number): Promise<Flow> {
    const key = remoteKey(protocol, address, port);
    const open = this.flowsByRemote.get(key);
    if (open?.isOpen) return Promise.resolve(open);
    let pending = this.connecting.get(key);
    if (!pending) {
      pending = this.connect(protocol, address, port).finally(() => this.connecting.delete(key));
      this.connecting.set(key, pending);
    }
    return pending;
  }

  private readonly hooks: StreamConnectionHooks = {
    message: (flow, data) => {
      if (this.context.messageCap?.allows(flow) === false) {
        this.context.counters.dropped++;
        return;
      }
      this.receiver.receive(data, flow.protocol, flow.remote, flow.local, flow.flowId);
    },
    framingError: (flow, event) => {
      try {
        this.receiver.onFramingError(flow, event);
      } catch (err) {
        this.context.emit({
          kind: "error",
          protocol: flow.protocol,
          context: "answering a framing error",
          error: err,
        });
      }
    },
    closed: (flow, reason) => this.forget(flow, reason),
  };

  private readonly webSocketHooks: WebSocketConnectionHooks = {
    message: (flow, data) => {
      if (this.context.messageCap?.allows(flow) === false) {
        this.context.counters.dropped++;
        return;
      }
      // RFC 7118 4: one SIP message per WebSocket message, no stream framing; a message that
      // does not parse is answered 400 when it can be, else dropped (message-receiver.ts).
      this.receiver.receive(data, flow.protocol, flow.remote, flow.local, flow.flowId);
    },
    closed: (flow, reason) => this.forget(flow, reason),
  };

  private forget(flow: Flow, reason: string): void {
    this.flows.delete(flow.flowId);
    const key = remoteKey(flow.protocol, flow.remote.address, flow.remote.port);
    if (this.flowsByRemote.get(key) === flow) this.flowsByRemote.delete(key);
    this.context.emit({
      kind: "connection-close",
      protocol: flow.protocol,
      flowId: flow.flowId,
      remote: flow.remote,
      reason,
    });
  }

  private nextFlowId(protocol: ConnectionProtocol): string {
    return `${protocol.toLowerCase()}-${this.flowPrefix}-${++this.flowCounter}`;
  }

  private adoptWebSocket(ws: WebSocket, socket: Socket, protocol: WebSocketProtocol): void {
    const context = this.context;
    const flow = new WebSocketConnection(
      ws,
      {
        flowId: this.nextFlowId(protocol),
        protocol,
        remote: { address: unmapIPv4(socket.remoteAddress ?? ""), port: socket.remotePort ?? 0 },
        local: { address: unmapIPv4(socket.localAddress ?? ""), port: socket.localPort ?? 0 },
        clock: context.options.clock,
        idleTimeoutMs: context.idleTimeoutMs,
        lingerMs: context.lingerMs,
      },
      this.webSocketHooks,
    );
    this.register(flow);
  }

  private register(flow: Flow): void {
    this.flows.set(flow.flowId, flow);
    this.flowsByRemote.set(remoteKey(flow.protocol, flow.remote.address, flow.remote.port), flow);
    this.context.counters.connectionsOpened++;
    this.context.emit({
      kind: "connection-open",
      protocol: flow.protocol,
      flowId: flow.flowId,
      direction: flow.direction,
      local: flow.local,
      remote: flow.remote,
    });
  }

  private adopt(
    socket: Socket,
    protocol: StreamProtocol,
    direction: "inbound" | "outbound",
  ): StreamConnection {
    const context = this.context;
    const flow = new StreamConnection(
      socket,
      {
        flowId: this.nextFlowId(protocol),
        protocol,
        direction,
        clock: context.options.clock,
        maxMessageSize: context.maxMessageSize,
        idleTimeoutMs: context.idleTimeoutMs,
        partialMessageTimeoutMs: context.partialMessageTimeoutMs,
        lingerMs: context.lingerMs,
      },
      this.hooks,
    );
    this.register(flow);
    return flow;
  }

  private connect(protocol: StreamProtocol, address: string, port: number): Promise<StreamConnection> {
    const context = this.context;
    const family = ipFamily(address);
    const listener = this.listeners.pickStream(protocol, address);
    const localAddress =
      listener && !isWildcard(listener.address) && listener.family === family ? listener.address : undefined;
    // tls.connect hands these to net.connect, localAddress included (missing from its typings).
    const tlsOptions: ConnectionOptions & { localAddress?: string } = {
      host: address,
      port,
      localAddress,
      rejectUnauthorized: context.options.tlsVerifyPeer ?? true,
      cert: context.credentials?.cert,
      key: context.credentials?.key,
    };
    return new Promise<StreamConnection>((resolve, reject) => {
      const socket =
        protocol === "TCP" ? tcpConnect({ host: address, port, localAddress }) : tlsConnect(tlsOptions);
      this.track(socket);
      let settled = false;
      const timer = context.options.clock.setTimer(context.connectTimeoutMs, () => {
        const err: NodeJS.ErrnoException = new TransportError(
          `${protocol} connect to ${formatHostPort(address, port)} timed out after ${context.connectTimeoutMs} ms`,
        );
        err.code = "ETIMEDOUT";
        socket.destroy(err);
      });
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        socket.destroy();
        reject(err);
      };
      socket.once("error", fail);
      // stop() destroys dialling sockets without an error: settle the promise all the same.
      socket.once("close", () =>
        fail(
          new TransportError(
            `${protocol} connection to ${formatHostPort(address, port)} closed before it was established`,
          ),
        ),
      );
      socket.once(protocol === "TLS" ? "secureConnect" : "connect", () => {
        if (settled) return;
        settled = true;
        timer.cancel();
        socket.off("error", fail);
        if (context.state === "stopped") {
          socket.destroy();
          reject(new TransportError("transport stopped"));
          return;
        }
        resolve(this.adopt(socket, protocol, "outbound"));
      });
    });
  }
}

function remoteKey(protocol: ConnectionProtocol, address: string, port: number): string {
  return `${protocol} ${formatHostPort(address, port)}`;
}

import { randomBytes } from "node:crypto";
import { createServer as createTcpServer, type Socket, connect as tcpConnect } from "node:net";
import { type ConnectionOptions, createServer as createTlsServer, connect as tlsConnect } from "node:tls";
import { parseMessage } from "../sip/index.js";
import type { ParseError, SipMessage, SipRequest, SipResponse } from "../sip/types.js";
import { formatHostPort, ipFamily, isLoopback, isWildcard, unbracket, unmapIPv4 } from "./addresses.js";
import {
  createUdpSocket,
  guessLocalAddress,
  type Listener,
  pickListener,
  type StreamListener,
  type StreamProtocol,
  type UdpListener,
} from "./listeners.js";
import {
  type BadMessageContext,
  isAnswerable,
  type ListeningAddress,
  type SipTransportOptions,
  type TransportEvent,
  type TransportStats,
} from "./options.js";
import { Received } from "./received.js";
import { StreamConnection, type StreamConnectionHooks } from "./stream-connection.js";
import type { FramerEvent } from "./stream-framer.js";
import { loadTlsCredentials, type TlsCredentials } from "./tls-credentials.js";
import {
  type Destination,
  isReliable,
  type ReceivedMessage,
  type SendErrorListener,
  type SendResult,
  type SentResponse,
  type SocketAddress,
  type TransportLayer,
  type TransportProtocol,
} from "./types.js";
import { UdpSentResponse } from "./udp-sent-response.js";
import {
  completeTopVia,
  reliableResponseTarget,
  stampReceived,
  symmetricResponseTarget,
  unreliableResponseTarget,
} from "./via.js";

/** A transport failure; the transaction layer turns a rejected send into a 503 (RFC 3261 8.1.3.1). */
export class TransportError extends Error {
  override readonly name = "TransportError";
}

/** RFC 3261 18.1.1: "larger than 1300 bytes and the path MTU is unknown" -> congestion-controlled transport. */
export const UDP_MTU_THRESHOLD = 1300;
/** Largest UDP payload over IPv4. */
const MAX_UDP_PAYLOAD = 65_507;

/**
 * The socket transports of RFC 3261 18: UDP, TCP and TLS listeners on IPv4 and IPv6, connection
 * (flow) management, stream framing, Via received/rport (RFC 3581) and response routing
 * (RFC 3261 18.2.2).
 */
export class SipTransportLayer implements TransportLayer {
  private readonly maxMessageSize: number;
  private readonly idleTimeoutMs: number;
  private readonly partialMessageTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly lingerMs: number;
  private readonly flowPrefix = randomBytes(3).toString("hex");
  private flowCounter = 0;
  private state: "new" | "starting" | "running" | "stopped" = "new";
  private stopping: Promise<void> | undefined;
  private handler: ((message: ReceivedMessage) => void) | undefined;
  private listeners: Listener[] = [];
  private credentials: TlsCredentials | undefined;
  /** Open flows by flowId. */
  private readonly flows = new Map<string, StreamConnection>();
  /** Latest open flow by "protocol remote-host:port" (RFC 3261 18.2.2 / 18.1.1 connection reuse). */
  private readonly flowsByRemote = new Map<string, StreamConnection>();
  /** Connects in progress by the same key, so concurrent sends share one connection. */
  private readonly connecting = new Map<string, Promise<StreamConnection>>();
  /** Every raw accepted or dialled socket, including TLS sockets still in their handshake. */
  private readonly sockets = new Set<Socket>();
  private readonly counters: TransportStats = {
    received: 0,
    sent: 0,
    dropped: 0,
    badMessages: 0,
    connectionsOpened: 0,
  };

  constructor(private readonly options: SipTransportOptions) {
    this.maxMessageSize = options.maxMessageSize ?? 65_535;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.partialMessageTimeoutMs = options.partialMessageTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.lingerMs = options.badMessageLingerMs ?? 2_000;
    for (const l of options.listeners) {
      if (ipFamily(l.address) === 0)
        throw new TransportError(`listener address "${l.address}" is not an IP address`);
    }
  }

  /** The bound listeners with their real ports (after start()). */
  get listening(): ListeningAddress[] {
    return this.listeners.map((l) => ({ protocol: l.protocol, address: l.address, port: l.port }));
  }

  /** Counters since start (a copy). */
  get stats(): TransportStats & { connectionsOpen: number } {
    return { ...this.counters, connectionsOpen: this.flows.size };
  }

  /** The TLS certificate in use, if a TLS listener is configured (after start()). */
  get tlsCertificate(): { certFile: string; cert: string } | undefined {
    return this.credentials && { certFile: this.credentials.certFile, cert: this.credentials.cert };
  }

  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.handler = handler;
  }

  /** Bind every listener. Rejects (and releases whatever was bound) if one cannot bind. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new TransportError(`cannot start a transport that is ${this.state}`);
    this.state = "starting";
    try {
      if (this.options.listeners.some((l) => l.protocol === "TLS")) {
        this.credentials = await loadTlsCredentials(this.options);
        this.emit({
          kind: "tls-certificate",
          certFile: this.credentials.certFile,
          generated: this.credentials.generated,
        });
      }
      for (const config of this.options.listeners) {
        const family = ipFamily(config.address) as 4 | 6;
        // An IPv6 wildcard is dual-stack unless an IPv4 listener of the same protocol exists.
        const dualStack =
          config.address === "::" &&
          !this.options.listeners.some((o) => o.protocol === config.protocol && ipFamily(o.address) === 4);
        const listener =
          config.protocol === "UDP"
            ? await this.bindUdp(config.address, config.port, family, dualStack)
            : await this.bindStream(config.protocol, config.address, config.port, family, dualStack);
        this.listeners.push(listener);
        this.emit({
          kind: "listening",
          protocol: listener.protocol,
          local: { address: listener.address, port: listener.port },
        });
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.state = "running";
  }

  /** Close every listener and connection. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.state = "stopped";
    this.stopping = (async () => {
      for (const flow of [...this.flows.values()]) flow.close("transport stopped");
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
      await Promise.all(
        this.listeners.map(
          (l) =>
            new Promise<void>((resolve) => {
              if (l.protocol === "UDP") l.socket.close(() => resolve());
              else l.server.close(() => resolve());
            }),
        ),
      );
    })();
    return this.stopping;
  }

  /**
   * Where this transport says it is, for a Via sent-by or the core's Contact: the advertised
   * address or the listener's bound address (for a wildcard, a local address of the right family),
   * and the listener's port. Undefined when no listener of that protocol and family exists.
   */
  localSentBy(protocol: TransportProtocol, remoteAddress: string): SocketAddress | undefined {
    const remote = unmapIPv4(unbracket(remoteAddress));
    const listener = protocol === "UDP" ? this.pickUdp(remote) : this.pickStreamListener(protocol, remote);
    if (!listener) return undefined;
    return { address: this.sentByHost(listener.address, remote), port: listener.port };
  }

  async sendRequest(request: SipRequest, destination: Destination): Promise<SendResult> {
    this.assertRunning();
    const address = unmapIPv4(unbracket(destination.address));
    if (ipFamily(address) === 0 && (destination.protocol === "UDP" || !destination.flowId)) {
      throw new TransportError(
        `destination "${destination.address}" is not an IP address (no DNS in the transport)`,
      );
    }
    if (destination.protocol !== "UDP") {
      const flow = await this.sendOnStream(
        request,
        destination.protocol,
        address,
        destination.port,
        destination.flowId,
      );
      return { protocol: destination.protocol, flowId: flow.flowId };
    }
    const udp = this.pickUdp(address);
    if (!udp) throw new TransportError(`no UDP listener can reach ${address}`);
    completeTopVia(request, "UDP", this.sentByHost(udp.address, address), udp.port);
    let data = request.serialize();
    // RFC 3261 18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger than
    // 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion
    // controlled transport protocol, such as TCP. If this causes a change in the transport protocol
    // from the one indicated in the top Via, the value in the top Via MUST be changed."
    if (data.length > UDP_MTU_THRESHOLD && this.pickStreamListener("TCP", address)) {
      try {
        const flow = await this.sendOnStream(request, "TCP", address, destination.port, undefined);
        return { protocol: "TCP", flowId: flow.flowId };
      } catch (err) {
        // NOTE: a peer without TCP refuses the connection; many UAs only speak UDP, so rather than
        // failing the request we fall back to (fragmented) UDP as the pre-3261 behaviour did.
        if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED") throw err;
        completeTopVia(request, "UDP", this.sentByHost(udp.address, address), udp.port);
        data = request.serialize();
      }
    }
    await this.sendUdp(udp, data, address, destination.port);
    return { protocol: "UDP", flowId: undefined };
  }

  async sendResponse(response: SipResponse, request: ReceivedMessage): Promise<void> {
    this.assertRunning();
    // RFC 3261 18.2.2: the server transport uses the value of the top Via header field (of the response).
    const via = response.has("via") ? response.topVia : request.message.topVia;
    if (!via) {
      if (!response.has("via") && !request.message.has("via")) {
        throw new TransportError("response has no Via header");
      }
      // The top Via is there but does not parse (a 400 to a malformed request copies it as received).
      await this.sendToSource(response, request);
      return;
    }
    if (isReliable(request.protocol)) {
      const protocol = request.protocol as StreamProtocol;
      // RFC 3261 18.2.2: "If the 'sent-protocol' is a reliable transport protocol such as TCP or
      // SCTP, or TLS over those, the response MUST be sent using the existing connection to the
      // source of the original request that created the transaction, if that connection is still open."
      const existing = request.flowId !== undefined ? this.flows.get(request.flowId) : undefined;
      // A flow lingering after a framing error still takes the answer to its bad request.
      if (existing?.isAlive) {
        await this.writeFlow(existing, response.serialize());
        return;
      }
      const target = reliableResponseTarget(via, protocol);
      if (!target.ok) throw new TransportError(target.reason);
      const flow = await this.flowTo(protocol, target.address, target.port);
      await this.writeFlow(flow, response.serialize());
      return;
    }
    const target = unreliableResponseTarget(via, "UDP");
    if (!target.ok) throw new TransportError(target.reason);
    // RFC 3581 4: the response "MUST be sent from the same address and port that the request was
    // received on in order to traverse symmetric NATs."
    const udp = this.udpFor(request.local, target.address);
    if (!udp) throw new TransportError(`no UDP listener can reach ${target.address}`);
    if (target.ttl !== undefined) udp.socket.setMulticastTTL(target.ttl);
    await this.sendUdp(udp, response.serialize(), target.address, target.port);
  }

  transmitResponse(response: SipResponse, request: ReceivedMessage, errors: SendErrorListener): SentResponse {
    // The common case, a response over UDP, resolves its route once and keeps only the bytes.
    if (this.state === "running" && request.protocol === "UDP") {
      const via = response.has("via") ? response.topVia : request.message.topVia;
      const target = via === undefined ? undefined : unreliableResponseTarget(via, "UDP");
      if (target?.ok && target.ttl === undefined) {
        const udp = this.udpFor(request.local, target.address);
        const data = udp === undefined ? undefined : response.serialize();
        if (udp !== undefined && data !== undefined && data.length <= MAX_UDP_PAYLOAD) {
          const sent = new UdpSentResponse(this, udp, data, target.address, target.port, errors);
          sent.resend();
          return sent;
        }
      }
    }
    // Everything else (streams, multicast, an unroutable Via, errors) takes the general path.
    const send = (): void => {
      this.sendResponse(response, request).then(undefined, (error: unknown) =>
        errors.onTransportError(error),
      );
    };
    send();
    return { resend: send };
  }

  /**
   * NOTE: RFC 3261 18.2.2 routes a response by its top Via; when that Via cannot be parsed we
   * answer symmetrically instead, as RFC 3581 4 does: to the source address and port of the
   * request, from the address it arrived on, over the same connection for a stream transport.
   */
  private async sendToSource(response: SipResponse, request: ReceivedMessage): Promise<void> {
    const target = symmetricResponseTarget(request.source);
    const data = response.serialize();
    if (isReliable(request.protocol)) {
      const existing = request.flowId !== undefined ? this.flows.get(request.flowId) : undefined;
      const flow = existing?.isAlive
        ? existing
        : await this.flowTo(request.protocol as StreamProtocol, target.address, target.port);
      await this.writeFlow(flow, data);
      return;
    }
    const udp = this.udpFor(request.local, target.address);
    if (!udp) throw new TransportError(`no UDP listener can reach ${target.address}`);
    await this.sendUdp(udp, data, target.address, target.port);
  }

  // ---- receive path ------------------------------------------------------------------------

  /** Parse one datagram or framed stream message and hand it up. Never throws. */
  private receive(
    data: Buffer,
    protocol: TransportProtocol,
    source: SocketAddress,
    local: SocketAddress,
    flowId: string | undefined,
  ): void {
    try {
      const receivedAt = this.options.clock.now();
      if (this.options.onTrace) this.trace("in", protocol, local, source, data);
      const result = parseMessage(data);
      if (!result.ok) {
        this.badMessage(result.error, protocol, source, local, flowId, receivedAt);
        return;
      }
      const message = result.message;
      if (message.kind === "request") stampReceived(message, source);
      this.counters.received++;
      if (!this.handler) {
        this.drop(protocol, source, flowId, "no message handler registered");
        return;
      }
      this.handler(new Received(message, data, protocol, source, local, flowId, receivedAt));
    } catch (err) {
      this.emit({
        kind: "error",
        protocol,
        context: `handling a message from ${formatHostPort(source.address, source.port)}`,
        error: err,
      });
    }
  }

  /** Answerable malformed request -> onBadMessage; anything else -> dropped and counted. */
  private badMessage(
    error: ParseError,
    protocol: TransportProtocol,
    source: SocketAddress,
    local: SocketAddress,
    flowId: string | undefined,
    receivedAt: number,
  ): void {
    const message = error.message;
    if (!error.answerable || !message || message.kind !== "request" || !this.options.onBadMessage) {
      this.drop(protocol, source, flowId, `unparseable message: ${error.reason}`);
      return;
    }
    stampReceived(message, source);
    this.counters.badMessages++;
    const received: ReceivedMessage = { message, protocol, source, local, flowId, receivedAt };
    const context: BadMessageContext = { error, protocol, source, local, flowId, received };
    this.options.onBadMessage(context);
  }

  private drop(
    protocol: TransportProtocol,
    source: SocketAddress,
    flowId: string | undefined,
    reason: string,
  ): void {
    this.counters.dropped++;
    this.emit({ kind: "drop", protocol, source, flowId, reason });
  }

  private onDatagram(listener: UdpListener, data: Buffer, address: string, port: number): void {
    const source = { address: address.charCodeAt(0) === 58 ? unmapIPv4(address) : address, port };
    if (isKeepAliveOrForeign(data)) {
      // CRLF keep-alives and STUN (RFC 5626 4.4.2) share the port; neither is SIP.
      if (data.length > 0 && data[0] !== 0x0d && data[0] !== 0x0a)
        this.drop("UDP", source, undefined, "non-SIP datagram");
      return;
    }
    if (data.length > this.maxMessageSize) {
      this.drop("UDP", source, undefined, `datagram of ${data.length} bytes exceeds maxMessageSize`);
      return;
    }
    this.receive(data, "UDP", source, listener.local, undefined);
  }

  /** Stream framing broke: answer 400 (or 513) if the header section is readable, then close. */
  private onFramingError(flow: StreamConnection, event: Extract<FramerEvent, { kind: "error" }>): void {
    let message: SipMessage | undefined;
    if (event.head) {
      const parsed = parseMessage(event.head);
      message = parsed.ok ? parsed.message : parsed.error.message;
    }
    const tooLarge = event.code === "too-large";
    const error: ParseError = {
      code: tooLarge ? "too-large" : "bad-content-length",
      reason: event.reason,
      // RFC 3261 21.5.14 513 Message Too Large; 18.3 a missing/bad Content-Length is a 400.
      status: tooLarge ? 513 : 400,
      message,
      answerable: isAnswerable(message),
    };
    this.badMessage(error, flow.protocol, flow.remote, flow.local, flow.flowId, this.options.clock.now());
  }

  // ---- streams ----------------------------------------------------------------------------

  private readonly flowHooks: StreamConnectionHooks = {
    message: (flow, data) => this.receive(data, flow.protocol, flow.remote, flow.local, flow.flowId),
    framingError: (flow, event) => {
      try {
        this.onFramingError(flow, event);
      } catch (err) {
        this.emit({
          kind: "error",
          protocol: flow.protocol,
          context: "answering a framing error",
          error: err,
        });
      }
    },
    closed: (flow, reason) => {
      this.flows.delete(flow.flowId);
      const key = remoteKey(flow.protocol, flow.remote.address, flow.remote.port);
      if (this.flowsByRemote.get(key) === flow) this.flowsByRemote.delete(key);
      this.emit({
        kind: "connection-close",
        protocol: flow.protocol,
        flowId: flow.flowId,
        remote: flow.remote,
        reason,
      });
    },
  };

  private adopt(
    socket: Socket,
    protocol: StreamProtocol,
    direction: "inbound" | "outbound",
  ): StreamConnection {
    const flow = new StreamConnection(
      socket,
      {
        flowId: `${protocol.toLowerCase()}-${this.flowPrefix}-${++this.flowCounter}`,
        protocol,
        direction,
        clock: this.options.clock,
        maxMessageSize: this.maxMessageSize,
        idleTimeoutMs: this.idleTimeoutMs,
        partialMessageTimeoutMs: this.partialMessageTimeoutMs,
        lingerMs: this.lingerMs,
      },
      this.flowHooks,
    );
    this.flows.set(flow.flowId, flow);
    this.flowsByRemote.set(remoteKey(protocol, flow.remote.address, flow.remote.port), flow);
    this.counters.connectionsOpened++;
    this.emit({
      kind: "connection-open",
      protocol,
      flowId: flow.flowId,
      direction,
      local: flow.local,
      remote: flow.remote,
    });
    return flow;
  }

  /** Send a request on a stream: the preferred flow, an open flow to the address, or a new one. */
  private async sendOnStream(
    request: SipRequest,
    protocol: StreamProtocol,
    address: string,
    port: number,
    flowId: string | undefined,
  ): Promise<StreamConnection> {
    const preferred = flowId !== undefined ? this.flows.get(flowId) : undefined;
    let flow: StreamConnection;
    if (preferred?.isOpen && preferred.protocol === protocol) flow = preferred;
    else if (ipFamily(address) === 0)
      throw new TransportError(`flow ${flowId} is closed and "${address}" is not an IP address`);
    else flow = await this.flowTo(protocol, address, port);
    const listener = this.pickStreamListener(protocol, flow.remote.address);
    const host =
      this.options.advertisedAddress ??
      (listener && !isWildcard(listener.address) ? listener.address : flow.local.address);
    completeTopVia(request, protocol, host, listener?.port ?? flow.local.port);
    await this.writeFlow(flow, request.serialize());
    return flow;
  }

  private async writeFlow(flow: StreamConnection, data: Buffer): Promise<void> {
    this.trace("out", flow.protocol, flow.local, flow.remote, data);
    await flow.write(data);
    this.counters.sent++;
  }

  /** An open flow to address:port, or a new connection (shared by concurrent callers). */
  private flowTo(protocol: StreamProtocol, address: string, port: number): Promise<StreamConnection> {
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

  private connect(protocol: StreamProtocol, address: string, port: number): Promise<StreamConnection> {
    const family = ipFamily(address);
    const listener = this.pickStreamListener(protocol, address);
    const localAddress =
      listener && !isWildcard(listener.address) && listener.family === family ? listener.address : undefined;
    // tls.connect hands these to net.connect, localAddress included (missing from its typings).
    const tlsOptions: ConnectionOptions & { localAddress?: string } = {
      host: address,
      port,
      localAddress,
      rejectUnauthorized: this.options.tlsVerifyPeer ?? true,
      cert: this.credentials?.cert,
      key: this.credentials?.key,
    };
    return new Promise<StreamConnection>((resolve, reject) => {
      const socket =
        protocol === "TCP" ? tcpConnect({ host: address, port, localAddress }) : tlsConnect(tlsOptions);
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      let settled = false;
      const timer = this.options.clock.setTimer(this.connectTimeoutMs, () => {
        const err: NodeJS.ErrnoException = new TransportError(
          `${protocol} connect to ${formatHostPort(address, port)} timed out after ${this.connectTimeoutMs} ms`,
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
        if (this.state === "stopped") {
          socket.destroy();
          reject(new TransportError("transport stopped"));
          return;
        }
        resolve(this.adopt(socket, protocol, "outbound"));
      });
    });
  }

  // ---- binding ----------------------------------------------------------------------------

  private bindUdp(address: string, port: number, family: 4 | 6, dualStack: boolean): Promise<UdpListener> {
    return new Promise<UdpListener>((resolve, reject) => {
      const socket = createUdpSocket(family, dualStack);
      const listener: UdpListener = {
        protocol: "UDP",
        address,
        port,
        family,
        dualStack,
        socket,
        local: { address, port },
      };
      socket.once("error", reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off("error", reject);
        listener.port = socket.address().port;
        listener.local = { address, port: listener.port };
        socket.on("error", (err) =>
          this.emit({
            kind: "error",
            protocol: "UDP",
            context: `UDP socket ${formatHostPort(address, listener.port)}`,
            error: err,
          }),
        );
        socket.on("message", (data, rinfo) => {
          try {
            this.onDatagram(listener, data, rinfo.address, rinfo.port);
          } catch (err) {
            this.emit({ kind: "error", protocol: "UDP", context: "UDP receive", error: err });
          }
        });
        resolve(listener);
      });
    });
  }

  private bindStream(
    protocol: StreamProtocol,
    address: string,
    port: number,
    family: 4 | 6,
    dualStack: boolean,
  ): Promise<StreamListener> {
    const server =
      protocol === "TCP"
        ? createTcpServer()
        : createTlsServer({
            cert: this.credentials?.cert,
            key: this.credentials?.key,
            handshakeTimeout: this.partialMessageTimeoutMs,
          });
    // Track raw sockets (TLS ones before their handshake too) so stop() can close them all.
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    const accept = (socket: Socket) => {
      try {
        if (this.state === "stopped") socket.destroy();
        else this.adopt(socket, protocol, "inbound");
      } catch (err) {
        socket.destroy();
        this.emit({ kind: "error", protocol, context: "accepting a connection", error: err });
      }
    };
    if (protocol === "TCP") server.on("connection", accept);
    else server.on("secureConnection", accept);
    server.on("tlsClientError", (err: Error, socket: Socket) => {
      socket.destroy();
      this.emit({
        kind: "error",
        protocol,
        context: `TLS handshake from ${socket.remoteAddress}`,
        error: err,
      });
    });
    return new Promise<StreamListener>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: address, port, ipv6Only: family === 6 && !dualStack, exclusive: true }, () => {
        server.off("error", reject);
        server.on("error", (err) =>
          this.emit({ kind: "error", protocol, context: `${protocol} listener`, error: err }),
        );
        const bound = server.address();
        const realPort = typeof bound === "object" && bound ? bound.port : port;
        resolve({ protocol, address, port: realPort, family, dualStack, server });
      });
    });
  }

  // ---- socket choice ----------------------------------------------------------------------

  private pickUdp(remote: string): UdpListener | undefined {
    return pickListener(
      this.listeners.filter((l): l is UdpListener => l.protocol === "UDP"),
      remote,
    );
  }

  private pickStreamListener(protocol: StreamProtocol, remote: string): StreamListener | undefined {
    return pickListener(
      this.listeners.filter((l): l is StreamListener => l.protocol === protocol),
      remote,
    );
  }

  /** The UDP listener a request arrived on (by local address and port), else any that fits. */
  private udpFor(local: SocketAddress, remote: string): UdpListener | undefined {
    const same = this.listeners.find(
      (l): l is UdpListener => l.protocol === "UDP" && l.port === local.port && l.address === local.address,
    );
    if (same && (same.family === ipFamily(remote) || same.dualStack)) return same;
    return this.pickUdp(remote);
  }

  /** Host for a Via sent-by: advertised, or bound, or (wildcard) a local address of the family. */
  private sentByHost(boundAddress: string, remote: string): string {
    if (this.options.advertisedAddress) return this.options.advertisedAddress;
    if (!isWildcard(boundAddress)) return boundAddress;
    const family: 4 | 6 = ipFamily(remote) === 6 ? 6 : 4;
    if (isLoopback(remote)) return family === 6 ? "::1" : "127.0.0.1";
    return guessLocalAddress(family);
  }

  private sendUdp(listener: UdpListener, data: Buffer, address: string, port: number): Promise<void> {
    if (data.length > MAX_UDP_PAYLOAD) {
      return Promise.reject(new TransportError(`message of ${data.length} bytes is too large for UDP`));
    }
    return new Promise<void>((resolve, reject) => {
      this.sendDatagram(listener, data, address, port, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** One datagram; `done` runs on a later tick with the socket's error, if any. */
  sendDatagram(
    listener: UdpListener,
    data: Buffer,
    address: string,
    port: number,
    done: (err: Error | null) => void,
  ): void {
    // A dual-stack IPv6 socket reaches IPv4 peers through IPv4-mapped addresses.
    const target = listener.family === 6 && ipFamily(address) === 4 ? `::ffff:${address}` : address;
    if (this.options.onTrace) this.trace("out", "UDP", listener.local, { address, port }, data);
    try {
      listener.socket.send(data, port, target, (err) => {
        if (!err) this.counters.sent++;
        done(err);
      });
    } catch (err) {
      // A closed socket throws at once; report it as a send error, on a later tick like the others.
      queueMicrotask(() => done(err as Error));
    }
  }

  // ---- misc -------------------------------------------------------------------------------

  private assertRunning(): void {
    if (this.state !== "running") throw new TransportError(`transport is ${this.state}`);
  }

  private trace(
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

  private emit(event: TransportEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A throwing logger must not take the transport down (STYLE.md: listeners never corrupt state).
    }
  }
}

function remoteKey(protocol: TransportProtocol, address: string, port: number): string {
  return `${protocol} ${formatHostPort(address, port)}`;
}

/** CRLF keep-alives, empty datagrams and binary protocols (STUN: first byte 0x00/0x01) on the SIP port. */
function isKeepAliveOrForeign(data: Buffer): boolean {
  if (data.length === 0) return true;
  const first = data[0];
  if (first === 0x0d || first === 0x0a) {
    for (const b of data) if (b !== 0x0d && b !== 0x0a && b !== 0x20) return false;
    return true;
  }
  return first < 0x20;
}
